package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChannelsLastConv2dTest {

    @Test
    void matchesAPlainNchwConvolutionInValueAndGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelsLastConv2d conv =
                    new ChannelsLastConv2d(6, 3, 2, 1, new NormalInitializer(0.1f));
            conv.initialize(m, DataType.FLOAT32, new Shape(2, 4, 9, 9));
            NDArray w = conv.getParameters().get("weight").getArray();
            NDArray x = m.randomNormal(new Shape(2, 4, 9, 9));
            NDArray reference =
                    Conv2d.conv2d(x, w, null, new Shape(2, 2), new Shape(1, 1), new Shape(1, 1), 1)
                            .singletonOrThrow();
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y =
                        conv.forward(new ParameterStore(m, false), new NDList(x), true)
                                .singletonOrThrow();
                gc.backward(y.mul(reference).sum());
            }
            assertThat(y.getShape()).isEqualTo(new Shape(2, 6, 5, 5));
            assertThat(conv.getOutputShapes(new Shape[] {new Shape(2, 4, 9, 9)})[0])
                    .isEqualTo(new Shape(2, 6, 5, 5));
            float[] a = y.toFloatArray();
            float[] b = reference.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).isCloseTo(b[i], within(1e-4f));
            }
            // d/dw Σ y·ref, with y = conv(x, w): the weight gradient reaches the parameter.
            assertThat(w.getGradient().getShape()).isEqualTo(new Shape(6, 4, 3, 3));
            assertThat(w.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        }
    }

    /** A 1×1 convolution is computed as a matrix product: same values and gradients as conv2d. */
    @Test
    void aStridedPointwiseConvolutionWithBiasMatchesConv2d() {
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelsLastConv2d conv =
                    new ChannelsLastConv2d(32, 1, 2, 0, new NormalInitializer(0.1f), true);
            Shape in = new Shape(3, 24, 7, 7);
            conv.initialize(m, DataType.FLOAT32, in);
            NDArray w = conv.getParameters().get("weight").getArray();
            NDArray bias = conv.getParameters().get("bias").getArray();
            bias.set(m.arange(32f).mul(0.01f).toFloatArray());
            NDArray x = m.randomNormal(in);
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y =
                        conv.forward(new ParameterStore(m, false), new NDList(x), true)
                                .singletonOrThrow();
                gc.backward(y.mul(y).sum());
            }
            float[] gradient = w.getGradient().toFloatArray();
            float[] biasGradient = bias.getGradient().toFloatArray();
            float[] inputGradient = x.getGradient().toFloatArray();
            // Only the pixels the stride keeps (even rows and columns) get a gradient.
            assertThat(x.getGradient().get("0, 0, 1, 0").getFloat()).isZero();
            assertThat(x.getGradient().get("0, 0, 0, 1").getFloat()).isZero();
            assertThat(x.getGradient().get("0, 0, 6, 6").getFloat()).isNotZero();

            NDArray x2 = x.duplicate();
            x2.setRequiresGradient(true);

            NDArray w2 = w.duplicate();
            NDArray b2 = bias.duplicate();
            w2.setRequiresGradient(true);
            b2.setRequiresGradient(true);
            NDArray reference;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                reference =
                        Conv2d.conv2d(
                                        x2,
                                        w2,
                                        b2,
                                        new Shape(2, 2),
                                        new Shape(0, 0),
                                        new Shape(1, 1),
                                        1)
                                .singletonOrThrow();
                gc.backward(reference.mul(reference).sum());
            }
            assertThat(y.getShape()).isEqualTo(new Shape(3, 32, 4, 4));
            assertClose(y.toFloatArray(), reference.toFloatArray(), 1e-4f);
            assertClose(gradient, w2.getGradient().toFloatArray(), 1e-3f);
            assertClose(biasGradient, b2.getGradient().toFloatArray(), 1e-3f);
            assertClose(inputGradient, x2.getGradient().toFloatArray(), 1e-3f);
        }
    }

    private static void assertClose(float[] a, float[] b, float tolerance) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isCloseTo(b[i], within(tolerance * Math.max(1f, Math.abs(b[i]))));
        }
    }

    /**
     * ResNet-50's full-width 1×1 pairs: oneDNN 3.7.1 divided by zero choosing blocks for these on
     * AVX-512 CPUs without AMX (SIGFPE, forward and backward). One step of each must train.
     */
    @ParameterizedTest
    @CsvSource({"256, 1024, 1", "512, 1024, 2", "512, 2048, 1", "1024, 512, 1", "1024, 2048, 2"})
    void resNet50sPointwisePairsTrain(int in, int out, int stride) {
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelsLastConv2d conv =
                    new ChannelsLastConv2d(out, 1, stride, 0, new NormalInitializer(0.01f));
            Shape shape = new Shape(2, in, 4, 4);
            conv.initialize(m, DataType.FLOAT32, shape);
            NDArray w = conv.getParameters().get("weight").getArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray x = m.ones(shape);
                x.setRequiresGradient(true);
                NDArray y =
                        conv.forward(new ParameterStore(m, false), new NDList(x), true)
                                .singletonOrThrow();
                gc.backward(y.sum());
            }
            long side = stride == 1 ? 4 : 2;
            // d/dw Σ conv(1, w) = the number of output positions.
            assertThat(w.getGradient().max().getFloat()).isEqualTo(2f * side * side);
            assertThat(w.getGradient().min().getFloat()).isEqualTo(2f * side * side);
        }
    }

    /**
     * A strided 1×1 convolution over 8 channels: in channels-last, oneDNN's AVX-512 weight-gradient
     * kernel crashed the JVM on AMD Zen 5 for every input count below 16 (SIGSEGV). The layer must
     * train on every CPU; there, this one step killed the test's JVM before 1×1 layers became a
     * matrix product.
     */
    @Test
    void aStridedPointwiseConvolutionOnFewChannelsTrains() {
        try (NDManager m = NDManager.newBaseManager()) {
            ChannelsLastConv2d conv =
                    new ChannelsLastConv2d(16, 1, 2, 0, new NormalInitializer(0.1f));
            Shape in = new Shape(128, 8, 28, 28);
            conv.initialize(m, DataType.FLOAT32, in);
            NDArray w = conv.getParameters().get("weight").getArray();
            NDArray x = m.ones(in);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y =
                        conv.forward(new ParameterStore(m, false), new NDList(x), true)
                                .singletonOrThrow();
                assertThat(y.getShape()).isEqualTo(new Shape(128, 16, 14, 14));
                gc.backward(y.sum());
            }
            // d/dw Σ conv(1, w) = the number of output positions: 128 · 14 · 14 per weight.
            float[] g = w.getGradient().toFloatArray();
            assertThat(g).hasSize(16 * 8);
            for (float v : g) {
                assertThat(v).isEqualTo(128f * 14 * 14);
            }
        }
    }
}
