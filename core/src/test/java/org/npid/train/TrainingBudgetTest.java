package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.ObjectiveConfig.NeighbourSource;
import org.npid.config.TrainConfig;
import org.npid.data.TestData;
import org.npid.fixtures.SyntheticIdx;
import org.npid.fixtures.TinyRun;

class TrainingBudgetTest {
    @TempDir static Path tmp;
    static Path data;

    @BeforeAll
    static void makeData() throws Exception {
        // 4 classes × 48 = 192 training images: 6 steps of 32.
        data = SyntheticIdx.write(tmp.resolve("synthetic"), 48, 16, 16, 1);
    }

    /** A tiny run's config ({@link TinyRun}) in {@code tmp/dir}, 10 epochs unless a budget says. */
    private static TrainConfig config(String dir, String... keyValues) {
        return TinyRun.config(data, tmp.resolve(dir), 10, keyValues);
    }

    private static TrainListener collecting(List<String> messages) {
        return new TrainListener() {
            @Override
            public void onMessage(String message) {
                messages.add(message);
            }
        };
    }

    private static TrainResult run(TrainConfig config, List<String> messages) {
        return NpidTraining.run(config, false, collecting(messages));
    }

    @Test
    void whenOneEpochDoesNotFitTheRunTrainsTheStepsThatDo() {
        RunData d =
                new RunData(
                        TestData.memory(100),
                        TestData.memory(50),
                        new float[] {0.5f, 0.5f, 0.5f},
                        new float[] {0.25f, 0.25f, 0.25f},
                        8,
                        null);
        TrainConfig c = config("share", "knn_at_start", "true");
        var t = new TrainingBudget.Timing(0.5, 0.01);
        // 4 steps of 0.5 s and the bank kNN: 2.5 s an epoch; the evaluations done once embed the
        // 150 images twice: 3 s. Of 5 s, 4.5 are usable: 1.5 s after those, no whole epoch.
        TrainingBudget.Plan p = TrainingBudget.Plan.of(c, d, 4, t, 5);
        assertThat(p.fits()).isFalse();
        assertThat(p.onceSeconds()).isCloseTo(3.0, within(1e-9));
        assertThat(TrainingBudget.share(5, p, t, 4)).isEqualTo(3);
        assertThat(TrainingBudget.share(1, p, t, 4)).isEqualTo(1);
        assertThat(TrainingBudget.share(1000, p, t, 4)).isEqualTo(4);
    }

    @Test
    void planFitsEpochsAndTheirEvaluationsIntoTheBudgetLessTheReserve() {
        RunData d =
                new RunData(
                        TestData.memory(100),
                        TestData.memory(50),
                        new float[] {0.5f, 0.5f, 0.5f},
                        new float[] {0.25f, 0.25f, 0.25f},
                        8,
                        null);
        TrainConfig c = config("plan", "knn_at_start", "true");
        var t = new TrainingBudget.Timing(0.5, 0.01);
        // An epoch: 4 steps × 0.5 s + the bank kNN's 50 test images × 0.01 s = 2.5 s. Once: the
        // untrained and the final recompute, 150 images each, 3 s. 40 s less 10 %: 36 − 3 = 33 s,
        // so 13 epochs, 35.5 s.
        TrainingBudget.Plan p = TrainingBudget.Plan.of(c, d, 4, t, 40);
        assertThat(p.epochs()).isEqualTo(13);
        assertThat(p.epochSeconds()).isCloseTo(2.5, within(1e-9));
        assertThat(p.totalSeconds()).isCloseTo(35.5, within(1e-9));
        assertThat(p.fits()).isTrue();
        // Feature neighbours embed the 100 training images every epoch as well: 3.5 s an epoch.
        TrainConfig nb = config("plan-nb", "knn_at_start", "true", "neighbours", "5");
        assertThat(TrainingBudget.Plan.of(nb, d, 4, t, 40).epochs()).isEqualTo(9);
        // A budget shorter than an epoch still trains one, and says it does not fit.
        TrainingBudget.Plan short_ = TrainingBudget.Plan.of(c, d, 4, t, 5);
        assertThat(short_.epochs()).isEqualTo(1);
        assertThat(short_.fits()).isFalse();
    }

