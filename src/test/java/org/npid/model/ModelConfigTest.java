package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

    @Test
    void quarterWidthGivesSixteenToOneHundredTwentyEightChannels() {
        ModelConfig c = new ModelConfig(Arch.RESNET18, Stem.CIFAR, 0.25, 128, 1);
        assertThat(
                        new int[] {
                            c.stageChannels(0),
                            c.stageChannels(1),
                            c.stageChannels(2),
                            c.stageChannels(3)
                        })
                .containsExactly(16, 32, 64, 128);
        assertThat(c.stemChannels()).isEqualTo(16);
        assertThat(c.featureDim()).isEqualTo(128);
    }

    @Test
    void everyStageHasAMultipleOf16Channels() {
        ModelConfig eighth = new ModelConfig(Arch.RESNET18, Stem.CIFAR, 0.125, 128, 1);
        assertThat(java.util.stream.IntStream.range(0, 4).map(eighth::stageWidth).toArray())
                .containsExactly(16, 16, 32, 64);
        ModelConfig odd = new ModelConfig(Arch.RESNET18, Stem.CIFAR, 0.375, 128, 1);
        assertThat(java.util.stream.IntStream.range(0, 4).map(odd::stageWidth).toArray())
                .containsExactly(32, 48, 96, 192);
    }

    @Test
    void fullWidthResnet50EndsWith2048Channels() {
        ModelConfig c = new ModelConfig(Arch.RESNET50, Stem.IMAGENET, 1.0, 128, 3);
        assertThat(c.stageWidth(3)).isEqualTo(512);
        assertThat(c.featureDim()).isEqualTo(2048);
    }

    @Test
    void rejectsBadFieldsNamingThem() {
        assertThatThrownBy(() -> new ModelConfig(Arch.RESNET18, Stem.CIFAR, 0, 128, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new ModelConfig(Arch.RESNET18, Stem.CIFAR, Double.NaN, 128, 3))
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new ModelConfig(Arch.RESNET18, Stem.CIFAR, 0.001, 128, 3))
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new ModelConfig(Arch.RESNET18, Stem.CIFAR, 1, 0, 3))
                .hasMessageContaining("embeddingDim");
        assertThatThrownBy(() -> new ModelConfig(Arch.RESNET18, Stem.CIFAR, 1, 128, 2))
                .hasMessageContaining("inChannels");
        assertThatThrownBy(() -> new ModelConfig(null, Stem.CIFAR, 1, 128, 3))
                .hasMessageContaining("arch");
        assertThatThrownBy(() -> new ModelConfig(Arch.RESNET18, null, 1, 128, 3))
                .hasMessageContaining("stem");
    }
}
