package org.npid.eval;

import ai.djl.ndarray.NDManager;
import org.npid.config.EvaluationConfig;
import org.npid.config.EvaluationConfig.Features;
import org.npid.data.ImageDataset;
import org.npid.data.TestTransform;
import org.npid.model.NpidNet;

/**
 * The one way npid measures a network (Sec. 4.1): embed the training and test images with the test
 * transform, then let each test image's k nearest training features vote. Training's end-of-epoch
 * figure, {@code npid knn}, the report and the benchmark all call this, so one checkpoint gives one
 * top-1 whatever the command.
 */
public final class KnnEvaluation {
    /** Images per forward pass: large enough to keep the cores busy, small enough for any RAM. */
    public static final int BATCH = 256;

    private final KnnClassifier classifier;
    private final Features features;
    private final int workers;

    public KnnEvaluation(KnnClassifier classifier, Features features, int workers) {
        this.classifier = classifier;
        this.features = features;
        this.workers = workers;
    }

    /** The evaluation a run's {@code evaluation:} section describes. */
    public static KnnEvaluation of(EvaluationConfig c, int workers) {
        KnnClassifier exact = new KnnClassifier(c.k(), c.temperature());
        return new KnnEvaluation(
                c.probes() > 0 ? exact.withInvertedLists(c.lists(), c.probes()) : exact,
                c.features(),
                workers);
    }

    public Features features() {
        return features;
    }

    /**
     * Row-major unit-norm features of every image of {@code data}: the embedding v, or the pooled
     * backbone below the head.
     */
    public float[] features(
            NpidNet net, NDManager manager, ImageDataset data, TestTransform transform) {
        return features == Features.BACKBONE
                ? new FeatureExtractor(net.backbone(), BATCH, workers)
                        .extractUnitRows(manager, data, transform)
                : new FeatureExtractor(net, BATCH, workers).extract(manager, data, transform);
    }

    /** Recomputes both splits' features with {@code net} and classifies the test split. */
    public KnnResult evaluate(
            NpidNet net, NDManager manager, LabelledSplits data, TestTransform transform) {
        return evaluate(net, manager, data, transform, null, null);
    }

    /**
     * As {@link #evaluate(NpidNet, NDManager, LabelledSplits, TestTransform)}, reusing either
     * split's embeddings by the same network when the caller has them (either may be null): the
     * training loop embeds the test set once for the bank's kNN and this one, the report both.
     */
    public KnnResult evaluate(
            NpidNet net,
            NDManager manager,
            LabelledSplits data,
            TestTransform transform,
            float[] trainEmbeddings,
            float[] testEmbeddings) {
        boolean reuse = features == Features.EMBEDDING;
        float[] rows =
                reuse && trainEmbeddings != null
                        ? trainEmbeddings
                        : features(net, manager, data.train(), transform);
        float[] queries =
                reuse && testEmbeddings != null
                        ? testEmbeddings
                        : features(net, manager, data.test(), transform);
        return vote(manager, rows, data, queries);
    }

    /** The paper's embedding of every image of {@code data}, whatever {@link #features()} is. */
    public float[] embeddings(
            NpidNet net, NDManager manager, ImageDataset data, TestTransform transform) {
        return new FeatureExtractor(net, BATCH, workers).extract(manager, data, transform);
    }

    /** Classifies {@code queries} (features of the test split) against training {@code rows}. */
    public KnnResult vote(NDManager manager, float[] rows, LabelledSplits data, float[] queries) {
        return classifier.evaluate(
                manager,
                rows,
                data.train().labels(),
                queries,
                data.test().labels(),
                data.classes());
    }
}
