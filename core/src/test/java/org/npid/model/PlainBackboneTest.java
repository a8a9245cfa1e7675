package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * AlexNet and VGG16_bn against torchvision 0.14.1 (torch 1.13.1). The constants were computed once
 * with Debian's python3-torchvision:
 *
 * <pre>
 * sum(p.numel() for p in torchvision.models.alexnet().features.parameters())
 * m = torchvision.models.alexnet(); m.features[0] = nn.Conv2d(3, 64, 3, 1, 1)  # CIFAR stem
 * sum(p.numel() for p in torchvision.models.vgg16_bn().features.parameters())
 * </pre>
 *
 * and the stage shapes by running {@code features} layer by layer on zeros of {@code [2, 3, side,
 * side]} and printing the output after AlexNet's layers 2, 5, 7, 9, 12 (conv1..conv5 after ReLU and
 * pool) and VGG's max-pools 6, 13, 23, 33, 43.
 */
class PlainBackboneTest {

    /** torchvision alexnet().features: five biased convolutions, no BN. */
    private static final long TORCHVISION_ALEXNET_FEATURES = 2_469_696L;

    /** The same with a 3x3 stride-1 first convolution (64·3·9 + 64 instead of 64·3·121 + 64). */
    private static final long CIFAR_ALEXNET_FEATURES = 2_448_192L;

    /** torchvision vgg16_bn().features: 13 biased convolutions and 13 BNs (gamma, beta). */
    private static final long TORCHVISION_VGG16_BN_FEATURES = 14_723_136L;

