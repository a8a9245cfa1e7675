package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
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
        OutputDir.replace(spark, out, dir -> writeNumbers(dir, 20));
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
}
