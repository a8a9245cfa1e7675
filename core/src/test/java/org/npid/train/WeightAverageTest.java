package org.npid.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.npid.checkpoint.Checkpoint;

class WeightAverageTest {

    /** A 2→1 linear layer: weight [1, 2] and bias [1]. */
    private static Block layer(NDManager m, float w0, float w1, float b) {
        Block block = Linear.builder().setUnits(1).build();
        block.initialize(m, DataType.FLOAT32, new Shape(1, 2));
        set(block, w0, w1, b);
        return block;
    }

    private static void set(Block block, float w0, float w1, float b) {
        block.getParameters().get("weight").getArray().set(new float[] {w0, w1});
        block.getParameters().get("bias").getArray().set(new float[] {b});
    }

    private static float[] weight(Block block) {
        return block.getParameters().get("weight").getArray().toFloatArray();
    }

    @Test
    void knownAnswerOverTwoUpdates() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = layer(m, 1f, 2f, 0f);
            try (WeightAverage avg = new WeightAverage(net, m, 0.9)) {
                // w̄ = 0.9·(1, 2) + 0.1·(3, −2) = (1.2, 1.6); bias 0.9·0 + 0.1·1 = 0.1
                set(net, 3f, -2f, 1f);
                avg.update();
                // w̄ = 0.9·(1.2, 1.6) + 0.1·(3, −2) = (1.38, 1.24); bias 0.09 + 0.1 = 0.19
                avg.update();
                float[] inside =
                        avg.apply(
                                () ->
                                        new float[] {
                                            weight(net)[0],
                                            weight(net)[1],
                                            net.getParameters().get("bias").getArray().getFloat(0)
                                        });
                assertThat(inside[0]).isCloseTo(1.38f, within(1e-6f));
                assertThat(inside[1]).isCloseTo(1.24f, within(1e-6f));
                assertThat(inside[2]).isCloseTo(0.19f, within(1e-6f));
                // The trained weights are back afterwards.
                assertThat(weight(net)).containsExactly(3f, -2f);
            }
        }
    }

    @Test
    void applyRestoresTheTrainedWeightsWhenTheTaskThrows() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = layer(m, 1f, 2f, 0f);
            try (WeightAverage avg = new WeightAverage(net, m, 0.5)) {
                set(net, 5f, 6f, 0f);
                assertThatThrownBy(
                                () ->
                                        avg.apply(
                                                () -> {
                                                    throw new IllegalStateException("boom");
                                                }))
                        .hasMessage("boom");
                assertThat(weight(net)).containsExactly(5f, 6f);
            }
        }
    }

    @Test
    void saveLoadAndLoadIntoRoundTrip() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = layer(m, 1f, 2f, 0f);
            ByteArrayOutputStream saved = new ByteArrayOutputStream();
            try (WeightAverage avg = new WeightAverage(net, m, 0.5)) {
                set(net, 3f, 4f, 2f);
                avg.update(); // (2, 3), bias 1
                avg.save(saved);
            }
            Block other = layer(m, 0f, 0f, 0f);
            try (WeightAverage restored = new WeightAverage(other, m, 0.5)) {
                restored.load(new ByteArrayInputStream(saved.toByteArray()));
                assertThat(restored.apply(() -> weight(other))).containsExactly(2f, 3f);
            }
            Checkpoint.loadNamedInto(other, new ByteArrayInputStream(saved.toByteArray()), m);
            assertThat(weight(other)).containsExactly(2f, 3f);
            NDArray bias = other.getParameters().get("bias").getArray();
            assertThat(bias.getFloat(0)).isEqualTo(1f);
        }
    }

    @Test
    void rejectsADecayOutsideTheOpenUnitInterval() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block net = layer(m, 1f, 2f, 0f);
            assertThatThrownBy(() -> new WeightAverage(net, m, 1.0))
                    .hasMessageContaining("ema_decay");
        }
    }
}
