package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputDirTest {
    @TempDir Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTests.local();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static void writeNumbers(String dir, int n) {
        spark.range(n).write().parquet(dir);
    }

    @Test
    void aFailedWriteLeavesThePreviousOutputWholeAndNoTemporaryFolder() throws Exception {
        String out = tmp.resolve("t.parquet").toString();
        OutputDir.replace(spark, out, dir -> writeNumbers(dir, 10));
        assertThatThrownBy(
                        () ->
                                OutputDir.replace(
                                        spark,
                                        out,
                                        List.of(),
                                        true,
                                        dir -> {
                                            writeNumbers(dir, 20);
                                            throw new IllegalStateException("disk full");
                                        }))
                .hasMessage("disk full");
        assertThat(spark.read().parquet(out).count()).isEqualTo(10);
        try (var files = Files.list(tmp)) {
            assertThat(files)
                    .extracting(p -> p.getFileName().toString())
                    .containsExactly("t.parquet");
        }
        OutputDir.replace(spark, out, List.of(), true, dir -> writeNumbers(dir, 20));
        assertThat(spark.read().parquet(out).count()).isEqualTo(20);
    }

    @Test
    void onlyAFinishedFolderIsAccepted() throws Exception {
        Path half = Files.createDirectories(tmp.resolve("half"));
        assertThatThrownBy(() -> OutputDir.requireFinished(spark, half.toString()))
                .hasMessageContaining("did not finish");
        assertThatThrownBy(() -> OutputDir.requireFinished(spark, tmp.resolve("none").toString()))
                .hasMessageContaining("does not exist");
        Files.createFile(half.resolve(OutputDir.SUCCESS));
        OutputDir.requireFinished(spark, half.toString());
        OutputDir.requireFinished(spark, Files.createFile(tmp.resolve("one.parquet")).toString());
    }

    /** Every file under {@code root} with its bytes, to show that nothing was touched. */
    private static Map<String, List<Byte>> snapshot(Path root) throws Exception {
        Map<String, List<Byte>> files = new TreeMap<>();
        try (var walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(p);
                List<Byte> bytes = new java.util.ArrayList<>(b.length);
                for (byte x : b) {
                    bytes.add(x);
                }
                files.put(root.relativize(p).toString(), bytes);
            }
        }
        return files;
    }

    @Test
    void aUsersFolderIsNeverReplacedEvenWithOverwrite() throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep me");
        var before = snapshot(tmp);
        for (boolean overwrite : new boolean[] {false, true}) {
            assertThatThrownBy(
                            () ->
                                    OutputDir.replace(
                                            spark,
                                            mine.toString(),
                                            List.of(),
                                            overwrite,
                                            dir -> writeNumbers(dir, 3)))
                    .hasMessageContaining("is not an output of npid-spark")
                    .hasMessageContaining("choose another --out");
        }
        assertThat(snapshot(tmp)).isEqualTo(before);
    }

    @Test
    void aRegularFileIsNeverReplaced() throws Exception {
        Path file = Files.writeString(tmp.resolve("table.parquet"), "not ours");
        assertThatThrownBy(() -> OutputDir.checkTarget(spark, file.toString(), List.of(), true))
                .hasMessageContaining("is not an output of npid-spark");
        assertThat(Files.readString(file)).isEqualTo("not ours");
    }

    @Test
    void theInputOrAFolderAboveItIsNeverTheOutput() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("x/test/c0"));
        Files.writeString(images.resolve("0.png"), "image");
        Files.createFile(tmp.resolve("x").resolve(OutputDir.SUCCESS));
        Files.createFile(tmp.resolve("x/test").resolve(OutputDir.SUCCESS));
        var before = snapshot(tmp);
        String input = tmp.resolve("x/test").toString();
        for (String out : List.of(input, tmp.resolve("x").toString())) {
            assertThatThrownBy(
                            () ->
                                    OutputDir.replace(
                                            spark,
                                            out,
                                            List.of(input),
                                            true,
                                            dir -> writeNumbers(dir, 3)))
                    .hasMessageContaining("holds the input " + input)
                    .hasMessageContaining("outside the input folders");
        }
        assertThat(snapshot(tmp)).isEqualTo(before);
    }

    @Test
    void anEarlierOutputIsReplacedOnlyWithOverwrite() throws Exception {
        String out = tmp.resolve("t.parquet").toString();
        OutputDir.replace(spark, out, dir -> writeNumbers(dir, 10));
        var before = snapshot(tmp);
        assertThatThrownBy(() -> OutputDir.replace(spark, out, dir -> writeNumbers(dir, 20)))
                .hasMessageContaining("holds an earlier output: pass --overwrite");
        assertThat(snapshot(tmp)).isEqualTo(before);
        OutputDir.replace(spark, out, List.of(), true, dir -> writeNumbers(dir, 20));
        assertThat(spark.read().parquet(out).count()).isEqualTo(20);
    }

    @Test
    void aFolderInsideTheInputIsNeverTheOutput() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("x/c0"));
        Files.writeString(images.resolve("0.png"), "image");
        var before = snapshot(tmp);
        String input = tmp.resolve("x").toString();
        for (String out :
                List.of(tmp.resolve("x/emb").toString(), images.resolve("e").toString())) {
            assertThatThrownBy(
                            () ->
                                    OutputDir.replace(
                                            spark,
                                            out,
                                            List.of(input),
                                            true,
                                            dir -> writeNumbers(dir, 3)))
                    .hasMessageContaining("--out " + out + " is inside the input " + input)
                    .hasMessageContaining("choose an --out outside the input folders");
        }
        assertThat(snapshot(tmp)).isEqualTo(before);
    }
}
