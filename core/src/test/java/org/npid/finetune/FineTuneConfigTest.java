package org.npid.finetune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FineTuneConfigTest {

    @Test
    void defaultsAreThePapersSmallestFractionAndTheOfficialSgd() {
        FineTuneConfig d = FineTuneConfig.defaults();
        assertThat(d.labelFraction()).isEqualTo(0.01);
        assertThat(d.steps()).isEqualTo(500);
        assertThat(d.batchSize()).isEqualTo(128);
        assertThat(d.lr()).isEqualTo(0.03);
        assertThat(d.momentum()).isEqualTo(0.9);
        assertThat(d.weightDecay()).isEqualTo(5e-4);
        assertThat(d.scratch()).isFalse();
        assertThat(d.testImages()).isZero();
    }

    @Test
    void withersChangeOneSettingOnly() {
        FineTuneConfig d = FineTuneConfig.defaults();
        FineTuneConfig c = d.withLabelFraction(0.2).withScratch(true);
        assertThat(c.labelFraction()).isEqualTo(0.2);
        assertThat(c.scratch()).isTrue();
        assertThat(c.withLabelFraction(0.01).withScratch(false)).isEqualTo(d);
    }

    @Test
    void messagesNameTheSetting() {
        FineTuneConfig d = FineTuneConfig.defaults();
        assertThatThrownBy(() -> d.withLabelFraction(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "finetune.label_fraction: must be in (0, 1] (e.g. 0.01 for 1 % of the"
                                + " labels), got 0.0");
        assertThatThrownBy(() -> d.withLabelFraction(1.01))
                .hasMessageStartingWith("finetune.label_fraction:");
        assertThatThrownBy(
                        () -> new FineTuneConfig(0.1, 0, 128, 0.03, 0.9, 5e-4, 1, 0, 2, false, 0))
                .hasMessage("finetune.steps: must be positive, got 0");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 0, 0.03, 0.9, 5e-4, 1, 0, 2, false, 0))
                .hasMessage("finetune.batch_size: must be positive, got 0");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 8, 0, 0.9, 5e-4, 1, 0, 2, false, 0))
                .hasMessage("finetune.lr: must be positive, got 0.0");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 8, 0.03, 1, 5e-4, 1, 0, 2, false, 0))
                .hasMessageStartingWith("finetune.momentum:");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 8, 0.03, 0.9, -1, 1, 0, 2, false, 0))
                .hasMessageStartingWith("finetune.weight_decay:");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 8, 0.03, 0.9, 0, 1, -1, 2, false, 0))
                .hasMessageStartingWith("finetune.threads:");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 8, 0.03, 0.9, 0, 1, 0, -1, false, 0))
                .hasMessageStartingWith("finetune.workers:");
        assertThatThrownBy(() -> new FineTuneConfig(0.1, 10, 8, 0.03, 0.9, 0, 1, 0, 2, false, -5))
                .hasMessageStartingWith("finetune.test_images:");
    }
}