    @Test
    void replanFitsTheMeasuredFirstEpochIntoWhatIsLeft() {
        TrainConfig c = config("replan", "time_budget", "100s", "epochs", "3");
        List<String> messages = new ArrayList<>();
        // 100 s less 10 %, less 20 s gone and 5 s for the final recompute: 65 s, six more 10 s
        // epochs after the first.
        assertThat(TrainingBudget.replan(c, 1, 20, 10, 10, 5, collecting(messages))).isEqualTo(7);
        assertThat(messages)
                .containsExactly(
                        "time budget 1m40s: the first epoch took 10s with its evaluation, so 7"
                                + " epochs in all (planned: 3), ending in about 1m25s");
        // Nothing left after the first epoch: the run ends there.
        assertThat(TrainingBudget.replan(c, 1, 95, 10, 10, 5, TrainListener.NONE)).isEqualTo(1);
        // Later epochs change a plan that would end outside the last 10 % of the budget: 3 of 7
        // done at 60 s, 12 s each: 60 + 4 × 12 + 5 = 113 s > 100 s, so 3 + floor(35 / 12) = 5; at
        // 8 s each, 97 s is inside; at 1 s each, 69 s would waste a third, so 3 + floor((95 − 60
        // − 5) / 1) = 33.
        TrainConfig seven = config("replan7", "time_budget", "100s", "epochs", "7");
        assertThat(TrainingBudget.replan(seven, 3, 60, 12, 12, 5, TrainListener.NONE)).isEqualTo(5);
        assertThat(TrainingBudget.replan(seven, 3, 60, 8, 8, 5, TrainListener.NONE)).isEqualTo(7);
        assertThat(TrainingBudget.replan(seven, 3, 60, 1, 1, 5, TrainListener.NONE)).isEqualTo(33);
        // A faster latest epoch changes nothing: the average still decides.
        assertThat(TrainingBudget.replan(seven, 3, 60, 8, 4, 5, TrainListener.NONE)).isEqualTo(7);
    }

    @Test
    void replanAssumesTheRestRunsAtTheLatestEpochsPaceWhenTheMachineSlowedDown() {
        TrainConfig seven = config("slower", "time_budget", "100s", "epochs", "7");
        List<String> messages = new ArrayList<>();
        // 3 of 7 done at 60 s, 8 s each on average (60 + 4 × 8 + 5 = 97 s would fit), but the
        // last took 12 s: at that pace, and the 5 s recompute 1.5 times slower, 60 + 4 × 12 + 7.5
        // = 115.5 s > 100 s, so 3 + floor((100 − 60 − 7.5) / 12) = 5 epochs.
        assertThat(TrainingBudget.replan(seven, 3, 60, 8, 12, 5, collecting(messages)))
                .isEqualTo(5);
        assertThat(messages)
                .containsExactly(
                        "time budget 1m40s: 3 epochs took 8s each (the last 12s) with their"
                                + " evaluation, so 5 epochs in all (planned: 7), ending in about"
                                + " 1m32s");
    }

    /**
     * The re-plan over a whole run on a fake clock: a slow first epoch (warm-up), then a step time
     * that changes mid-run, faster or slower. Every run ends inside the last 10 % of its budget,
     * never over it.
     */
    @Test
    void aRunEndsWithinTheLastTenthOfItsBudgetWhenTheStepTimeChanges() {
        double[][] paces = {
            {40, 25, 25, 25, 25, 25, 25, 25, 35}, // slower from the ninth epoch
            {60, 30, 30, 30, 20}, // faster from the fifth: the run that ended at 6m41s of 10m
            {30, 30, 30, 30, 30, 30, 30, 30, 45, 45, 45, 20}, // slower, then faster
            {12, 6} // many short epochs
        };
        for (double[] pace : paces) {
            double budget = 600;
            double recompute = 8;
            TrainConfig c =
                    config("clock", "time_budget", "600s", "epochs", "10", "knn_at_start", "true");
            double clock = 15 + recompute; // the budget's probe and the untrained evaluation
            int epochs = 10;
            double first = Double.NaN;
            double later = 0;
            int done = 0;
            while (done < epochs) {
                double took = pace[Math.min(done, pace.length - 1)];
                clock += took;
                done++;
                if (done == 1) {
                    first = took;
                } else {
                    later += took;
                }
                if (done < epochs) {
                    TrainConfig now = c.withEpochs(epochs);
                    epochs =
                            TrainingBudget.replan(
                                    now,
                                    done,
                                    clock,
                                    done == 1 ? first : later / (done - 1),
                                    took,
                                    recompute,
                                    TrainListener.NONE);
                }
            }
            double end =
                    clock + recompute * Math.max(1, pace[pace.length - 1] / pace[1 % pace.length]);
            assertThat(end)
                    .as("run of %d epochs with paces %s", epochs, java.util.Arrays.toString(pace))
                    .isBetween(0.9 * budget, budget);
        }
    }

