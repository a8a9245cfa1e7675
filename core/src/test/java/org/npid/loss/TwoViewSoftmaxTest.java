package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TwoViewSoftmaxTest {
    // Two images, two views each: rows 0, 1 are first views, rows 2, 3 their second views.
    private static final float[] V = {1, 0, 0, 1, 1, 0, 0, 1};
    private static final long[] IDX = {0, 1, 0, 1};
    private static final float[] BANK = {1, 0, 0, 1, -1, 0};

    @Test
    void inBatchTermMatchesByHand() {
        // τ = 1. Row 0 = e1 against rows 1, 2, 3 (itself left out): logits 0, 1, 0, and its
        // partner is row 2, so −log(e / (2 + e)) = log(2 + e) − 1; every row is the same by
        // symmetry.
        double expected = Math.log(2 + Math.E) - 1;
        try (NDManager m = NDManager.newBaseManager()) {
            float got = new TwoViewSoftmax(1f).inBatch(m.create(V, new Shape(4, 2))).getFloat();
            assertThat((double) got).isCloseTo(expected, within(1e-6));
        }
    }

    @Test
    void lossIsThePapersSoftmaxOnEveryViewPlusTheInBatchTerm() {
        float tau = 0.5f;
        float paper = Objectives.loss(new NonParametricSoftmax(tau), BANK, 2, V, IDX, 1);
        float both = Objectives.loss(new TwoViewSoftmax(tau), BANK, 2, V, IDX, 1);
        // τ = 0.5: row 0's logits 0, 2, 0 with partner logit 2: log(2 + e²) − 2.
        double inBatch = Math.log(2 + Math.exp(2)) - 2;
        assertThat((double) both).isCloseTo(paper + inBatch, within(1e-5));
    }

    @Test
    void oddBatchIsRefusedWithTheLayoutItNeeds() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray v = m.create(new float[] {1, 0, 0, 1, 1, 0}, new Shape(3, 2));
            assertThatThrownBy(() -> new TwoViewSoftmax(0.1f).inBatch(v))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("first views, then second views");
        }
    }

    @Test
    void gradientFlowsToTheEmbeddingButNotTheBank() {
        // Two images (3 and 7), their first views then their second views.
        Objectives.assertGradientReachesOnlyTheEmbedding(
                new TwoViewSoftmax(0.07f), new long[] {3, 7, 3, 7});
    }
}
