package org.npid.eval;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.npid.data.ImageDataset;

/**
 * The images' own pixels as features: the raw-pixel kNN baseline a learned feature is judged
 * against, and the pixel neighbours of the neighbourhood loss.
 */
public final class RawPixels {
    private RawPixels() {}

    /**
     * The raw-pixel baseline of the kNN protocol: each image's pixels (0–1) as one L2-normalised
     * vector, so the kNN similarity is the cosine between images. All images must share one size.
     */
    public static KnnResult knn(Path data, int k, float temperature) {
        return knn(LabelledSplits.open(data, "kNN"), k, temperature);
    }

    /** As {@link #knn(Path, int, float)}, for splits already open. */
    public static KnnResult knn(LabelledSplits splits, int k, float temperature) {
        try (NDManager manager = NDManager.newBaseManager()) {
            return new KnnClassifier(k, temperature)
                    .evaluate(
                            manager,
                            unitRows(splits.train(), "the raw-pixel baseline"),
                            splits.train().labels(),
                            unitRows(splits.test(), splits.train(), "the raw-pixel baseline"),
                            splits.test().labels(),
                            splits.classes());
        }
    }

    /**
     * Each image's raw pixels (0–1) as one L2-normalised row, for a cosine search of the images
     * themselves; {@code user} names what needs them, for the error when sizes differ.
     */
    public static float[] unitRows(ImageDataset ds, String user) {
        return unitRows(ds, ds, user);
    }

    /** As {@link #unitRows(ImageDataset, String)}, requiring the size of {@code like}'s images. */
    private static float[] unitRows(ImageDataset ds, ImageDataset like, String user) {
        int dim = like.image(0).pixels().length;
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
}
