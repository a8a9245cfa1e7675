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
     * The paper's momentum update of the bank after a step (Sec. 3.3), for the batch's embeddings
     * {@code v} of instances {@code indices}; an objective whose batch holds several rows per image
     * decides here which one row each image gets.
     */
    default void updateBank(MemoryBank bank, NDArray indices, NDArray v, float momentum) {
        bank.update(indices, v, momentum);
    }

    /** State that must survive a checkpoint (NCE's normaliser), or NaN when there is none. */
    default double state() {
        return Double.NaN;
    }

    /** Restores what {@link #state()} returned. */
    default void restore(double state) {}
}
