package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NonParametricSoftmaxTest {

    @Test
    void lossMatchesEquationTwoByHand() {
        // Bank rows e1, e2, -e1; v = e1 for index 0 and v = e2 for index 1, τ = 0.5.
        // Row 0: logits (2, 0, -2): −log softmax_0 = log(1 + e^-2 + e^-4).
        // Row 1: logits (0, 2, 0):  −log softmax_1 = log(1 + 2e^-2).
        double expected =
                (Math.log(1 + Math.exp(-2) + Math.exp(-4)) + Math.log(1 + 2 * Math.exp(-2))) / 2;
        float loss =
                Objectives.loss(
                        new NonParametricSoftmax(0.5f),
                        new float[] {1, 0, 0, 1, -1, 0},
                        2,
                        new float[] {1, 0, 0, 1},
                        new long[] {0, 1},
                        1);
        assertThat((double) loss).isCloseTo(expected, within(1e-6));
    }

    @Test
    void gradientFlowsToTheEmbeddingButNotTheBank() {
        Objectives.assertGradientReachesOnlyTheEmbedding(new NonParametricSoftmax(0.07f));
    }
}
