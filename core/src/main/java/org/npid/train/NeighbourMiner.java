package org.npid.train;

import java.nio.file.Path;
import java.util.Locale;
import org.npid.config.ObjectiveConfig;
import org.npid.config.ObjectiveConfig.NeighbourSource;
import org.npid.config.TrainConfig;
import org.npid.data.Fitted;
import org.npid.data.ImageDataset;
import org.npid.eval.FeatureExtractor;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.RawPixels;
import org.npid.index.InvertedLists;
import org.npid.index.Matrix;
import org.npid.loss.InstanceObjective;
import org.npid.loss.NeighbourhoodSoftmax;

/**
 * The neighbourhood loss (AND, Huang et al. ICML 2019; beyond the paper) as one removable piece:
 * chooses each epoch's objective, and finds the neighbour table it needs, from the network's
 * features of the un-augmented images (each epoch), the images' pixels (once), or half from each.
 * With {@code neighbours: 0} it hands back the paper's objective every epoch.
 */
final class NeighbourMiner {
    /**
     * Cells of the inverted lists probed for the table: 20 of 128 found 99.9 % of the exact 200
     * neighbours of trained Fashion-MNIST test features (docs/BENCHMARKS.md), and cut the 60k × 60k
     * self-search of random unit vectors from 31–33 s to 7–8 s on one busy thread.
     */
    private static final int PROBES = 20;

    private final ObjectiveConfig config;
    private final RunData data;
    private final int lists;
    private final long seed;
    private final int workers;
    private final TrainListener listener;
    private final NeighbourhoodSoftmax neighbourhood;

    /** The pixel-space positives, found once: the images do not change. */
    private int[] pixelTable;

    /** The positives of {@code objective.neighbour_table}, read once: the file does not change. */
    private int[] fileTable;

    /** The table handed out last, so that an unchanged one is not reported again. */
    private int[] lastTable;

    NeighbourMiner(TrainConfig run, RunData data, TrainListener listener) {
        this.config = run.objective();
        this.data = data;
        this.lists = run.evaluation().lists();
        this.seed = run.seed();
        this.workers = run.workers();
        this.listener = listener;
        // A training set smaller than k + 1 images has fewer neighbours to give.
        int k = Math.min(config.neighbours(), data.train().size() - 1);
        this.neighbourhood = k > 0 ? new NeighbourhoodSoftmax(config.temperature(), k) : null;
    }

    /**
     * The objective of {@code epoch} (0-based): the paper's, or the neighbourhood loss with this
     * epoch's table. A run resumed mid-epoch passes the table it saved ({@code saved}), because the
     * network has moved on since the table was found.
     */
    InstanceObjective objectiveFor(int epoch, TrainingState state, int[] saved) {
        state.setNeighbourTable(null);
        if (neighbourhood == null || epoch + 1 < config.neighboursFromEpoch()) {
            return state.objective();
        }
        if (config.neighbourSource() != NeighbourSource.BANK) {
            int[] table = saved != null ? saved : table(state);
            neighbourhood.setTable(table);
            state.setNeighbourTable(table);
        }
        return neighbourhood;
    }

    /**
     * This epoch's table from the configured source; searched only when the source has changed
     * since the last one (the pixels never do), and its class share logged once per new table.
     */
    private int[] table(TrainingState state) {
        int n = data.train().size();
        int[] found =
                switch (config.neighbourSource()) {
                    case FEATURES -> featureTable(state);
                    case PIXELS -> pixelTable();
                    case TABLE -> fileTable();
                    case PIXELS_AND_FEATURES ->
                            NeighbourhoodSoftmax.merge(pixelTable(), featureTable(state), n);
                    case BANK ->
                            throw new IllegalStateException("the bank's neighbours need no table");
                    case AUTO ->
                            throw new IllegalStateException(
                                    "neighbour_source auto is resolved before training");
                };
        if (found != lastTable && data.train().labeled()) {
            listener.onMessage(
                    String.format(
                            Locale.ROOT,
                            "neighbours of the image's own class: %.2f %%",
                            100
                                    * NeighbourhoodSoftmax.labelAgreement(
                                            found, data.train().labels())));
        }
        lastTable = found;
        return found;
    }

