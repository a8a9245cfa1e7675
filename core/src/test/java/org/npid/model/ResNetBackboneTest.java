package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResNetBackboneTest {

    /** torchvision resnet18 (11,689,512) minus its fc (512 * 1000 + 1000). */
    private static final long TORCHVISION_RESNET18_BACKBONE = 11_176_512L;

    /** torchvision resnet50 (25,557,032) minus its fc (2048 * 1000 + 1000). */
    private static final long TORCHVISION_RESNET50_BACKBONE = 23_508_032L;

    /** The 3x3-stem CIFAR ResNet-18 used by the NPID code, without its linear layer. */
    private static final long CIFAR_RESNET18_BACKBONE = 11_168_832L;

    @Test
    void formulaReproducesTheKnownCounts() {
        assertThat(expected(new NetworkShape(Arch.RESNET18, Stem.CIFAR, 1, 128, 3)))
                .isEqualTo(CIFAR_RESNET18_BACKBONE);
        assertThat(expected(new NetworkShape(Arch.RESNET18, Stem.IMAGENET, 1, 128, 3)))
                .isEqualTo(TORCHVISION_RESNET18_BACKBONE);
        assertThat(expected(new NetworkShape(Arch.RESNET50, Stem.IMAGENET, 1, 128, 3)))
                .isEqualTo(TORCHVISION_RESNET50_BACKBONE);
    }

    @Test
    void fullWidthCifarResnet18MatchesTheKnownCount() {
        assertThat(count(new NetworkShape(Arch.RESNET18, Stem.CIFAR, 1, 128, 3), 32))
                .isEqualTo(CIFAR_RESNET18_BACKBONE);
    }

    @Test
    void torchvisionResnet18And50MatchTheKnownCounts() {
        assertThat(count(new NetworkShape(Arch.RESNET18, Stem.IMAGENET, 1, 128, 3), 64))
                .isEqualTo(TORCHVISION_RESNET18_BACKBONE);
        assertThat(count(new NetworkShape(Arch.RESNET50, Stem.IMAGENET, 1, 128, 3), 64))
                .isEqualTo(TORCHVISION_RESNET50_BACKBONE);
    }

    @Test
    void quarterWidthGreyScaleMatchesTheFormula() {
        NetworkShape c = new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.25, 128, 1);
        assertThat(count(c, 28)).isEqualTo(expected(c));
        NetworkShape r50 = new NetworkShape(Arch.RESNET50, Stem.CIFAR, 0.125, 128, 1);
        assertThat(count(r50, 28)).isEqualTo(expected(r50));
    }

    static Stream<Arguments> stageShapes() {
        return Stream.of(
                Arguments.of(
                        "the CIFAR stem keeps the resolution until layer 2",
                        new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.25, 128, 1),
                        28,
                        new long[] {16, 16, 32, 64, 128},
                        new long[] {28, 28, 14, 7, 4}),
                Arguments.of(
                        "the ImageNet stem divides the resolution by four",
                        new NetworkShape(Arch.RESNET50, Stem.IMAGENET, 0.125, 128, 3),
                        64,
                        // Width 0.125 rounds the 8-channel stem and layer 1 up to 16.
                        new long[] {16, 64, 64, 128, 256},
                        new long[] {16, 16, 8, 4, 2}));
    }

    /** The stem's and then each stage's output, for a batch of two, as channels and side. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("stageShapes")
    void stemSetsTheResolutionOfEachStage(
            String name, NetworkShape c, int side, long[] channels, long[] sides) {
        Shape[] expected = new Shape[channels.length];
        for (int i = 0; i < channels.length; i++) {
            expected[i] = new Shape(2, channels[i], sides[i], sides[i]);
        }
        assertThat(stages(c, side)).containsExactly(expected);
    }

    @Test
    void pooledFeatureHasFeatureDimColumns() {
        NetworkShape c = new NetworkShape(Arch.RESNET18, Stem.IMAGENET, 0.25, 128, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            ResNetBackbone b = new ResNetBackbone(c);
            NDArray f = Nets.forward(m, b, Nets.images(m, 3, 3, 64), false);
            assertThat(f.getShape()).isEqualTo(new Shape(3, b.featureDim()));
            assertThat(b.featureDim()).isEqualTo(128);
            assertThat(b.getOutputShapes(new Shape[] {new Shape(3, 3, 64, 64)}))
                    .containsExactly(f.getShape());
        }
    }

    private static Shape[] stages(NetworkShape c, int side) {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNetBackbone b = new ResNetBackbone(c);
            NDArray x = Nets.images(m, 2, c.inChannels(), side);
            b.initialize(m, DataType.FLOAT32, x.getShape());
            NDList out = b.forwardStages(new ParameterStore(m, false), x, false);
            return out.getShapes();
        }
    }

    private static long count(NetworkShape c, int side) {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNetBackbone b = new ResNetBackbone(c);
            b.initialize(m, DataType.FLOAT32, new Shape(1, c.inChannels(), side, side));
            return Nets.trainableParameters(b);
        }
    }

    /** PyTorch-style count: conv weights (no bias) plus BN gamma and beta. */
    private static long expected(NetworkShape c) {
        int stemKernel = c.stem() == Stem.CIFAR ? 3 : 7;
        long n = conv(c.inChannels(), c.stemChannels(), stemKernel) + bn(c.stemChannels());
        int in = c.stemChannels();
        for (int stage = 0; stage < 4; stage++) {
            int w = c.stageWidth(stage);
            int out = c.stageChannels(stage);
            for (int b = 0; b < c.arch().blocks(stage); b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                n +=
                        c.arch() == Arch.RESNET18
                                ? conv(in, w, 3) + bn(w) + conv(w, w, 3) + bn(w)
                                : conv(in, w, 1)
                                        + bn(w)
                                        + conv(w, w, 3)
                                        + bn(w)
                                        + conv(w, out, 1)
                                        + bn(out);
                if (in != out || stride != 1) {
                    n += conv(in, out, 1) + bn(out);
                }
                in = out;
            }
        }
        return n;
    }

    private static long conv(long in, long out, long k) {
        return in * out * k * k;
    }

    private static long bn(long c) {
        return 2 * c;
    }
}
