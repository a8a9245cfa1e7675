package org.npid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpidCliTest {

    @Test
    void validationTakesAShareAsAPercentageOrAFraction() {
        assertThat(TrainCommand.share("10%"))
                .isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(TrainCommand.share(" 0.25 "))
                .isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainCommand.share("a tenth"))
                .hasMessageContaining("--validation")
                .hasMessageContaining("'a tenth'");
    }

    @TempDir Path tmp;

    @Test
    void helpListsEveryCommand() {
        String help = CliRun.both(0, "--help");
        assertThat(help).contains("train", "knn", "bench", "finetune");
        assertThat(CliRun.both(0, "train", "--help")).contains("--recipe", "--resume", "--set");
    }

    @Test
    void missingDataGivesAClearErrorNotAStackTrace() {
        String out =
                CliRun.both(
                        1,
                        "train",
                        "--data",
                        tmp.resolve("nope").toString(),
                        "--run-dir",
                        tmp.toString());
        assertThat(out).contains("npid:").contains("nope").doesNotContain("\tat ");
    }

    @Test
    void dataWithoutARecipeTrainsWithAutoAndEpochsReplaceItsBudget() throws Exception {
        String out =
                trainQuietly(
                        "--set", "width=0.125",
                        "--set", "max_steps_per_epoch=1",
                        "--epochs", "1");
        assertThat(out).contains("no --recipe or --config: the auto recipe");
        // --epochs replaces the recipe's 10-minute budget: no probe, one epoch.
        assertThat(out.toLowerCase(java.util.Locale.ROOT))
                .contains("batch_size: 32")
                // What runs is printed: auto resolved by its pixel check.
                .contains("neighbour_source: pixels")
                .contains("time_budget: \"\"")
                .contains("epochs: 1")
                .doesNotContain("timing a few steps");
        assertThat(out).contains("beyond the paper: AND neighbourhood positives");
        assertThat(out).contains("training on ");
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            assertThat(out).contains("training on CPU: ").contains("no GPU visible");
        }
    }

    @Test
    void stepsReplaceTheAutoRecipesTimeBudgetAndCannotBeGivenWithTime() throws Exception {
        String out = trainQuietly("--steps", "2");
        assertThat(out.toLowerCase(java.util.Locale.ROOT))
                .contains("time_budget: \"\"")
                .contains("step_budget: 2");
        String both =
                CliRun.both(
                        1,
                        "train",
                        "--data",
                        tmp.resolve("d").toString(),
                        "--run-dir",
                        tmp.resolve("run2").toString(),
                        "--time",
                        "1m",
                        "--steps",
                        "2");
        assertThat(both)
                .contains("give a time budget or a step budget, not both")
                .doesNotContain("\tat ");
    }

    /**
     * {@code npid train} on a small synthetic set in {@code tmp/d}, quietly, on one thread, without
     * per-epoch or final kNN, plus {@code extra}; the run must succeed. Returns what it printed.
     */
    private String trainQuietly(String... extra) throws Exception {
        Path data = org.npid.fixtures.SyntheticIdx.write(tmp.resolve("d"), 8, 2, 16, 3);
        java.util.List<String> args =
                new java.util.ArrayList<>(
                        java.util.List.of(
                                "train",
                                "--data",
                                data.toString(),
                                "--run-dir",
                                tmp.resolve("run").toString(),
                                "--quiet",
                                "--threads",
                                "1",
                                "--set",
                                "knn_every=0",
                                "--set",
                                "knn_recompute_at_end=false"));
        args.addAll(java.util.List.of(extra));
        return CliRun.both(0, args.toArray(new String[0]));
    }

    @Test
    void aGpuRequestThatCannotBeMetIsRefusedBeforeReadingTheData() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                ai.djl.engine.Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        try {
            String out =
                    CliRun.both(
                            1,
                            "train",
                            "--device",
                            "gpu",
                            "--data",
                            tmp.resolve("not-read").toString(),
                            "--run-dir",
                            tmp.resolve("run").toString());
            assertThat(out)
                    .contains("npid: --device gpu: PyTorch")
                    .contains("sees no GPU")
                    .contains("tools/build-jni.sh")
                    .contains("--device cpu")
                    .doesNotContain("does not exist")
                    .doesNotContain("\tat ");
        } finally {
            org.npid.model.Devices.choose(org.npid.model.Devices.Choice.AUTO);
        }
    }

    @Test
    void unknownConfigKeyIsNamed() {
        String out = CliRun.both(1, "train", "--data", "x", "--set", "epoch=3");
        assertThat(out).contains("unknown config key 'epoch'");
    }

    @Test
    void benchQuickWritesValidJson() throws Exception {
        Path json = tmp.resolve("bench.json");
        String out =
                CliRun.both(
                        0,
                        "bench",
                        "--quick",
                        "--out",
                        json.toString(),
                        "--fashion-mnist",
                        tmp.resolve("none").toString());
        assertThat(out).contains("training step").contains("kNN");
        var tree =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(json));
        assertThat(tree.path("steps").size())
                .isEqualTo(org.npid.bench.StepBench.Objective.values().length);
        assertThat(tree.path("steps").get(0).path("imagesPerSecond").path("median").asDouble())
                .isPositive();
        assertThat(tree.path("machine").path("cores").asInt()).isPositive();
    }
}
