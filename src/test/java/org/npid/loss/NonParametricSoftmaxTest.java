package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.npid.memory.MemoryBank;

class NonParametricSoftmaxTest {

    @Test
    void lossMatchesEquationTwoByHand() {
        // Bank rows e1, e2, -e1; v = e1 for index 0 and v = e2 for index 1, τ = 0.5.
        // Row 0: logits (2, 0, -2): −log softmax_0 = log(1 + e^-2 + e^-4).
        // Row 1: logits (0, 2, 0):  −log softmax_1 = log(1 + 2e^-2).
        double expected =
                (Math.log(1 + Math.exp(-2) + Math.exp(-4)) + Math.log(1 + 2 * Math.exp(-2))) / 2;
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank =
                        MemoryBank.fromArray(
                                m, new float[] {1, 0, 0, 1, -1, 0}, 3, 2, 0.5f, false)) {
            NDArray v = m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
            NDArray idx = m.create(new long[] {0, 1});
            float loss =
                    new NonParametricSoftmax(0.5f)
                            .loss(v, idx, bank, new SplittableRandom(1))
                            .getFloat();
            assertThat((double) loss).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void gradientFlowsToTheEmbeddingButNotTheBank() {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.random(m, 30, 4, 0.5f, false, 2)) {
            NDArray v = m.randomNormal(new Shape(3, 4));
            v.setRequiresGradient(true);
            float[] before = bank.toFloatArray();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss =
                        new NonParametricSoftmax(0.07f)
                                .loss(
                                        v,
                                        m.create(new long[] {0, 1, 2}),
                                        bank,
                                        new SplittableRandom(1));
                gc.backward(loss);
            }
            assertThat(v.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
            assertThat(bank.toFloatArray()).containsExactly(before);
        }
    }
}
