package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.TrainConfig;
import org.npid.fixtures.TinyRun;

class ResolutionTest {
    @TempDir Path tmp;

    /** A step costs {@code step32} s at 32 px, inference 0; decoding is free unless given. */
    private static Resolution.Costs costs(double step32, List<Integer> timed) {
        return new Resolution.Costs() {
            @Override
            public TrainingBudget.Timing time(int side) {
                timed.add(side);
                return new TrainingBudget.Timing(step32 * side * side / (32.0 * 32), 0);
            }

            @Override
            public double decodeSeconds(int side) {
                return 0;
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
    }

    @Test
    void smallImagesTrainAtTheirOwnSizeWithoutAProbe() {
        List<Integer> timed = new ArrayList<>();
        Resolution r =
                Resolution.choose(config("time_budget", "10m"), 28, 1000, 0, 0, costs(1, timed));
        assertThat(r.size()).isEqualTo(28);
        assertThat(timed).isEmpty();
    }

    @Test
    void theLargestSideThatStillFitsTheMinimumEpochsIsChosen() {
        // 3,200 images at batch 32: 100 steps an epoch. At 0.05 s a step at 32 px, 540 usable
        // seconds (10 minutes less the reserve) fit 108 epochs at 32 px, 48 at 48 px, 27 at 64,
        // 12 at 96 and 6 at 128: 96 px is the largest with at least 10.
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        List<Integer> timed = new ArrayList<>();
        Resolution r = Resolution.choose(c, 300, 3200, 0, 0, costs(0.05, timed));
        assertThat(r.size()).isEqualTo(96);
        assertThat(timed).containsExactly(32);
        assertThat(r.reason()).contains("training at 96 px").contains("128 px 6");
        assertThat(Resolution.MIN_EPOCHS).isEqualTo(10);
    }

    @Test
    void timeAlreadySpentAndDecodingCountAgainstTheBudget() {
        TrainConfig c = config("time_budget", "10m", "batch_size", "32");
        // With 300 of the 600 seconds gone, 96 px fits only 5 epochs: 64 px (13) is chosen.
        assertThat(Resolution.choose(c, 300, 3200, 0, 300, costs(0.05, new ArrayList<>())).size())
                .isEqualTo(64);
        Resolution.Costs slowDecode =
                new Resolution.Costs() {
                    @Override
                    public TrainingBudget.Timing time(int side) {
                        return new TrainingBudget.Timing(0.05 * side * side / 1024.0, 0);
                    }

                    @Override
                    public double decodeSeconds(int side) {
                        return 400;
                    }
                };
        assertThat(Resolution.choose(c, 300, 3200, 0, 0, slowDecode).size()).isEqualTo(48);
    }

    @Test
    void whenNoSideFitsTheMinimumTheSmallestIsChosenAndSaidSo() {
        TrainConfig c = config("time_budget", "1m", "batch_size", "32");
        Resolution r = Resolution.choose(c, 300, 100_000, 0, 0, costs(0.1, new ArrayList<>()));
        assertThat(r.size()).isEqualTo(32);
        assertThat(r.reason()).contains("fewer than 10 epochs");
    }

    @Test
    void withoutATimeBudgetTheSideStopsAt64() {
        assertThat(Resolution.choose(config(), 500, 1000, 0, 0, costs(1, new ArrayList<>())).size())
                .isEqualTo(64);
        assertThat(Resolution.choose(config(), 50, 1000, 0, 0, costs(1, new ArrayList<>())).size())
                .isEqualTo(48);
    }
}
