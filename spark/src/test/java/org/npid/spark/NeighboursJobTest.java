package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.TinyRun;
import org.npid.train.TrainResult;

class NeighboursJobTest {
    static final int N = 300;
    static final int D = 8;
    static final int K = 5;

    @TempDir static Path tmp;
    static SparkSession spark;
    static float[][] vectors = new float[N][D];
    static String table;

    /**
     * Vectors on a grid of eighths: every dot product is exact in float, so the expected
     * neighbours, ties included (lower id first), are known whatever the block shapes.
     */
    @BeforeAll
    static void writeTable() {
        spark = SparkTests.local();
        SplittableRandom rng = new SplittableRandom(7);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                vectors[i][j] = (rng.nextInt(9) - 4) / 8f;
            }
            // Ids are ranks in path order: zero-padded names keep them equal to i.
            rows.add(
                    RowFactory.create(
                            String.format("file:/images/%04d.png", i), -1, "", vectors[i]));
        }
        table = tmp.resolve("vectors.parquet").toString();
        OutputDir.replace(
                spark,
                table,
                out ->
                        spark.createDataFrame(rows, EmbedJob.SCHEMA)
                                .repartition(3)
                                .write()
                                .mode(SaveMode.ErrorIfExists)
                                .parquet(out));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static long[] expected(int i) {
        Integer[] order = new Integer[N];
        for (int j = 0; j < N; j++) {
            order[j] = j;
        }
        Arrays.sort(
                order,
                Comparator.comparingDouble((Integer j) -> -dot(i, j)).thenComparingInt(j -> j));
        return Arrays.stream(order)
                .filter(j -> j != i)
                .limit(K)
                .mapToLong(Integer::longValue)
                .toArray();
    }

    static double dot(int a, int b) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            s += vectors[a][j] * vectors[b][j];
        }
        return s;
    }

    @Test
    void smallBlocksFindExactlyTheNeighboursOfOneSearch() throws Exception {
        String out = tmp.resolve("nb.parquet").toString();
        NeighboursJob.Result r =
                NeighboursJob.run(spark, table, null, K, out, 64, 37, LocalCopy.Mode.AUTO);
        assertThat(r.rows()).isEqualTo(N);
        List<Row> rows = spark.read().parquet(out).orderBy("id").collectAsList();
        for (int i = 0; i < N; i++) {
            Row row = rows.get(i);
            assertThat(row.getLong(0)).isEqualTo(i);
            assertThat(row.getString(1)).endsWith(String.format("%04d.png", i));
            long[] got = row.<Long>getList(2).stream().mapToLong(Long::longValue).toArray();
            assertThat(got).as("neighbours of %d", i).isEqualTo(expected(i));
            List<Float> scores = row.getList(3);
            for (int j = 0; j < K; j++) {
                assertThat((double) scores.get(j)).isEqualTo(dot(i, (int) got[j]));
            }
        }
        // The text table npid train reads: a line per image, ids best first.
        List<String> lines = Files.readAllLines(r.table());
        assertThat(lines.get(0)).isEqualTo("id\tsource\tneighbours");
        assertThat(lines).hasSize(N + 1);
        String[] first = lines.get(1).split("\t", -1);
        assertThat(first[1]).isEqualTo("/images/0000.png");
        assertThat(Arrays.stream(first[2].split(",", -1)).mapToLong(Long::parseLong).toArray())
                .isEqualTo(expected(0));
    }

    @Test
    void trainingTakesItsNeighbourhoodFromTheTableOfAnImageFolder() throws Exception {
        Path data = ImageFolders.synthetic(tmp.resolve("images"), 8, 2);
        Path checkpoint = TinyRun.checkpoint(data, tmp.resolve("run"));
        NeighboursJob.Result r =
                NeighboursJob.run(
                        spark,
                        data.resolve("train").toString(),
                        checkpoint,
                        3,
                        tmp.resolve("images-nb.parquet").toString(),
                        64,
                        BlockedTopK.BLOCK_ROWS,
                        LocalCopy.Mode.ALWAYS);
        assertThat(r.rows()).isEqualTo(4 * 8);
        TrainResult trained =
                TinyRun.run(
                        data,
                        tmp.resolve("run-table"),
                        1,
                        "neighbours",
                        "3",
                        "neighbour_source",
                        "table",
                        "neighbour_table",
                        r.table().toString(),
                        "neighbours_from_epoch",
                        "1");
        assertThat(trained.interrupted()).isFalse();
        assertThat(trained.checkpoint()).exists();
    }
}
