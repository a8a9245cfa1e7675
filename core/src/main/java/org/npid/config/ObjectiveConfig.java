package org.npid.config;

import static org.npid.config.Checks.present;
import static org.npid.config.Checks.require;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.npid.loss.NceScoring;

/**
 * The {@code objective:} section: the instance-discrimination loss and its parameters.
 *
 * @param loss exact softmax, NCE, or the parametric baseline
 * @param temperature τ of Eq. 2
 * @param nceNoise m, the noise samples of NCE
 * @param nceZMomentum 0 = the paper's one-shot Monte Carlo Z; else a moving average (beyond the
 *     paper)
 * @param nceScoring how the m noise rows are scored
 * @param proximalLambda λ of the proximal term (Eq. 10)
 * @param neighbours k &gt; 0 adds AND's neighbourhood positives (beyond the paper)
 * @param neighboursFromEpoch first epoch (1-based) of the neighbourhood loss
 * @param neighbourSource where the neighbours come from
 * @param neighbourTable the table {@code neighbour_source: table} reads (npid-spark neighbours'
 *     {@code OUT.neighbours.tsv}); "" for every other source
 * @param views 1 = the paper's one augmented view per image per step; 2 = two views, and the loss
 *     adds an in-batch term in which each view's positive is the other view (beyond the paper)
 */
