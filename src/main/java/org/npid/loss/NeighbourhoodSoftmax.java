package org.npid.loss;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * The exact non-parametric softmax of Eq. (2) with a neighbourhood of positives: image i counts as
 * classified right when the softmax puts its mass on i <em>or</em> on one of the k rows of the
 * memory bank nearest to V[i], so the loss is {@code −log Σ_{j ∈ N_k(i) ∪ {i}} P(j|v_i)}. This is
 * the neighbourhood loss of Huang et al., "Unsupervised Deep Learning by Neighbourhood Discovery"
 * (AND, ICML 2019), without its rounds: instance discrimination alone pushes every image away from
 * all others, same class or not; pulling each image towards its nearest memories gathers a class
 * into fewer, tighter clumps, which is what a k = 200 vote rewards.
 *
 * <p>The neighbours come from the bank (the average of each image's past views), not from the fresh
 * embedding, so one unlucky crop cannot choose them. V[i] is its own nearest row (similarity 1), so
 * the top k + 1 rows are i and its k neighbours.
 */
public final class NeighbourhoodSoftmax implements InstanceObjective {
    private final float temperature;
    private final int neighbours;

    /**
     * @param temperature τ of Eq. (2)
     * @param neighbours k, the bank rows besides i's own that count as positives
     */
    public NeighbourhoodSoftmax(float temperature, int neighbours) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        if (neighbours < 1) {
            throw new IllegalArgumentException("neighbours must be >= 1, got " + neighbours);
        }
        this.temperature = temperature;
        this.neighbours = neighbours;
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        NDArray bankT = bank.transposedForScoring(v.getManager());
        NDArray logProb = v.div(temperature).matMul(bankT).logSoftmax(1);
        int take = Math.min(neighbours + 1, bank.size());
        NDArray positives = bank.gather(indices).matMul(bankT).topK(take, 1).get(1);
        NDArray own = logProb.gather(positives, 1);
        // log Σ exp, shifted by the row's largest term so no term underflows to zero.
        NDArray shift = own.max(new int[] {1}, true).stopGradient();
        NDArray logSum = own.sub(shift).exp().sum(new int[] {1}).log().add(shift.squeeze(1));
        return logSum.mean().neg();
    }
}
