package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NetworkShapeTest {

    @Test
    void quarterWidthGivesSixteenToOneHundredTwentyEightChannels() {
        NetworkShape c = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.25, 128, 1);
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
        NetworkShape eighth = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.125, 128, 1);
        assertThat(java.util.stream.IntStream.range(0, 4).map(eighth::stageWidth).toArray())
                .containsExactly(16, 16, 32, 64);
        NetworkShape odd = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.375, 128, 1);
        assertThat(java.util.stream.IntStream.range(0, 4).map(odd::stageWidth).toArray())
                .containsExactly(32, 48, 96, 192);
    }

    @Test
    void fullWidthResnet50EndsWith2048Channels() {
        NetworkShape c = new NetworkShape(Arch.RESNET50, Stem.IMAGENET, 1.0, 128, 3);
        assertThat(c.stageWidth(3)).isEqualTo(512);
        assertThat(c.featureDim()).isEqualTo(2048);
    }

    @Test
    void rejectsBadFieldsNamingThem() {
        assertThatThrownBy(() -> new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0, 128, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new NetworkShape(Arch.RESNET18, Stem.CIFAR, Double.NaN, 128, 3))
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.001, 128, 3))
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new NetworkShape(Arch.RESNET18, Stem.CIFAR, 1, 0, 3))
                .hasMessageContaining("embeddingDim");
        assertThatThrownBy(() -> new NetworkShape(Arch.RESNET18, Stem.CIFAR, 1, 128, 2))
                .hasMessageContaining("inChannels");
        assertThatThrownBy(() -> new NetworkShape(null, Stem.CIFAR, 1, 128, 3))
                .hasMessageContaining("arch");
        assertThatThrownBy(() -> new NetworkShape(Arch.RESNET18, null, 1, 128, 3))
                .hasMessageContaining("stem");
    }

    @Test
    void alexNetAndVggFeaturesAreTheirLastConvolutionScaled() {
        assertThat(new NetworkShape(Arch.ALEXNET, Stem.IMAGENET, 1, 128, 3).featureDim())
                .isEqualTo(256);
        assertThat(new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 0.25, 128, 3).featureDim())
                .isEqualTo(64);
        assertThat(new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 1, 128, 3).featureDim())
                .isEqualTo(512);
        assertThat(new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 0.25, 128, 3).featureDim())
                .isEqualTo(128);
    }

    @Test
    void channelsRoundEveryLayerToAMultipleOfSixteen() {
        NetworkShape quarter = new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 0.25, 128, 3);
        // AlexNet's 64-192-384-256-256 at a quarter: 16-48-96-64-64.
        assertThat(new int[] {quarter.channels(64), quarter.channels(192), quarter.channels(384)})
                .containsExactly(16, 48, 96);
        NetworkShape eighth = new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 0.125, 128, 3);
        // 192 / 8 = 24 rounds to 32 (half away from zero); 64 / 8 = 8 rounds up to the minimum 16.
        assertThat(new int[] {eighth.channels(64), eighth.channels(192), eighth.channels(384)})
                .containsExactly(16, 32, 48);
    }
}
