package org.npid.data;

import java.util.List;

/**
 * A data set of images. A sample's position is its NPID instance index, so implementations must
 * keep a deterministic order.
 */
public interface ImageDataset {
    int size();

    /** 1 for grayscale data sets, else 3; every {@link #image} has this many channels. */
    int channels();

    /** Class id of the sample, or -1 when the data set is unlabeled. */
    int label(int index);

    /** Class names indexed by label; empty when unlabeled. */
    List<String> classNames();

    /**
     * The decoded image (from the in-memory cache when cached).
     *
     * @throws DataException when the file is corrupt; the message names it
     */
    Image image(int index);

    /** Where the sample comes from: a file path, or e.g. {@code data_batch_1.bin#123}. */
    String source(int index);

    /**
     * Image {@code index} with its shorter side at most {@code side} pixels (downscaled with
     * antialiasing, aspect ratio kept; never enlarged). Folders of large files override it to
     * decode at a reduced size instead of decoding the whole file first.
     */
    default Image image(int index, int side) {
        return Resampler.toShortSide(image(index), side);
    }

    /** The shorter side of image {@code index}, read from the file's header where it can be. */
    default int shortSide(int index) {
        Image image = image(index);
        return Math.min(image.width(), image.height());
    }

    /** Image {@code index}'s width times height, read from the file's header where it can be. */
    default long area(int index) {
        Image image = image(index);
        return (long) image.width() * image.height();
    }

    /**
     * Whether {@link #image(int)} is served from memory; false when it decodes a file on every
     * call, so a run should cache the images first ({@link ImageCache}).
     */
    default boolean inMemory() {
        return true;
    }

    default boolean labeled() {
        return !classNames().isEmpty();
    }

    /** Every sample's label, in order. */
    default int[] labels() {
        int[] labels = new int[size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label(i);
        }
        return labels;
    }
}
