package org.npid.config;

import static org.npid.config.Checks.present;
import static org.npid.config.Checks.require;

/**
 * The {@code evaluation:} section: the paper's weighted kNN (Sec. 3.5) and when the run measures
 * it.
 *
 * @param k neighbours that vote
 * @param temperature τ of the vote weights exp(s/τ)
 * @param features what the recomputed kNN compares
 * @param probes 0 = exact neighbours; P &gt; 0 = inverted lists, P cells per query
 * @param lists cells of the inverted lists
 * @param every kNN against the bank every N epochs (0 = never)
 * @param recomputeEvery also recompute features after epoch 1 and every N epochs (0 = end only)
 * @param atStart evaluate the untrained network first (epoch 0)
 * @param recomputeAtEnd recompute training features for the final kNN
 * @param validation 0 = the kNN queries are the test split; a share in (0, 1) = they are that share
 *     of the training images, held out per class (seeded) and never trained on
 */
public record EvaluationConfig(
        int k,
        float temperature,
        Features features,
        int probes,
        int lists,
        int every,
        int recomputeEvery,
        boolean atStart,
        boolean recomputeAtEnd,
        double validation) {

    /**
     * The same evaluation searching {@code probes} of {@code lists} k-means cells instead of every
     * training row (inverted lists; 0 probes is the exact search).
     */
    public EvaluationConfig withInvertedLists(int lists, int probes) {
        return new EvaluationConfig(
                k,
                temperature,
                features,
                probes,
                lists,
                every,
                recomputeEvery,
                atStart,
                recomputeAtEnd,
                validation);
    }

    /** Which features of a trained network the kNN compares. */
    public enum Features {
        /** The paper's: the L2-normalised embedding v = f(x). */
        EMBEDDING,
        /** layer4 average-pooled, before the head, L2-normalised. */
        BACKBONE
    }

    public EvaluationConfig {
        present(features, "evaluation.features", "embedding or backbone");
        require(k > 0, "evaluation.k", "must be positive, got " + k);
        require(temperature > 0, "evaluation.temperature", "must be positive, got " + temperature);
        require(lists > 0, "evaluation.lists", "must be positive, got " + lists);
        require(
                probes >= 0 && probes <= lists,
                "evaluation.probes",
                "must be in [0, evaluation.lists = " + lists + "] (0 = exact), got " + probes);
        require(every >= 0, "evaluation.every", "must be >= 0 (0 = never), got " + every);
        require(
                recomputeEvery >= 0,
                "evaluation.recompute_every",
                "must be >= 0, got " + recomputeEvery);
        require(
                validation >= 0 && validation < 1,
                "evaluation.validation",
                "must be in [0, 1) (0 = score on the test split; 0.1 = hold out a tenth of the"
                        + " training images per class and score on them), got "
                        + validation);
    }

    /** Whether the kNN queries are a validation split of the training images. */
    public boolean onValidation() {
        return validation > 0;
    }

    /** Why each default is what it is. */
    static EvaluationConfig defaults() {
        return new EvaluationConfig(
                200, // the paper's k
                0.07f, // the official kNN σ
                Features.EMBEDDING, // the paper's v
                0, // exact neighbours
                128, // probing 20 of 128 found 99.9 % of the exact neighbours of trained features
                1, // bank kNN each epoch: one pass over the test set
                0, // recompute only at the end (and after epoch 1 when recompute_every > 0)
                false, // the untrained network is not evaluated unless asked
                true, // the honest final figure; off only for timing epochs
                0); // the test split, as the paper reports; choices use a validation share
    }
}
