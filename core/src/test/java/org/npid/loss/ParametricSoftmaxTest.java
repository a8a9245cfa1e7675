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
import org.npid.train.PyTorchSgd;

class ParametricSoftmaxTest {

    @Test
    void lossIsEquationOneWithTheSameNumbersAsEquationTwo() {
        // The same weights, embeddings and τ as NonParametricSoftmaxTest: the forward pass of
        // Eq. (1) equals Eq. (2)'s; only what is learned differs.
        double expected =
                (Math.log(1 + Math.exp(-2) + Math.exp(-4)) + Math.log(1 + 2 * Math.exp(-2))) / 2;
        float loss =
                Objectives.loss(
                        new ParametricSoftmax(0.5f),
                        new float[] {1, 0, 0, 1, -1, 0},
                        2,
                        new float[] {1, 0, 0, 1},
                        new long[] {0, 1},
                        1);
        assertThat((double) loss).isCloseTo(expected, within(1e-6));
        assertThat(new ParametricSoftmax(0.5f).learnsBank()).isTrue();
        assertThat(new NonParametricSoftmax(0.5f).learnsBank()).isFalse();
    }

    @Test
    void descendTakesOneSgdStepOnTheWeightsByHand() {
        // Weights w0 = e1, w1 = e2; one image v = e1 of instance 0, τ = 1, lr 0.5, no momentum or
        // decay.
        // p = softmax(1, 0) = (e/(e+1), 1/(e+1)); dL/dw0 = (p0 − 1)·v, dL/dw1 = p1·v.
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank =
                        MemoryBank.fromArray(m, new float[] {1, 0, 0, 1}, 2, 2, 0.5f, false)) {
            NDArray v = m.create(new float[] {1, 0}, new Shape(1, 2));
            v.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(
                        new ParametricSoftmax(1f)
                                .loss(v, m.create(new long[] {0}), bank, new SplittableRandom(1)));
            }
            PyTorchSgd plain = new PyTorchSgd(0.5f, 0f, 0f);
            bank.descend((rows, g) -> plain.updateOutside("bank", rows, g));
            double p1 = 1 / (Math.E + 1);
            float[] w = bank.toFloatArray();
            assertThat((double) w[0]).isCloseTo(1 + 0.5 * p1, within(1e-6));
            assertThat((double) w[1]).isCloseTo(0, within(1e-6));
            assertThat((double) w[2]).isCloseTo(-0.5 * p1, within(1e-6));
            assertThat((double) w[3]).isCloseTo(1, within(1e-6));
            assertThat(v.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
            // The gradient was cleared: a second descent without a backward pass moves nothing.
            bank.descend((rows, g) -> plain.updateOutside("bank", rows, g));
            assertThat(bank.toFloatArray()).containsExactly(w);
        }
    }

    @Test
    void halfPrecisionBankIsRefusedWithTheSettingToChange() {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.random(m, 4, 2, 0.5f, true, 1)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(bank::weightsForLearning)
                    .hasMessageContaining("bank.fp16: false");
        }
    }
}