    @Test
    void fullWidthParameterCountsAreTorchvisions() {
        assertThat(count(new NetworkShape(Arch.ALEXNET, Stem.IMAGENET, 1, 128, 3), 64))
                .isEqualTo(TORCHVISION_ALEXNET_FEATURES);
        assertThat(count(new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 1, 128, 3), 32))
                .isEqualTo(CIFAR_ALEXNET_FEATURES);
        // VGG has no stem to adapt: both stems are torchvision's features.
        assertThat(count(new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 1, 128, 3), 32))
                .isEqualTo(TORCHVISION_VGG16_BN_FEATURES);
        assertThat(count(new NetworkShape(Arch.VGG16_BN, Stem.IMAGENET, 1, 128, 3), 32))
                .isEqualTo(TORCHVISION_VGG16_BN_FEATURES);
    }

    static Stream<Arguments> stageShapes() {
        return Stream.of(
                Arguments.of(
                        "torchvision AlexNet at 224 px",
                        new NetworkShape(Arch.ALEXNET, Stem.IMAGENET, 1, 128, 3),
                        224,
                        new long[] {64, 192, 384, 256, 256},
                        new long[] {27, 13, 13, 13, 6}),
                Arguments.of(
                        "the CIFAR AlexNet at 32 px",
                        new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 1, 128, 3),
                        32,
                        new long[] {64, 192, 384, 256, 256},
                        new long[] {15, 7, 7, 7, 3}),
                Arguments.of(
                        "the CIFAR AlexNet at 28 px, quarter width",
                        new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 0.25, 128, 1),
                        28,
                        new long[] {16, 48, 96, 64, 64},
                        new long[] {13, 6, 6, 6, 2}),
                Arguments.of(
                        "VGG16_bn at 32 px ends at 1x1",
                        new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 1, 128, 3),
                        32,
                        new long[] {64, 128, 256, 512, 512},
                        new long[] {16, 8, 4, 2, 1}),
                Arguments.of(
                        "VGG16_bn at 224 px, quarter width",
                        new NetworkShape(Arch.VGG16_BN, Stem.IMAGENET, 0.25, 128, 3),
                        224,
                        new long[] {16, 32, 64, 128, 128},
                        new long[] {112, 56, 28, 14, 7}));
    }

    /** Each stage's output for a batch of two, as channels and side. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stageShapes")
    void stagesHaveTorchvisionsShapes(
            String name, NetworkShape c, int side, long[] channels, long[] sides) {
        Shape[] expected = new Shape[channels.length];
        for (int i = 0; i < channels.length; i++) {
            expected[i] = new Shape(2, channels[i], sides[i], sides[i]);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = Backbone.create(c);
            NDArray x = Nets.images(m, 2, c.inChannels(), side);
            b.initialize(m, DataType.FLOAT32, x.getShape());
            ParameterStore ps = new ParameterStore(m, false);
            assertThat(b.forwardStages(ps, x, false).getShapes()).containsExactly(expected);
            NDArray pooled = b.forward(ps, new NDList(x), false).singletonOrThrow();
            assertThat(pooled.getShape()).isEqualTo(new Shape(2, channels[4]));
            assertThat(b.featureDim()).isEqualTo(c.featureDim()).isEqualTo((int) channels[4]);
            assertThat(b.getOutputShapes(new Shape[] {x.getShape()}))
                    .containsExactly(pooled.getShape());
        }
    }

    @Test
    void stagesAreNamedForTheProbes() {
        assertThat(Backbone.create(new NetworkShape(Arch.ALEXNET, Stem.CIFAR, 0.25, 8, 1)))
                .isInstanceOf(AlexNetBackbone.class)
                .extracting(Backbone::stageNames)
                .asList()
                .containsExactly("conv1", "conv2", "conv3", "conv4", "conv5");
        assertThat(Backbone.create(new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 0.25, 8, 1)))
                .isInstanceOf(VggBackbone.class)
                .extracting(Backbone::stageNames)
                .asList()
                .containsExactly("block1", "block2", "block3", "block4", "block5");
    }

    @Test
    void everyLayerIsAMultipleOfSixteenChannels() {
        for (double width : new double[] {0.125, 0.25, 0.375, 0.5, 1}) {
            for (Arch arch : new Arch[] {Arch.ALEXNET, Arch.VGG16_BN}) {
                NetworkShape c = new NetworkShape(arch, Stem.CIFAR, width, 8, 3);
                try (NDManager m = NDManager.newBaseManager()) {
                    Backbone b = Backbone.create(c);
                    b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
                    for (var p : b.getParameters()) {
                        if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                            assertThat(p.getValue().getArray().getShape().get(0) % 16)
                                    .as("%s at width %s: %s", arch, width, p.getKey())
                                    .isZero();
                        }
                    }
                }
            }
        }
    }

    @Test
    void biasesStartAtZeroAndAreNamedByLayer() {
        NetworkShape c = new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 0.25, 8, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = Backbone.create(c);
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            var params = b.getParameters();
            assertThat(params.keys())
                    .contains("01conv1_weight", "01conv1_bias", "02bn1_gamma", "26bn13_runningVar");
            assertThat(params.get("01conv1_bias").getArray().abs().max().getFloat()).isZero();
            assertThat(params.get("01conv1_weight").getArray().abs().max().getFloat()).isPositive();
        }
    }

    @Test
    void refusesImagesTooSmallForItsPoolsNamingTheMinimum() {
        assertThatThrownBy(
                        () -> count(new NetworkShape(Arch.ALEXNET, Stem.IMAGENET, 0.25, 8, 3), 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.arch alexnet")
                .hasMessageContaining("at least 63 px");
        assertThatThrownBy(() -> count(new NetworkShape(Arch.VGG16_BN, Stem.CIFAR, 0.25, 8, 1), 28))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 px");
        // torchvision: AlexNet's features take 63 px to 1x1 and fail on 62 px.
        assertThat(count(new NetworkShape(Arch.ALEXNET, Stem.IMAGENET, 0.25, 8, 3), 63))
                .isPositive();
    }

    private static long count(NetworkShape c, int side) {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = Backbone.create(c);
            b.initialize(m, DataType.FLOAT32, new Shape(1, c.inChannels(), side, side));
            return Nets.trainableParameters(b);
        }
    }
}
