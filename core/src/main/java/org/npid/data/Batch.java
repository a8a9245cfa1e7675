package org.npid.data;

/**
 * A batch ready for the model.
 *
 * @param pixels {@code [batchSize, channels, height, width]} row-major
 * @param indices the NPID instance index of each sample
 * @param labels the class id of each sample, -1 when unlabeled
 */
// Arrays are what the model consumes; a Batch is built once and handed over, never compared.
@SuppressWarnings("ArrayRecordComponent")
public record Batch(
        float[] pixels,
        int batchSize,
        int channels,
        int height,
        int width,
        long[] indices,
        int[] labels) {
    public Batch {
        if (pixels.length != batchSize * channels * height * width) {
            throw new IllegalArgumentException(
                    "Batch pixels length "
                            + pixels.length
                            + " does not match batchSize*channels*height*width = "
                            + batchSize * channels * height * width);
        }
        if (indices.length != batchSize || labels.length != batchSize) {
            throw new IllegalArgumentException(
                    "Batch indices and labels must have batchSize = " + batchSize + " entries");
        }
    }
}