    /**
     * Resolves {@code neighbour_source: auto} before a fresh run, by the label-free check of {@link
     * NeighbourSource#MUTUAL_SHARE}: pixel neighbours when enough of their relations are mutual,
     * else no neighbours (the paper's loss). The pixels are the images at the training resolution,
     * as the network sees them, so folders of mixed sizes are checked too. Any other config is
     * returned unchanged. The table the check searched comes back too, so that the run does not
     * search it again.
     */
    static Resolved resolveAuto(TrainConfig run, RunData data, TrainListener listener) {
        ObjectiveConfig o = run.objective();
        if (o.neighbours() == 0 || o.neighbourSource() != NeighbourSource.AUTO) {
            return new Resolved(run, null);
        }
        int[] table = null;
        int n = data.train().size();
        boolean pass;
        String verdict;
        try {
            int k = Math.min(o.neighbours(), n - 1);
            float[] pixels =
                    RawPixels.unitRows(
                            Fitted.to(data.train(), data.imageSize()), "neighbour_source: auto");
            table = selfSearch(pixels, n, k, run.evaluation().lists(), run.seed());
            double share = NeighbourhoodSoftmax.mutualShare(table, n);
            pass = share >= NeighbourSource.MUTUAL_SHARE;
            verdict =
                    String.format(
                            Locale.ROOT,
                            "%.1f %% of the pixel neighbours are mutual (the check needs %.0f %%)",
                            100 * share,
                            100 * NeighbourSource.MUTUAL_SHARE);
        } catch (IllegalArgumentException e) {
            pass = false;
            verdict = "no pixel neighbours (" + e.getMessage() + ")";
        }
        String instead =
                o.views() == 2
                        ? "not using them; training with two views per image, the other view a"
                                + " positive (beyond the paper)"
                        : "not using them; training with the paper's loss";
        listener.onMessage(
                "neighbour_source auto: "
                        + verdict
                        + ": "
                        + (pass
                                ? "training with them (AND positives, beyond the paper)"
                                : instead));
        return pass
                ? new Resolved(
                        run.withObjective(
                                o.withNeighbourSource(NeighbourSource.PIXELS, o.neighbours(), 1)),
                        table)
                : new Resolved(
                        run.withObjective(o.withNeighbourSource(o.neighbourSource(), 0, o.views())),
                        null);
    }

    /** A config with {@code auto} resolved, and the pixel table when the check chose it. */
    static final class Resolved {
        private final TrainConfig config;
        private final int[] pixelTable;

        Resolved(TrainConfig config, int[] pixelTable) {
            this.config = config;
            this.pixelTable = pixelTable;
        }

        TrainConfig config() {
            return config;
        }

        /** The table itself (n·k ints), not a copy; null when the check did not search one. */
        int[] pixelTable() {
            return pixelTable;
        }
    }

    /** The pixel table {@link #resolveAuto} already searched, so that it is not searched again. */
    void usePixelTable(int[] table) {
        pixelTable = table;
    }

    /** Each image's k nearest others by the current network's embedding of the clean images. */
    private int[] featureTable(TrainingState state) {
        long begin = System.nanoTime();
        ImageDataset train = data.train();
        float[] features =
                new FeatureExtractor(state.net(), KnnEvaluation.BATCH, workers)
                        .extract(state.manager(), train, data.testTransform());
        long embedded = System.nanoTime();
        int[] found = selfSearch(features);
        listener.onMessage(
                String.format(
                        Locale.ROOT,
                        "neighbours found: %.1f s to embed, %.1f s to search",
                        (embedded - begin) / 1e9,
                        (System.nanoTime() - embedded) / 1e9));
        return found;
    }

    /** The neighbours of {@code objective.neighbour_table}, read once per run. */
    private int[] fileTable() {
        if (fileTable == null) {
            Path file = Path.of(config.neighbourTable());
            fileTable = NeighbourTable.read(file, data.train(), neighbourhood.neighbours());
            listener.onMessage("neighbours read from " + file);
        }
        return fileTable;
    }

    /** Each image's k nearest others by the cosine of its raw pixels, found once per run. */
    private int[] pixelTable() {
        if (pixelTable == null) {
            long begin = System.nanoTime();
            float[] pixels;
            try {
                pixels =
                        RawPixels.unitRows(
                                Fitted.to(data.train(), data.imageSize()),
                                "neighbour_source: pixels");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        e.getMessage() + "; for such data set objective.neighbour_source: features",
                        e);
            }
            pixelTable = selfSearch(pixels);
            listener.onMessage(
                    String.format(
                            Locale.ROOT,
                            "pixel neighbours found: %.1f s",
                            (System.nanoTime() - begin) / 1e9));
        }
        return pixelTable;
    }

    private int[] selfSearch(float[] unitRows) {
        int n = data.train().size();
        listener.onMessage(
                "finding the "
                        + neighbourhood.neighbours()
                        + " neighbours of "
                        + n
                        + " training images");
        return selfSearch(unitRows, n, neighbourhood.neighbours(), lists, seed);
    }

    /** Each of the n unit rows' k nearest other rows, by inverted lists, as a positives table. */
    private static int[] selfSearch(float[] unitRows, int n, int k, int lists, long seed) {
        Matrix rows = new Matrix(n, unitRows.length / n, unitRows);
        try (InvertedLists index =
                InvertedLists.build(rows, lists, Math.min(PROBES, lists), seed, k + 1)) {
            return NeighbourhoodSoftmax.positives(index.searchAll(rows, k + 1), n);
        }
    }
}
