package org.npid.data;

import java.util.SplittableRandom;

/** Turns one image into model input. Implementations keep all per-call state in the arguments. */
public interface ImageTransform {
    /**
     * Writes the transformed image as CHW floats into {@code dst} starting at {@code offset}.
     *
     * @param rng the only source of randomness, so the caller controls reproducibility
     */
    void apply(Image src, SplittableRandom rng, float[] dst, int offset);

    /** Output height and width. */
    int size();

    /** Output channels. */
    int channels();

    /** Number of floats {@link #apply} writes. */
    default int outputLength() {
        return channels() * size() * size();
    }
}
