package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

class CellSearchTest {
    @TempDir static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTests.local();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static String table(String name, float[][] vectors) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < vectors.length; i++) {
            rows.add(
                    RowFactory.create(
                            String.format("file:/images/%05d.png", i), -1, "", vectors[i]));
        }
        String out = tmp.resolve(name).toString();
        OutputDir.replace(
                spark,
                out,
                o ->
                        spark.createDataFrame(rows, EmbedJob.SCHEMA)
                                .repartition(3)
                                .write()
                                .mode(SaveMode.ErrorIfExists)
                                .parquet(o));
        return out;
    }

    /** Brute force: each row's k best others, higher dot product first, then lower id. */
    static long[][] exact(float[][] v, int k) {
        long[][] out = new long[v.length][];
        for (int i = 0; i < v.length; i++) {
            final int q = i;
            out[i] =
                    java.util.stream.IntStream.range(0, v.length)
                            .filter(j -> j != q)
                            .boxed()
                            .sorted(
                                    Comparator.comparingDouble((Integer j) -> -dot(v[q], v[j]))
                                            .thenComparingInt(j -> j))
                            .limit(k)
                            .mapToLong(Integer::longValue)
                            .toArray();
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    static long[][] found(String out, int n) {
        List<Row> rows = spark.read().parquet(out).orderBy("id").collectAsList();
        assertThat(rows).hasSize(n);
        long[][] got = new long[n][];
        for (int i = 0; i < n; i++) {
            assertThat(rows.get(i).getLong(0)).isEqualTo(i);
            got[i] = rows.get(i).<Long>getList(2).stream().mapToLong(Long::longValue).toArray();
        }
        return got;
    }

    @Test
    void probingEveryCellFindsExactlyTheNeighboursOfTheExactJoin() {
        // A grid of eighths: every dot product is exact in float, so ties are real ties and
        // must go to the lower id, as in the exact join.
        SplittableRandom rng = new SplittableRandom(7);
        float[][] v = new float[300][8];
        for (float[] row : v) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (rng.nextInt(9) - 4) / 8f;
            }
        }
        String in = table("grid.parquet", v);
        String out = tmp.resolve("grid-cells.parquet").toString();
        NeighboursJob.run(
                spark,
                in,
                null,
                5,
                out,
                64,
                BlockedTopK.BLOCK_ROWS,
                LocalCopy.Mode.NEVER,
                false,
                new CellSearch.Settings(6, 6, 3));
        long[][] want = exact(v, 5);
        long[][] got = found(out, v.length);
        for (int i = 0; i < v.length; i++) {
            assertThat(got[i]).as("neighbours of %d", i).isEqualTo(want[i]);
        }
    }

    /** Unit vectors around 20 seeded centres: neighbours mostly share a centre, as embeddings. */
    static float[][] clustered(int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[][] centres = new float[20][d];
        for (float[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = (float) rng.nextGaussian();
            }
        }
        float[][] v = new float[n][d];
        for (int i = 0; i < n; i++) {
            float[] c = centres[rng.nextInt(centres.length)];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                v[i][j] = c[j] + 0.6f * (float) rng.nextGaussian();
                norm += v[i][j] * v[i][j];
            }
            for (int j = 0; j < d; j++) {
                v[i][j] /= (float) Math.sqrt(norm);
            }
        }
        return v;
    }

    static double recall(long[][] got, long[][] want) {
        long hit = 0;
        long all = 0;
        for (int i = 0; i < want.length; i++) {
            Set<Long> w = new HashSet<>();
            Arrays.stream(want[i]).forEach(w::add);
            hit += Arrays.stream(got[i]).filter(w::contains).count();
            all += want[i].length;
        }
        return (double) hit / all;
    }

    @Test
    void fewerProbesLoseSomeNeighboursAndMoreProbesFewer() {
        float[][] v = clustered(2000, 16, 11);
        String in = table("clustered.parquet", v);
        long[][] want = exact(v, 10);
        double[] recall = new double[3];
        int[] probes = {1, 3, 16};
        for (int p = 0; p < probes.length; p++) {
            String out = tmp.resolve("clustered-p" + probes[p] + ".parquet").toString();
            NeighboursJob.run(
                    spark,
                    in,
                    null,
                    10,
                    out,
                    64,
                    BlockedTopK.BLOCK_ROWS,
                    LocalCopy.Mode.NEVER,
                    false,
                    new CellSearch.Settings(16, probes[p], 5));
            recall[p] = recall(found(out, v.length), want);
        }
        // One cell of 16 misses the neighbours across its border; three find most of them;
        // all sixteen are the exact search.
        assertThat(recall[0]).isBetween(0.3, 0.98);
        assertThat(recall[1]).isGreaterThan(recall[0]).isLessThanOrEqualTo(1.0);
        assertThat(recall[2]).isEqualTo(1.0);
    }

    @Test
    void trainingTakesItsNeighbourhoodFromTheApproximateTable() throws Exception {
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
                        LocalCopy.Mode.ALWAYS,
                        false,
                        new CellSearch.Settings(2, 1, 1));
        assertThat(r.rows()).isEqualTo(4 * 8);
        List<String> lines = Files.readAllLines(r.table());
        assertThat(lines.get(0)).isEqualTo("id\tsource\tneighbours");
        assertThat(lines.subList(1, lines.size()))
                .hasSize(32)
                .allMatch(l -> l.split("\t", -1)[2].split(",", -1).length == 3);
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

    @Test
    void mergeKeepsTheBestKInTheExactOrderAndSettingsNameTheirFlags() {
        CellSearch.Found a = new CellSearch.Found(new long[] {4, 9}, new float[] {0.9f, 0.5f});
        CellSearch.Found b = new CellSearch.Found(new long[] {2, 7}, new float[] {0.9f, 0.6f});
        CellSearch.Found m = CellSearch.merge(a, b, 3);
        assertThat(m.ids()).containsExactly(2, 4, 7);
        assertThat(m.scores()).containsExactly(0.9f, 0.9f, 0.6f);
        assertThat(
                        CellSearch.nearest(
                                new float[] {1, 0, 0, 1, 0.6f, 0.8f}, 2, new float[] {0, 1}, 2))
                .containsExactly(1, 2);
        assertThatThrownBy(() -> new CellSearch.Settings(0, 1, 1)).hasMessageContaining("--cells");
        assertThatThrownBy(() -> new CellSearch.Settings(4, 5, 1))
                .hasMessageContaining("--probes must be in [1, --cells = 4], got 5");
    }
}
