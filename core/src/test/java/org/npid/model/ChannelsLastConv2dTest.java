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
}
