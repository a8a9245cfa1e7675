package org.npid.loss;

import ai.djl.ndarray.NDArray;
import java.util.SplittableRandom;
import org.npid.memory.MemoryBank;

/**
 * An instance-discrimination objective: the negative log-likelihood of each image's own index under
 * the non-parametric classifier of Eq. (2), either exactly ({@link NonParametricSoftmax}) or
 * approximated by noise-contrastive estimation ({@link NceLoss}); or, as the paper's baseline, the
 * parametric softmax of Eq. (1) ({@link ParametricSoftmax}).
 */
public interface InstanceObjective {

    /**
     * The mean loss over the batch.
     *
     * @param v the batch's embeddings [B, d], unit rows, inside the gradient
     * @param indices the batch's instance indices, int64 [B]
     * @param bank the memory bank, read outside the gradient
     * @param rng the step's random stream (noise samples), derived from the run's seed
     */
    NDArray loss(NDArray v, NDArray indices, MemoryBank bank, SplittableRandom rng);

    /**
     * True when the bank's rows are weights this objective learns by gradient (the parametric
     * baseline): the step then takes an SGD step on them instead of the paper's momentum update.
     */
    default boolean learnsBank() {
        return false;
    }

    /**
     * Augmented views of each image in a batch: 2 when the batch holds every image's first view,
     * then its second view, and the bank keeps one row per image from their mean.
     */
    default int views() {
        return 1;
    }

    /** State that must survive a checkpoint (NCE's normaliser), or NaN when there is none. */
    default double state() {
        return Double.NaN;
    }

    /** Restores what {@link #state()} returned. */
    default void restore(double state) {}
}