    @Test
    void formatWritesHoursMinutesAndSeconds() {
        assertThat(TrainingBudget.format(42)).isEqualTo("42s");
        assertThat(TrainingBudget.format(600)).isEqualTo("10m");
        assertThat(TrainingBudget.format(3675)).isEqualTo("1h1m15s");
        assertThat(TrainingBudget.format(0)).isEqualTo("0s");
    }

    @Test
    void aStepBudgetChoosesTheNearestWholeNumberOfEpochs() throws Exception {
        List<String> messages = new ArrayList<>();
        TrainResult r = run(config("steps", "step_budget", "14", "knn_every", "0"), messages);
        // 14 steps of 6 an epoch: 2 epochs (12 steps), recorded in the run's config.
        assertThat(r.history()).hasSize(2);
        assertThat(messages)
                .contains("step budget 14: 2 epochs of 6 steps (192 images, batch 32), 12 steps");
        assertThat(Files.readString(r.runDir().resolve("config.yaml"))).contains("epochs: 2");
    }

    @Test
    void aTimeBudgetTimesTheStepThenTrainsTheEpochsItPrinted() throws Exception {
        List<String> messages = new ArrayList<>();
        TrainResult r = run(config("time", "time_budget", "10s", "knn_every", "0"), messages);
        Pattern plan =
                Pattern.compile(
                        "time budget 10s: a step takes .* (\\d+) epochs? \\((\\d+) steps\\)");
        Matcher m =
                messages.stream()
                        .map(plan::matcher)
                        .filter(Matcher::find)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no plan in " + messages));
        int planned = Integer.parseInt(m.group(1));
        assertThat(planned).isPositive();
        assertThat(Integer.parseInt(m.group(2))).isEqualTo(6 * planned);
        // After each epoch the run may re-plan from its measured length; it then says so.
        Pattern replan = Pattern.compile("so (\\d+) epochs in all \\(planned: (\\d+)\\)");
        int epochs = planned;
        List<Integer> replaced = new ArrayList<>();
        for (String message : messages) {
            Matcher again = replan.matcher(message);
            if (again.find()) {
                assertThat(Integer.parseInt(again.group(2))).isEqualTo(epochs);
                replaced.add(epochs);
                epochs = Integer.parseInt(again.group(1));
            }
        }
        assertThat(r.history()).hasSize(epochs);
        // config.yaml is the plan that finished; each one a re-plan replaced stays readable.
        assertThat(
                        TrainConfig.fromYaml(Files.readString(r.runDir().resolve("config.yaml")))
                                .epochs())
                .isEqualTo(epochs);
        try (var files = Files.list(r.runDir())) {
            List<Integer> kept =
                    files.filter(f -> f.getFileName().toString().startsWith("config.until-epoch-"))
                            .sorted()
                            .map(f -> readEpochs(f))
                            .toList();
            assertThat(kept).containsExactlyInAnyOrderElementsOf(replaced);
        }
    }

    private static int readEpochs(Path file) {
        try {
            return TrainConfig.fromYaml(Files.readString(file)).epochs();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void autoNeighboursOrTwoViewsFollowTheMutualCheckAndTheRunReportsRawPixels() {
        List<String> messages = new ArrayList<>();
        TrainResult r =
                run(
                        config(
                                "auto",
                                "epochs",
                                "1",
                                "neighbours",
                                "5",
                                "neighbours_from_epoch",
                                "1",
                                "neighbour_source",
                                "auto",
                                "objective.views",
                                "2",
                                "knn_at_start",
                                "true",
                                "knn_every",
                                "0"),
                        messages);
        Pattern check =
                Pattern.compile(
                        "neighbour_source auto: ([0-9.]+) % of the pixel neighbours are mutual");
        double share =
                messages.stream()
                        .map(check::matcher)
                        .filter(Matcher::find)
                        .mapToDouble(m -> Double.parseDouble(m.group(1)))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no check in " + messages));
        boolean used =
                messages.stream().anyMatch(m -> m.startsWith("neighbours of the image's own"));
        assertThat(used).isEqualTo(share >= 100 * NeighbourSource.MUTUAL_SHARE);
        // Two views are what the run trains when the check declines the neighbours, and only then.
        assertThat(messages.stream().anyMatch(m -> m.contains("training with two views per image")))
                .isEqualTo(!used);
        assertThat(
                        messages.stream()
                                .anyMatch(
                                        m ->
                                                m.startsWith("beyond the paper:")
                                                        && m.contains("two views per image")))
                .isEqualTo(!used);
        assertThat(r.rawPixelsTop1()).isBetween(0.25, 1.0);
        assertThat(messages).anyMatch(m -> m.startsWith("raw pixels (16 px): weighted kNN top-1 "));
    }
}