public record ObjectiveConfig(
        Loss loss,
        float temperature,
        int nceNoise,
        @JsonProperty("nce_z_momentum") double nceZMomentum,
        NceScoring nceScoring,
        float proximalLambda,
        int neighbours,
        int neighboursFromEpoch,
        NeighbourSource neighbourSource,
        String neighbourTable,
        int views) {

    /**
     * The same objective with neighbours from {@code source} ({@code neighbours} per image, 0 for
     * none) and {@code views} views per image: the {@code auto} source's resolution, typed.
     */
    public ObjectiveConfig withNeighbourSource(NeighbourSource source, int neighbours, int views) {
        return new ObjectiveConfig(
                loss,
                temperature,
                nceNoise,
                nceZMomentum,
                nceScoring,
                proximalLambda,
                neighbours,
                neighboursFromEpoch,
                source,
                neighbourTable,
                views);
    }

    /** The instance-discrimination objective. */
    public enum Loss {
        /** Exact non-parametric softmax over all n (Eq. 2). */
        SOFTMAX,
        /** Noise-contrastive estimation with m uniform noise samples (Sec. 3.2). */
        NCE,
        /**
         * The paper's baseline (Eq. 1, Table 1): a learned n × d instance classifier in place of
         * the memory; not the method, there to be compared with it.
         */
        PARAMETRIC
    }

    /** Where the neighbourhood loss ({@code neighbours > 0}) finds each image's neighbours. */
    public enum NeighbourSource {
        /**
         * The network's embeddings of the un-augmented training images, recomputed at the start of
         * each epoch (one forward pass over the training set and one n × n search).
         */
        FEATURES,
        /** The memory bank's rows, searched each step: free, but the rows mix stale views. */
        BANK,
        /**
         * The images' own pixels (cosine of the raw 0–1 values), searched once per run: no network
         * needed, so usable from epoch 1.
         */
        PIXELS,
        /**
         * A table found elsewhere, read once from {@code objective.neighbour_table}: the text table
         * of {@code npid-spark neighbours} (a line per image: id, file, neighbour ids best first),
         * matched to the training images by file path. For neighbours searched on a cluster, or
         * with another network.
         */
        TABLE,
        /** Half the neighbours from {@link #PIXELS}, half from {@link #FEATURES}. */
        PIXELS_AND_FEATURES,
        /**
         * {@link #PIXELS} when a label-free check finds the pixel neighbours meaningful, else no
         * neighbourhood loss (the paper's): at least {@link #MUTUAL_SHARE} of the pixel neighbour
         * relations must be mutual (j among i's neighbours and i among j's). Where pixel space
         * groups images by what they show, neighbourhoods are reciprocal; where it does not, a few
         * bland "hub" images are everybody's neighbour and few relations are returned.
         */
        AUTO;

        /**
         * The mutual share {@link #AUTO} needs. Chosen on two tuning sets, 20 pixel neighbours of
         * 8,000 Fashion-MNIST images (36.4 % mutual, 73.8 % of the neighbours share the class) and
         * of 10,000 CIFAR-10 images (6.9 % mutual, 23.8 % share the class); docs/RESULTS.md reports
         * it on sets it was not chosen on.
         */
        public static final double MUTUAL_SHARE = 0.2;
    }

    public ObjectiveConfig {
        present(loss, "objective.loss", "softmax, nce or parametric");
        present(nceScoring, "objective.nce_scoring", "shared, matmul or gather");
        present(
                neighbourSource,
                "objective.neighbour_source",
                "features, bank, pixels, table, pixels_and_features or auto");
        require(
                neighbourSource != NeighbourSource.TABLE
                        || (neighbourTable != null && !neighbourTable.isBlank()),
                "objective.neighbour_table",
                "must name the table npid-spark neighbours wrote (OUT.neighbours.tsv) when"
                        + " objective.neighbour_source is table");
        require(temperature > 0, "objective.temperature", "must be positive, got " + temperature);
        require(nceNoise > 0, "objective.nce_noise", "must be positive, got " + nceNoise);
        require(
                nceZMomentum >= 0 && nceZMomentum < 1,
                "objective.nce_z_momentum",
                "must be in [0, 1) (0 = the paper's one-shot Z), got " + nceZMomentum);
        require(
                proximalLambda >= 0,
                "objective.proximal_lambda",
                "must be >= 0, got " + proximalLambda);
        require(
                neighbours >= 0,
                "objective.neighbours",
                "must be >= 0 (0 = off), got " + neighbours);
        require(
                neighbours == 0 || loss == Loss.SOFTMAX,
                "objective.neighbours",
                "needs objective.loss: softmax (the neighbourhood is scored exactly), got " + loss);
        require(
                views == 1 || views == 2,
                "objective.views",
                "must be 1 (the paper's) or 2 (two views per image), got " + views);
        require(
                views == 1
                        || (loss == Loss.SOFTMAX
                                && (neighbours == 0 || neighbourSource == NeighbourSource.AUTO)),
                "objective.views",
                "2 needs objective.loss: softmax and objective.neighbours: 0 (or neighbour_source:"
                        + " auto, which trains one view when it chooses neighbours), got loss "
                        + loss
                        + ", neighbours "
                        + neighbours);
        require(
                neighboursFromEpoch >= 1,
                "objective.neighbours_from_epoch",
                "must be >= 1 (the first epoch is 1), got " + neighboursFromEpoch);
    }

    /** Why each default is what it is. */
    static ObjectiveConfig defaults() {
        return new ObjectiveConfig(
                Loss.NCE, // the paper's scalable choice
                0.07f, // the paper's τ (the official CIFAR command uses 0.1)
                4096, // the paper's m
                0.99, // moving-average Z; 0 = the paper's one-shot Z, which can stall
                NceScoring.SHARED, // 1.8x the official step, same kNN as MATMUL after 10 epochs
                0f, // proximal term off, as in the paper's main results
                0, // 0 = the paper's loss
                2, // the untrained network's neighbours are mostly of other classes
                NeighbourSource.FEATURES, // works on any data; pixels need images of one size
                "", // no table: the run finds its own neighbours
                1); // the paper's one view per image
    }

    /** Whether the run goes beyond the paper's objective, and how, for the log; null if not. */
    public String beyondPaper() {
        StringBuilder sb = new StringBuilder();
        if (loss == Loss.NCE && nceZMomentum > 0) {
            sb.append("moving-average Z (nce_z_momentum ").append(nceZMomentum).append("); ");
        }
        if (loss == Loss.NCE && nceScoring == NceScoring.SHARED) {
            sb.append("batch-shared noise (nce_scoring: shared); ");
        }
        if (neighbours > 0 && neighbourSource == NeighbourSource.AUTO) {
            sb.append("AND neighbourhood positives (")
                    .append(neighbours)
                    .append(" pixel neighbours) if they pass the mutual-neighbour check; ");
        } else if (neighbours > 0) {
            sb.append("AND neighbourhood positives (neighbours ")
                    .append(neighbours)
                    .append(" from ")
                    .append(neighbourSource.name().toLowerCase(java.util.Locale.ROOT))
                    .append(neighbourSource == NeighbourSource.TABLE ? " " + neighbourTable : "")
                    .append("); ");
        }
        if (views == 2) {
            sb.append(
                    neighbours > 0
                            ? "two views per image with the other view as a positive, when the"
                                    + " check declines the neighbours (views 2); "
                            : "two views per image with the other view as a positive (views 2); ");
        }
        return sb.length() == 0 ? null : sb.substring(0, sb.length() - 2);
    }
}
