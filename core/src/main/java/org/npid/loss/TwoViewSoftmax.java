package org.npid.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * Two augmented views of each image (beyond the paper): the paper's non-parametric softmax of Eq.
 * (2) on every view, plus an in-batch softmax in which each view's positive is the other view of
 * its image and the batch's other 2k − 2 views are the negatives, the "invariant and spreading"
 * loss of Ye et al. (CVPR 2019):
 *
 * <pre>
 *   L = mean_r −log P(i_r | v_r)  +  mean_r −log exp(v_r·v_r'/τ) / Σ_{s≠r} exp(v_r·v_s/τ)
 * </pre>
 *
 * <p>Why: the paper's positive is the image's own bank row, a random vector until its first visit
 * and, for the next few epochs, still half random (m = 0.5 keeps half of it each visit). On a
 * budget of a few epochs the paper's loss spends most of them in that plateau (docs/log). The other
 * view is a positive from the first step. Both its positive and its negatives come from the current
 * batch, under the same batch-norm statistics, so the network cannot separate them by which batch
 * they came from; a term with the other view as positive and the bank's old rows as negatives would
 * allow exactly that shortcut.
 *
 * <p>The batch holds the first views of k images, then their second views in the same order ({@code
 * indices} twice), as {@code BatchLoader.views(2)} builds it.
 */
public final class TwoViewSoftmax implements InstanceObjective {
    /** Subtracted from a view's logit against itself; far beyond any logit's range of 2/τ. */
    private static final float SELF_MASK = 1e4f;

    private final NonParametricSoftmax paper;
    private final float temperature;

    public TwoViewSoftmax(float temperature) {
        this.paper = new NonParametricSoftmax(temperature);
        this.temperature = temperature;
    }

    @Override
    public NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng) {
        return paper.loss(v, indices, bank, rng).add(inBatch(v));
    }

    /** The in-batch term alone, each view's positive the other view of its image. */
    NDArray inBatch(NDArray v) {
        long rows = v.getShape().get(0);
        if (rows % 2 != 0) {
            throw new IllegalArgumentException(
                    "two views need an even batch (first views, then second views), got " + rows);
        }
        int k = (int) (rows / 2);
        NDManager m = v.getManager();
        long[] partner = new long[2 * k];
        for (int r = 0; r < k; r++) {
            partner[r] = (long) r + k;
            partner[r + k] = r;
        }
        NDArray logits =
                v.div(temperature)
                        .matMul(v.transpose())
                        .sub(m.eye(2 * k).toType(DataType.FLOAT32, false).mul(SELF_MASK));
        NDArray logProb = logits.logSoftmax(1);
        NDArray own = logProb.gather(m.create(partner, new Shape(2L * k, 1)), 1);
        return own.mean().neg();
    }

    /**
     * One row per image, from the mean of its two views made unit again, so that the update mixes
     * unit vectors as the paper's does.
     */
    @Override
    public void updateBank(MemoryBank bank, NDArray indices, NDArray v, float momentum) {
        long k = v.getShape().get(0) / 2;
        NDArray sum = v.get(":" + k).add(v.get(k + ":"));
        NDArray mean = sum.div(sum.norm(new int[] {1}, true).maximum(1e-12f));
        bank.update(indices.get(":" + k), mean, momentum);
    }
}
