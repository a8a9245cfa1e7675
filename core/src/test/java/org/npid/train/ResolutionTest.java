package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.TrainConfig;
import org.npid.fixtures.TinyRun;
import org.npid.model.Stem;

class ResolutionTest {
    @TempDir Path tmp;

    /**
     * A step costs {@code step32} s at 32 px with the CIFAR stem and grows with the square of the
     * side; the ImageNet stem, a quarter of the side before the first block, costs a sixteenth.
     * Inference and decoding are free unless a test says otherwise.
     */
    private static Resolution.Costs costs(double step32, double decode, List<String> timed) {
        return costs(step32, decode, timed, Integer.MAX_VALUE);
    }

    /** As above, with images larger than {@code maxInMemory} px too large to keep in memory. */
    private static Resolution.Costs costs(
            double step32, double decode, List<String> timed, int maxInMemory) {
        return new Resolution.Costs() {
            @Override
            public TrainingBudget.Timing time(int side, Stem stem) {
                timed.add(side + " " + stem);
                double cost = step32 * side * side / (32.0 * 32) / (stem == Stem.IMAGENET ? 16 : 1);
                return new TrainingBudget.Timing(cost, 0);
            }

            @Override
            public double decodeSeconds(int side) {
                return decode;
            }

            @Override
            public boolean fitsInMemory(int side) {
                return side <= maxInMemory;
            }
        };
    }

    private TrainConfig config(String... keyValues) {
        return TinyRun.config(tmp.resolve("data"), tmp.resolve("run"), 10, keyValues);
    }

    @Test
    void candidatesAreTheLadderSidesNoLargerThanTheImages() {
        assertThat(Resolution.candidates(28)).containsExactly(28);
        assertThat(Resolution.candidates(32)).containsExactly(32);
        assertThat(Resolution.candidates(64)).containsExactly(32, 48, 64);
        assertThat(Resolution.candidates(250)).containsExactly(32, 48, 64, 96, 128, 160, 224);
        assertThat(Resolution.stemFor(64)).isEqualTo(Stem.CIFAR);
        assertThat(Resolution.stemFor(96)).isEqualTo(Stem.IMAGENET);
    }

    @Test
    void theTypicalSizeAndAspectAreMediansOfTheImages() {
        var wide = Resolution.noise(5, 10, 18, 3);
        assertThat(wide.image(0).width()).isEqualTo(18);
        assertThat(wide.image(0).height()).isEqualTo(10);
        assertThat(Resolution.medianShortSide(wide, 1)).isEqualTo(10);
        assertThat(Resolution.medianAspect(wide, 1)).isEqualTo(1.8);
        assertThat(Resolution.medianAspect(Resolution.noise(3, 7, 7, 1), 1)).isEqualTo(1.0);
    }

    @Test
    void smallImagesTrainAtTheirOwnSizeWithoutAProbe() {
        List<String> timed = new ArrayList<>();
        Resolution r =
                Resolution.choose(config("time_budget", "10m"), 28, 1000, 0, 0, costs(1, 0, timed));
        assertThat(r.size()).isEqualTo(28);
        assertThat(r.stem()).isEqualTo(Stem.CIFAR);
        assertThat(timed).isEmpty();
    }

    @Test
    void theLargestSideThatStillFitsTheMinimumEpochsIsChosen() {
        // 3,200 images at batch 32: 100 steps an epoch. With 0.05 s a step at 32 px, 540 usable
        // seconds (10 minutes less the reserve) fit 108 epochs at 32 px, 48 at 48 px and 27 at 64
        // with the CIFAR stem; 20 s an epoch at 64 px is 1.25 s with the ImageNet stem, so 96 px
        // (2.8 s) fits 192.
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        List<String> timed = new ArrayList<>();
        Resolution r = Resolution.choose(c, 100, 3200, 0, 0, costs(0.05, 0, timed));
        assertThat(r.size()).isEqualTo(96);
        assertThat(r.stem()).isEqualTo(Stem.IMAGENET);
        assertThat(timed).containsExactly("32 CIFAR", "96 IMAGENET");
        assertThat(r.reason())
                .contains("training at 96 px with the imagenet stem")
                .contains("64 px 27");
        // At 64 px images, only the CIFAR stem's sides: 64 px fits 27 ≥ 10 epochs.
        List<String> small = new ArrayList<>();
        Resolution r64 = Resolution.choose(c, 64, 3200, 0, 0, costs(0.05, 0, small));
        assertThat(r64.size()).isEqualTo(64);
        assertThat(r64.stem()).isEqualTo(Stem.CIFAR);
        assertThat(small).containsExactly("32 CIFAR");
        assertThat(Resolution.MIN_EPOCHS).isEqualTo(10);
    }

