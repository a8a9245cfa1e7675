package org.npid.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * The non-parametric softmax of Eq. (2) over two augmented views of each image (beyond the paper):
 * each view's positive is the other view's fresh embedding instead of the image's bank row, and the
 * other n − 1 rows stay the negatives: {@code −log exp(v·v'/τ) / (exp(v·v'/τ) + Σ_{j≠i}
 * exp(v·V[j]/τ))}. This is the positive of Ye et al., "Unsupervised Embedding Learning via
 * Invariant and Spreading Instance Feature" (CVPR 2019), with NPID's bank for the negatives.
 *
 * <p>Why: the paper's positive is the image's own bank row, which is a random vector until the
 * image is first visited and afterwards an embedding by a network that has moved on since. On small
 * budgets (a few visits per image) the loss then mostly pushes embeddings away from the rows
 * written last, and the features stall (docs/log/EXPERIMENTS.md). A fresh positive gives every step
 * a signal.
 *
 * <p>The batch holds the first views of k images, then their second views in the same order ({@code
 * indices} twice), as {@code BatchLoader} writes them with {@code views(2)}.
 */
public final class TwoViewSoftmax implements InstanceObjective {
    private final float temperature;

    public TwoViewSoftmax(float temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        this.temperature = temperature;
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        long rows = v.getShape().get(0);
        if (rows % 2 != 0) {
            throw new IllegalArgumentException(
                    "two views need an even batch (first views, then second views), got " + rows);
        }
        long k = rows / 2;
        NDArray scaled = v.div(temperature);
        NDArray logits = scaled.matMul(bank.transposedForScoring(v.getManager()));
        NDArray own = logits.gather(indices.reshape(-1, 1), 1).reshape(-1);
        // The other view of row r is row r + k (first half) or r − k (second half).
        NDArray partner =
                NDArrays.concat(
                        new ai.djl.ndarray.NDList(
                                v.get(new NDIndex(k + ":")), v.get(new NDIndex(":" + k))));
        NDArray positive = scaled.mul(partner).sum(new int[] {1});
        // log(Σ_j exp(l_j) − exp(own) + exp(positive)), shifted by the row's largest term.
        NDArray shift = logits.max(new int[] {1}).maximum(positive).stopGradient();
        NDArray sum =
                logits.sub(shift.reshape(-1, 1))
                        .exp()
                        .sum(new int[] {1})
                        .sub(own.sub(shift).exp())
                        .add(positive.sub(shift).exp());
        return sum.log().add(shift).sub(positive).mean();
    }
}
