package org.npid.eval;

import org.npid.data.ImageDataset;

/**
 * A trained network that embeds images for inference, whichever engine runs it: {@link
 * TrainedModel} (libtorch through DJL) or {@link OnnxModel} (ONNX Runtime, on an exported model).
 * Both apply npid's test transform and give the same rows up to float rounding.
 */
public interface ImageEmbedder extends AutoCloseable {

    /**
     * Row-major {@code [n, d]} L2-normalised embeddings of a whole data set, in its order.
     *
     * @param data images of {@link #channels()} channels
     * @param batchSize images per forward pass
     * @param workers threads that decode and transform images
     * @return the embeddings
     */
    float[] embed(ImageDataset data, int batchSize, int workers);

    /**
     * Identifies the weights and input normalisation: two models that embed alike have the same (an
     * ONNX export has its checkpoint's), so embeddings can name the model that made them.
     *
     * @return the fingerprint
     */
    String fingerprint();

    /**
     * Returns the length of an embedding.
     *
     * @return d
     */
    int embeddingDim();

    /**
     * Returns the channels of the images the model takes.
     *
     * @return 1 or 3
     */
    int channels();

    @Override
    void close();
}
