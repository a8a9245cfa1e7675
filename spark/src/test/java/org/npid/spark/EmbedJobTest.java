package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.data.Split;
import org.npid.eval.Embeddings;
import org.npid.fixtures.TinyRun;
import org.npid.index.Matrix;
import org.npid.index.Npy;

class EmbedJobTest {
    @TempDir static Path tmp;
    static SparkSession spark;
    static Path data;
    static Path checkpoint;
    static Map<String, float[]> reference = new HashMap<>();

    @BeforeAll
    static void trainAndEmbedWithNpid() throws Exception {
        data = ImageFolders.synthetic(tmp.resolve("images"), 16, 8);
        checkpoint = TinyRun.checkpoint(data, tmp.resolve("run"));
        // npid embed's vectors for the test images, before a corrupt file joins them.
        Path npy = tmp.resolve("npid.npy");
        Embeddings.export(checkpoint, data, Split.TEST, npy, false, 1);
        Matrix m = Npy.read(npy);
        List<String> lines = Files.readAllLines(Embeddings.sidecarOf(npy));
        for (int r = 0; r < m.rows(); r++) {
            reference.put(
                    Path.of(lines.get(r + 1).split("\t", -1)[3]).toAbsolutePath().toString(),
                    m.row(r));
        }
        Files.write(
                data.resolve("test").resolve("00-0").resolve("zz-broken.jpg"),
                new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        spark = SparkTests.local();
        // Small splits: several tasks, so the network must be shared between them.
        spark.conf().set("spark.sql.files.maxPartitionBytes", "4096");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void vectorsEqualNpidEmbedsAndTheCorruptImageIsSkippedAndCounted() {
        String out = tmp.resolve("test.parquet").toString();
        EmbedJob.Result r =
                EmbedJob.run(
                        spark,
                        List.of(data.resolve("test").toString()),
                        checkpoint,
                        out,
                        5,
                        LocalCopy.Mode.AUTO);

        assertThat(r.rows()).isEqualTo(reference.size());
        assertThat(r.corrupt()).isEqualTo(1);
        // One network for every task of both tests: loaded once in this JVM (the executor).
        assertThat(ExecutorModels.loads()).isEqualTo(1);
        List<Row> rows = spark.read().parquet(out).collectAsList();
        assertThat(spark.read().parquet(out).rdd().getNumPartitions()).isGreaterThan(1);
        for (Row row : rows) {
            String path = LocalCopy.localPath(row.getString(0));
            float[] want = reference.get(path);
            assertThat(want).as(path).isNotNull();
            List<Float> got = row.getList(3);
            assertThat(got).hasSize(want.length);
            for (int j = 0; j < want.length; j++) {
                // Batches of 5 against npid embed's 256: oneDNN may pick other kernels per batch
                // shape, so the last bits differ (6e-8 seen on a Zen 3); a wrong image, resize or
                // normalisation moves a coordinate of a unit vector by 1e-2 or more.
                assertThat(got.get(j)).as(path + "[" + j + "]").isCloseTo(want[j], within(1e-5f));
            }
            String cls = row.getString(2);
            assertThat(path).contains("/test/" + cls + "/");
            assertThat(row.getInt(1)).isEqualTo(Integer.parseInt(cls.substring(0, 2)));
        }
        // The .npy beside the table: path order, the same rows.
        Matrix npy = Npy.read(Path.of(out.replace(".parquet", ".npy")));
        assertThat(npy.rows()).isEqualTo(reference.size());
        assertThat(r.npy()).isEqualTo(Path.of(out.replace(".parquet", ".npy")));
    }

    @Test
    void manyFoldersMakeOneTableWithOneNumberingOfTheClasses() {
        String out = tmp.resolve("both.parquet").toString();
        EmbedJob.Result r =
                EmbedJob.run(
                        spark,
                        List.of(data.resolve("train").toString(), data.resolve("test").toString()),
                        checkpoint,
                        out,
                        64,
                        LocalCopy.Mode.NEVER);
        // 16 training and 8 test images of each of the 4 classes; the corrupt one is skipped.
        assertThat(r.rows()).isEqualTo(4 * (16 + 8));
        assertThat(r.corrupt()).isEqualTo(1);
        for (Row row : spark.read().parquet(out).collectAsList()) {
            assertThat(row.getInt(1)).isEqualTo(Integer.parseInt(row.getString(2).substring(0, 2)));
        }
    }

    @Test
    void aRerunReplacesTheTableWholeOnlyWithOverwriteAndLeavesNothingBehind() throws Exception {
        Path out = tmp.resolve("again.parquet");
        List<String> input = List.of(data.resolve("test").toString());
        EmbedJob.run(spark, input, checkpoint, out.toString(), 64, LocalCopy.Mode.NEVER);
        assertThatThrownBy(
                        () ->
                                EmbedJob.run(
                                        spark,
                                        input,
                                        checkpoint,
                                        out.toString(),
                                        64,
                                        LocalCopy.Mode.NEVER))
                .hasMessageContaining("pass --overwrite to replace it");
        EmbedJob.Result again =
                EmbedJob.run(
                        spark, input, checkpoint, out.toString(), 64, LocalCopy.Mode.NEVER, true);
        assertThat(again.rows()).isEqualTo(reference.size());
        assertThat(spark.read().parquet(out.toString()).count()).isEqualTo(reference.size());
        assertThat(out.resolve(OutputDir.SUCCESS)).exists();
        try (var siblings = Files.list(tmp)) {
            assertThat(siblings.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.contains(".tmp-"));
        }
        assertThat(again.npy()).isNull();
    }
}
