package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.finetune.FineTune;
import org.npid.finetune.FineTuneConfig;
import org.npid.finetune.FineTuneResult;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;
import picocli.CommandLine;

class FineTuneCommandTest {
    @TempDir Path tmp;

    @Test
    void compareTabulatesBothRunsForEveryFraction() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 20, 10, 16, 5);
        Path run = tmp.resolve("run");
        TinyRun.checkpoint(data, run);
        String out =
                CliRun.out(
                        "finetune",
                        "--checkpoint",
                        run.toString(),
                        "--data",
                        data.toString(),
                        "--labels",
                        "0.25,0.5",
                        "--compare",
                        "--steps",
                        "3",
                        "--batch-size",
                        "8",
                        "--test-images",
                        "20",
                        "--threads",
                        "1");
        List<String> lines = out.lines().toList();
        assertThat(lines.get(0)).isEqualTo("3 steps of 8 images, lr 0.03, seed 42");
        assertThat(lines.get(1)).isEqualTo("fraction  labelled  fine-tuned top-1  scratch top-1");
        // 5 of each of the 4 classes' 20 images, then 10.
        assertRow(lines.get(2), "0.25", "20", run, data);
        assertRow(lines.get(3), "0.5", "40", run, data);
        assertThat(lines).hasSize(4);
    }

    /**
     * The row's figures are those of the same fine-tuning and scratch runs made through the library
     * with the options' settings.
     */
    private static void assertRow(
            String line, String fraction, String labelled, Path run, Path data) {
        String[] cells = line.trim().split("\\s+");
        assertThat(cells).hasSize(4);
        assertThat(cells[0]).isEqualTo(fraction);
        assertThat(cells[1]).isEqualTo(labelled);
        FineTuneConfig d = FineTuneConfig.defaults();
        FineTuneConfig c =
                new FineTuneConfig(
                        Double.parseDouble(fraction),
                        3,
                        8,
                        0.03,
                        d.momentum(),
                        d.weightDecay(),
                        42,
                        d.threads(),
                        d.workers(),
                        false,
                        20);
        for (int i = 2; i < 4; i++) {
            FineTuneResult again = FineTune.run(run, data, c.withScratch(i == 3));
            assertThat(cells[i])
                    .isEqualTo(String.format(Locale.ROOT, "%.2f%%", 100 * again.top1()));
        }
    }

    @Test
    void optionDefaultsAreTheLibrarys() {
        FineTuneCommand cmd = new FineTuneCommand();
        new CommandLine(cmd).parseArgs("--checkpoint", "run", "--data", "d");
        assertThat(cmd.config()).isEqualTo(FineTuneConfig.defaults());
    }

    @Test
    void aFractionOutsideZeroToOneIsAUsageError() {
        String err =
                CliRun.both(
                        2, "finetune", "--checkpoint", "r", "--data", "d", "--labels", "0.01,2");
        assertThat(err).contains("finetune.label_fraction: must be in (0, 1]").contains("got 2.0");
    }

    @Test
    void scratchAndCompareTogetherAreRefused() {
        String err =
                CliRun.both(
                        2,
                        "finetune",
                        "--checkpoint",
                        "r",
                        "--data",
                        "d",
                        "--scratch",
                        "--compare");
        assertThat(err).contains("give --scratch or --compare, not both");
    }

    @Test
    void aMissingCheckpointIsAClearError() throws Exception {
        Path data = SyntheticIdx.write(tmp.resolve("d"), 2, 1, 16, 5);
        String err =
                CliRun.both(
                        1,
                        "finetune",
                        "--checkpoint",
                        tmp.resolve("nope").toString(),
                        "--data",
                        data.toString());
        assertThat(err).contains("npid:").contains("does not exist").doesNotContain("\tat ");
    }
}
