package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.SyntheticIdx;

class ExperimentCommandTest {
    @TempDir Path tmp;

    @Test
    void listNamesEveryExperimentAndItsRows() {
        String out = CliRun.out("experiment", "--list");
        assertThat(out)
                .contains("table1: Parametric softmax vs non-parametric softmax vs NCE (Table 1)")
                .contains("table4:")
                .contains("table5:")
                .contains("figure3:")
                .contains("figure6:")
                .contains("nce-m4096")
                .contains("labels-20pct");
    }

    @Test
    void quickRunWritesTheTableAndASecondRunSkipsEveryRow() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 16, 4, 16, 3);
        String[] args = {
            "experiment",
            "table4",
            "--data",
            data.toString(),
            "--out",
            tmp.resolve("t4").toString(),
            "--quick",
            "--threads",
            "1",
            "--set",
            "train_images=64"
        };
        String first = CliRun.out(args);
        assertThat(first).contains("== row 1/4: d = 32").contains("done; table: ");
        String md = Files.readString(tmp.resolve("t4/results.md"));
        assertThat(md)
                .contains("| d = 128 | 40.5 |")
                .contains("--set train_images=64")
                .contains("family");
        String second = CliRun.out(args);
        assertThat(second).contains("== row 4/4: d = 256 (done before: skipped)");
        assertThat(second).doesNotContain("epoch   1");
    }

    @Test
    void unknownExperimentOrMissingDataSaysWhatToDo() {
        assertThat(CliRun.err("experiment", "table9", "--data", tmp.toString()))
                .contains("no experiment table9")
                .contains("table1");
        assertThat(CliRun.err("experiment", "table1")).contains("--data PATH is needed");
        // picocli reports a bad option value with exit code 2.
        assertThat(
                        CliRun.both(
                                2,
                                "experiment",
                                "table1",
                                "--scale",
                                "huge",
                                "--data",
                                tmp.toString()))
                .contains("no scale huge: choose small, laptop or paper");
        assertThat(CliRun.out("experiment", "--help")).contains("--scale").contains("--rows");
    }
}
