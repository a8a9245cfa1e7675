package org.npid.train;

import org.npid.config.EvaluationConfig;
import org.npid.data.Fitted;
import org.npid.data.TestTransform;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.KnnResult;
import org.npid.eval.LabelledSplits;
import org.npid.eval.RawPixels;
import org.npid.loss.NceLoss;

/**
 * When and what the loop measures at the end of an epoch: the kNN of the test set against the
 * memory bank (cheap) and against recomputed training features (the honest figure), through the
 * same {@link KnnEvaluation} as {@code npid knn}.
 */
final class EpochEvaluator {
    private final EvaluationConfig config;
    private final LabelledSplits splits;
    private final int size;
    private final TestTransform transform;
    private final KnnEvaluation knn;
    private final TrainListener listener;

    EpochEvaluator(EvaluationConfig config, RunData data, int workers, TrainListener listener) {
        this.config = config;
        this.splits = data.labelled();
        this.size = data.imageSize();
        this.transform = data.testTransform();
        this.knn = KnnEvaluation.of(config, workers);
        this.listener = listener;
    }

    /**
     * The raw-pixel kNN baseline (the cosine of the images' own pixels), logged, for the run's
     * summary; NaN when the run has no labelled test set or its images differ in size.
     */
    double rawPixelsTop1() {
        if (splits == null) {
            return Double.NaN;
        }
        try {
            // At the training resolution, as the network sees them: one size even when the files
            // differ.
            LabelledSplits pixels =
                    new LabelledSplits(
                            Fitted.to(splits.train(), size), Fitted.to(splits.test(), size));
            KnnResult raw = RawPixels.knn(pixels, config.k(), config.temperature());
            listener.onMessage(
                    String.format(
                            java.util.Locale.ROOT,
                            "raw pixels (%d px): weighted kNN top-1 %.2f %%, 1-NN %.2f %%",
                            size,
                            100 * raw.top1(),
                            100 * raw.nn1()));
            return raw.top1();
        } catch (IllegalArgumentException e) {
            listener.onMessage("raw pixels: no baseline (" + e.getMessage() + ")");
            return Double.NaN;
        }
    }

    boolean bankDue(int epoch, boolean last) {
        return epoch > 0 && config.every() > 0 && (epoch % config.every() == 0 || last);
    }

    /** The first epoch too: that is where the bank's figure misleads most. */
    boolean recomputeDue(int epoch, boolean last) {
        int every = config.recomputeEvery();
        return (last && config.recomputeAtEnd())
                || epoch == 0
                || (every > 0 && (epoch == 1 || epoch % every == 0));
    }

    /** The metrics row of an epoch; {@code last} marks the run's final epoch. */
    EpochMetrics evaluate(EpochMetrics.Progress progress, boolean last, TrainingState state) {
        double z = state.objective() instanceof NceLoss nce ? nce.normaliser() : Double.NaN;
        int epoch = progress.epoch();
        boolean bankDue = bankDue(epoch, last);
        boolean recomputeDue = recomputeDue(epoch, last);
        if (splits == null || !(bankDue || recomputeDue)) {
            return EpochMetrics.of(progress, EpochMetrics.Knn.NONE, z);
        }
        // The test embeddings serve the bank's kNN and, for the embedding, the recomputed one; the
        // backbone's recomputed kNN embeds the test images itself.
        float[] queries = null;
        if (bankDue || knn.features() == EvaluationConfig.Features.EMBEDDING) {
            listener.onMessage(
                    "embedding "
                            + splits.test().size()
                            + (config.onValidation() ? " validation images" : " test images"));
            queries = knn.embeddings(state.net(), state.manager(), splits.test(), transform);
        }
        KnnResult bank =
                bankDue
                        ? knn.vote(state.manager(), state.bank().toFloatArray(), splits, queries)
                        : null;
        KnnResult recomputed = null;
        KnnResult live = null;
        if (recomputeDue) {
            listener.onMessage(
                    "recomputing the "
                            + knn.features().name().toLowerCase(java.util.Locale.ROOT)
                            + " features of "
                            + splits.train().size()
                            + " training images");
            recomputed =
                    knn.evaluate(state.net(), state.manager(), splits, transform, null, queries);
            WeightAverage average = state.average();
            if (average != null) {
                listener.onMessage("the same with the averaged weights");
                live = recomputed;
                recomputed =
                        average.apply(
                                () ->
                                        knn.evaluate(
                                                state.net(), state.manager(), splits, transform));
            }
        }
        return EpochMetrics.of(progress, new EpochMetrics.Knn(bank, recomputed, live), z);
    }
}
