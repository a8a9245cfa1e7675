package org.npid.loss;

import ai.djl.ndarray.NDArray;
import org.npid.memory.MemoryBank;

/**
 * Proximal regularisation (Sec. 3.4, Eq. 10): {@code λ‖v_i − V[i]‖²}, averaged over the batch. It
 * pulls each embedding towards its own previous memory, which damps the oscillation of the loss
 * when each image is seen once per epoch (the paper's Fig. 3).
 */
public final class ProximalTerm {
    private final float lambda;

    public ProximalTerm(float lambda) {
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("proximal lambda must be >= 0, got " + lambda);
        }
        this.lambda = lambda;
    }

    public boolean active() {
        return lambda > 0;
    }

    /** {@code λ · mean_b ‖v_b − V[i_b]‖²}, with the bank read before this step's update. */
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank) {
        NDArray diff = v.sub(bank.gather(indices));
        return diff.square().sum(new int[] {1}).mean().mul(lambda);
    }
}