    @Test
    void largePhotosTrainAtTheLargestSideTheBudgetCarries() {
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        // 224 px with the ImageNet stem: 5 s × 49 / 16 = 15.3 s an epoch, 35 epochs.
        assertThat(Resolution.choose(c, 300, 3200, 0, 0, costs(0.05, 0, new ArrayList<>())).size())
                .isEqualTo(224);
        // Ten times the images: 224 px fits 3 epochs, 160 px 6, 128 px 10.
        assertThat(
                        Resolution.choose(c, 300, 32_000, 0, 0, costs(0.05, 0, new ArrayList<>()))
                                .size())
                .isEqualTo(128);
    }

    @Test
    void sidesWhoseImagesDoNotFitInMemoryAreSkipped() {
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        Resolution r =
                Resolution.choose(c, 300, 3200, 0, 0, costs(0.05, 0, new ArrayList<>(), 128));
        assertThat(r.size()).isEqualTo(128);
        assertThat(r.reason()).contains("160 px too large for memory");
    }

    @Test
    void timeAlreadySpentAndDecodingCountAgainstTheBudget() {
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        // 64-px images; with 300 of the 600 seconds gone, 64 px fits 13 epochs (1,300 steps,
        // too few) and 48 px 24 (2,400); with 500 gone, 48 px fits 8: 32 px.
        assertThat(Resolution.choose(c, 64, 3200, 0, 300, costs(0.05, 0, new ArrayList<>())).size())
                .isEqualTo(48);
        assertThat(Resolution.choose(c, 64, 3200, 0, 500, costs(0.05, 0, new ArrayList<>())).size())
                .isEqualTo(32);
        // Decoding that takes 500 of the 600 seconds does the same.
        assertThat(Resolution.choose(c, 64, 3200, 0, 0, costs(0.05, 500, new ArrayList<>())).size())
                .isEqualTo(32);
    }

    @Test
    void aSmallSetNeedsTheMinimumStepsNotOnlyEpochs() {
        // 1,600 images: 50 steps an epoch. At 0.2 s a step at 32 px, 540 s fit 54 epochs (2,700
        // steps) at 32 px, 24 (1,200) at 48 and 13 (650) at 64: enough epochs, too few steps.
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        Resolution r = Resolution.choose(c, 64, 1600, 0, 0, costs(0.2, 0, new ArrayList<>()));
        assertThat(r.size()).isEqualTo(32);
        assertThat(r.reason()).contains("48 px 24 (1200 steps)").contains("2000 steps");
        assertThat(Resolution.MIN_STEPS).isEqualTo(2000);
    }

    @Test
    void whenNoSideFitsTheMinimumTheSmallestIsChosenAndSaidSo() {
        TrainConfig c = config("time_budget", "1m", "batch_size", "32");
        Resolution r = Resolution.choose(c, 64, 100_000, 0, 0, costs(0.1, 0, new ArrayList<>()));
        assertThat(r.size()).isEqualTo(32);
        assertThat(r.reason()).contains("fewer than 10 epochs");
    }

    @Test
    void withoutATimeBudgetTheSideStopsAt64() {
        Resolution r = Resolution.choose(config(), 500, 1000, 0, 0, costs(1, 0, new ArrayList<>()));
        assertThat(r.size()).isEqualTo(64);
        assertThat(r.stem()).isEqualTo(Stem.CIFAR);
        assertThat(
                        Resolution.choose(config(), 50, 1000, 0, 0, costs(1, 0, new ArrayList<>()))
                                .size())
                .isEqualTo(48);
    }
}
