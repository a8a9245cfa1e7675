package org.npid.train;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;

/**
 * Weighted kNN of a checkpoint on a data set, with training features recomputed, and the raw-pixel
 * baseline it is judged against.
 */
public final class Evaluation {
    private Evaluation() {}

    /** Which features of a trained network the kNN compares. */
    public enum Features {
        /** The paper's: the L2-normalised 128-d embedding v = f(x). */
        EMBEDDING,
        /** layer4 average-pooled, before the linear head, L2-normalised. */
        BACKBONE
    }

    /**
     * Embeds the training and test splits of {@code data} with the checkpoint's network and
     * classifies the test images by weighted kNN over the training embeddings.
     */
    public static KnnResult knn(Path checkpoint, Path data, int k, float temperature, int workers) {
        return knn(checkpoint, data, k, temperature, workers, Features.EMBEDDING);
    }

    /** As {@link #knn(Path, Path, int, float, int)}, on the chosen features. */
    public static KnnResult knn(
            Path checkpoint, Path data, int k, float temperature, int workers, Features features) {
        return knn(checkpoint, data, new KnnClassifier(k, temperature), workers, features);
    }

    /** As {@link #knn(Path, Path, int, float, int)}, with the given classifier and features. */
    public static KnnResult knn(
            Path checkpoint, Path data, KnnClassifier classifier, int workers, Features features) {
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset test = Datasets.open(data, Split.TEST);
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    "kNN needs labels: " + data + " has no class folders or label files");
        }
        try (TrainedModel model = TrainedModel.load(checkpoint, train.channels())) {
            boolean backbone = features == Features.BACKBONE;
            float[] bank =
                    backbone
                            ? model.embedBackbone(train, 256, workers)
                            : model.embed(train, 256, workers);
            float[] queries =
                    backbone
                            ? model.embedBackbone(test, 256, workers)
                            : model.embed(test, 256, workers);
            return classifier.evaluate(
                    model.manager(),
                    bank,
                    labels(train),
                    queries,
                    labels(test),
                    train.classNames().size());
        }
    }

    /**
     * The raw-pixel baseline of the same protocol: each image's pixels (0–1) as one L2-normalised
     * vector, so the kNN similarity is the cosine between images. All images must share one size.
     */
    public static KnnResult rawPixelKnn(Path data, int k, float temperature) {
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset test = Datasets.open(data, Split.TEST);
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    "kNN needs labels: " + data + " has no class folders or label files");
        }
        int dim = train.image(0).pixels().length;
        try (NDManager manager = NDManager.newBaseManager()) {
            return new KnnClassifier(k, temperature)
                    .evaluate(
                            manager,
                            pixelVectors(train, dim, "the raw-pixel baseline"),
                            labels(train),
                            pixelVectors(test, dim, "the raw-pixel baseline"),
                            labels(test),
                            train.classNames().size());
        }
    }

    /**
     * Each image's raw pixels (0–1) as one L2-normalised row, for a cosine search of the images
     * themselves; {@code user} names what needs them, for the error when sizes differ.
     */
    static float[] pixelVectors(ImageDataset ds, String user) {
        return pixelVectors(ds, ds.image(0).pixels().length, user);
    }

    private static float[] pixelVectors(ImageDataset ds, int dim, String user) {
        float[] out = new float[Math.multiplyExact(ds.size(), dim)];
        for (int i = 0; i < ds.size(); i++) {
            byte[] px = ds.image(i).pixels();
            if (px.length != dim) {
                throw new IllegalArgumentException(
                        ds.source(i)
                                + " has "
                                + px.length
                                + " pixel values, the first image "
                                + dim
                                + ": "
                                + user
                                + " needs images of one size and mode");
            }
            double norm2 = 0;
            for (int j = 0; j < dim; j++) {
                float v = (px[j] & 0xFF) / 255f;
                out[i * dim + j] = v;
                norm2 += v * v;
            }
            float inv = norm2 > 0 ? (float) (1 / Math.sqrt(norm2)) : 0f;
            for (int j = 0; j < dim; j++) {
                out[i * dim + j] *= inv;
            }
        }
        return out;
    }

    /** Every sample's label, in order. */
    public static int[] labels(ImageDataset ds) {
        int[] labels = new int[ds.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = ds.label(i);
        }
        return labels;
    }
}
