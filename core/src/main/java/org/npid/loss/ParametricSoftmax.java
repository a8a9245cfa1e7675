package org.npid.loss;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * The parametric baseline of the paper's Table 1: an ordinary softmax classifier over the n
 * instances, {@code P(i|v) = exp(w_i·v/τ) / Σ_j exp(w_j·v/τ)} (Eq. 1 with the same τ as Eq. 2),
 * whose weights w_j are learned by gradient descent instead of being set to the memory of each
 * image's features. The n × d weights live in the memory bank's rows (so a checkpoint keeps them),
 * start as the same random unit vectors, and are not normalised: the paper's argument is that a
 * learned weight per class does not generalise across instances, while the memory does.
 */
public final class ParametricSoftmax implements InstanceObjective {
    private final float temperature;

    public ParametricSoftmax(float temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        NDArray logits = v.div(temperature).matMul(bank.weightsForLearning().transpose());
        NDArray own = logits.logSoftmax(1).gather(indices.reshape(-1, 1), 1);
        return own.mean().neg();
    }

    @Override
    public boolean learnsBank() {
        return true;
    }
}
