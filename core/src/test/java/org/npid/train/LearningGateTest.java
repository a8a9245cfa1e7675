package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.TrainConfig;
import org.npid.fixtures.SyntheticIdx;

/**
 * The tests that fail when training stops learning. Each gate trains the same eighth-width network
 * from scratch on two or three seeds of textures whose period, size, brightness and contrast vary
 * per image ({@link SyntheticIdx#writeVaried}), where the untrained network's weighted kNN (epoch 0
 * of the same run) is far from perfect, and requires the median gain over it to clear a margin. 208
 * test images, so one image is 0.48 points. At a learning rate of 1e-9 every gate fails (the
 * figures are in docs/log/EXPERIMENTS.md). NCE has no gate: on 256 images it lowers the kNN
 * (0.65–0.76 → 0.31–0.45 in 30–45 epochs, one-shot or moving-average Z), which the lab notes record
 * as open.
 */
class LearningGateTest {
    @TempDir static Path tmp;

    /** The seeds in order; the last is a spare, used only when a run diverges (see assertGain). */
    private static final long[] SEEDS = {1, 2, 3, 4};

    private static final int TRAIN_PER_CLASS = 64;
    private static final int TEST_PER_CLASS = 52;

    /**
     * The paper's loss: exact non-parametric softmax over the memory bank. 45 epochs reach
     * 93.8–99.5 % from 65.4–76.0 % untrained (seeds 1–3, Zen 3); 25 epochs at a higher rate were
     * not enough for every seed.
     */
    @Test
    void theExactSoftmaxLearns() throws Exception {
        assertGain("softmax", Map.of("objective", "softmax", "epochs", "45"), 0.15, 3);
    }

    /**
     * The {@code auto} recipe's choices beyond the paper, two views and pixel neighbours, on two
     * seeds each to keep the suite short: 20 epochs gave 0.94–1.00 and 0.87–0.99 from 0.65–0.76
     * (Zen 3); 8 epochs were not enough for every seed.
     */
    @Test
    void twoViewsAndPixelNeighboursLearn() throws Exception {
        assertGain("views", Map.of("objective", "softmax", "views", "2", "epochs", "20"), 0.15, 2);
        assertGain(
                "pixel-neighbours",
                Map.of(
                        "objective", "softmax",
                        "neighbours", "5",
                        "neighbour_source", "pixels",
                        "neighbours_from_epoch", "1",
                        "epochs", "20"),
                0.15,
                2);
    }

    /**
     * Trains {@code settings} on the data of the first {@code seeds} seeds and asserts that the
     * median of (final kNN top-1 − the untrained network's) is at least {@code margin}.
     */
    private static void assertGain(
            String name, Map<String, String> settings, double margin, int seeds) throws Exception {
        double[] gains = new double[seeds];
        StringBuilder seen = new StringBuilder();
        // A run that diverges (TrainingException: the loss NaN with huge weights) is reported and
        // replaced by the next seed, once: this gate is about learning, and that rare fault, seen
        // at different steps of the same seed on idle machines, is open (docs/log/EXPERIMENTS.md).
        // Two
        // diverged runs fail the gate.
        int diverged = 0;
        int done = 0;
        for (int i = 0; done < seeds; i++) {
            assertThat(i)
                    .as("%s: %d runs diverged (%s)", name, diverged, seen)
                    .isLessThan(SEEDS.length);
            long seed = SEEDS[i];
            Path data =
                    SyntheticIdx.writeVaried(
                            tmp.resolve("varied-" + seed),
                            TRAIN_PER_CLASS,
                            TEST_PER_CLASS,
                            16,
                            seed);
            Map<String, String> o = new HashMap<>();
            o.put("data", data.toString());
            o.put("run_dir", tmp.resolve(name + "-" + seed).toString());
            o.put("width", "0.125");
            o.put("embedding_dim", "32");
            o.put("batch_size", "32");
            o.put("lr", "0.05");
            o.put("schedule", "cosine");
            o.put("temperature", "0.1");
            o.put("knn_k", "20");
            o.put("workers", "1");
            o.put("seed", Long.toString(seed));
            o.put("knn_at_start", "true");
            o.put("evaluation.every", "0");
            o.putAll(settings);
            TrainResult r;
            try {
                r =
                        NpidTraining.run(
                                TrainConfig.resolve((java.io.InputStream) null, o),
                                false,
                                TrainListener.NONE);
            } catch (TrainingException e) {
                diverged++;
                assertThat(diverged)
                        .as("%s: a second run diverged: %s (%s)", name, e.getMessage(), seen)
                        .isLessThan(2);
                seen.append(String.format(" seed %d: diverged (%s);", seed, e.getMessage()));
                continue;
            }
            assertThat(r.history().get(0).epoch()).isZero();
            double untrained = r.history().get(0).recomputedTop1();
            double trained = r.last().recomputedTop1();
            gains[done++] = trained - untrained;
            seen.append(String.format(" seed %d: %.4f -> %.4f;", seed, untrained, trained));
        }
        double[] sorted = gains.clone();
        Arrays.sort(sorted);
        System.out.printf("learning gate %s:%s%n", name, seen);
        double median =
                sorted.length % 2 == 1
                        ? sorted[sorted.length / 2]
                        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        assertThat(median)
                .as("%s: median gain over the untrained network (%s)", name, seen)
                .isGreaterThanOrEqualTo(margin);
    }
}
