package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.npid.config.OptimiserConfig.Schedule;

class LrScheduleTest {

    @Test
    void stepScheduleDropsAtEpochs120And160LikeTheOfficialScript() {
        LrSchedule s = new LrSchedule(Schedule.STEP, 0.03, 200, 0);
        assertThat(s.at(0, 0, 10)).isEqualTo(0.03);
        assertThat(s.at(119, 9, 10)).isCloseTo(0.03, within(1e-12));
        assertThat(s.at(120, 0, 10)).isCloseTo(0.003, within(1e-12));
        assertThat(s.at(159, 0, 10)).isCloseTo(0.003, within(1e-12));
        assertThat(s.at(160, 0, 10)).isCloseTo(0.0003, within(1e-12));
    }

    @Test
    void cosineIsHalfAtMidpointAndWarmupRampsLinearly() {
        LrSchedule s = new LrSchedule(Schedule.COSINE, 0.1, 10, 1);
        assertThat(s.at(5, 0, 4)).isCloseTo(0.05, within(1e-12));
        // Warm-up: step 0 of 4 in epoch 0 runs at 1/4 of the cosine value.
        assertThat(s.at(0, 0, 4)).isCloseTo(0.1 * 0.25, within(1e-4));
        assertThat(s.at(0, 1, 4))
                .isCloseTo(0.1 * 0.5 * 0.5 * (1 + Math.cos(Math.PI * 0.025)), within(1e-9));
    }

    @Test
    void rejectsNonPositiveRate() {
        assertThatThrownBy(() -> new LrSchedule(Schedule.STEP, 0, 1, 0)).hasMessageContaining("lr");
    }
}
