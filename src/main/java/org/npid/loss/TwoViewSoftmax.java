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

    /** 1 where rows r and c of a 2k batch are views of different images, else 0. */
    private static float[] otherImages(int k) {
        int rows = 2 * k;
        float[] mask = new float[rows * rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < rows; c++) {
                mask[r * rows + c] = r % k == c % k ? 0f : 1f;
            }
        }
        return mask;
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
        // The batch's other images, fresh, are negatives too: with a bank whose rows are still
        // mostly random, the bank alone cannot stop both views collapsing onto one vector (a first
        // run without them lost 10 points in three epochs; docs/log/EXPERIMENTS.md).
        NDArray fresh = scaled.matMul(v.transpose());
        NDArray others = v.getManager().create(otherImages((int) k)).reshape(rows, rows);
        // Every logit is a cosine over τ, so 1/τ bounds them all: subtracting it keeps exp finite.
        float top = 1 / temperature;
        NDArray sum =
                logits.sub(top)
                        .exp()
                        .sum(new int[] {1})
                        .sub(own.sub(top).exp())
                        .add(positive.sub(top).exp())
                        .add(fresh.sub(top).exp().mul(others).sum(new int[] {1}));
        return sum.log().add(top).sub(positive).mean();
    }
}
