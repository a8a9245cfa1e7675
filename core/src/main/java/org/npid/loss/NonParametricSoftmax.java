package org.npid.loss;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * The exact non-parametric softmax of Eq. (2), {@code P(i|v) = exp(V[i]·v/τ) / Σ_j exp(V[j]·v/τ)},
 * with loss {@code −log P(i|v_i)} averaged over the batch. At n = 60,000 the normaliser is one [B,
 * d]×[d, n] matmul, so it costs about what NCE's scoring costs.
 */
public final class NonParametricSoftmax implements InstanceObjective {
    private final float temperature;

    public NonParametricSoftmax(float temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        // Scaling the [B, d] input by 1/τ instead of the [B, n] logits saves a pass over n columns
        // forward and backward.
        NDArray logits = v.div(temperature).matMul(bank.transposedForScoring(v.getManager()));
        NDArray logProb = logits.logSoftmax(1);
        NDArray own = logProb.gather(indices.reshape(-1, 1), 1);
        return own.mean().neg();
    }
}
