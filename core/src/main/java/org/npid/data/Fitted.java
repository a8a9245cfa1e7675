package org.npid.data;

import java.util.List;

/**
 * A data set's images as the network sees them at evaluation, before normalisation: the shorter
 * side resized to {@code size}, then the centre {@code size x size} crop ({@link TestTransform}'s
 * geometry), as bytes. Every image then has one size, so the raw-pixel baseline and the
 * pixel-neighbour search work on folders of mixed sizes, at the training resolution.
 */
public final class Fitted implements ImageDataset {
    private final ImageDataset base;
    private final int size;

    private Fitted(ImageDataset base, int size) {
        this.base = base;
        this.size = size;
    }

    /** {@code base} at {@code size x size}; {@code base} itself when every image is that size. */
    public static ImageDataset to(ImageDataset base, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        if (!base.inMemory()) {
            return new Fitted(base, size);
        }
        for (int i = 0; i < base.size(); i++) {
            // From the sizes alone: reading every image only to learn its size copies them all.
            if (base.shortSide(i) != size || base.area(i) != (long) size * size) {
                return new Fitted(base, size);
            }
        }
        return base;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public int label(int index) {
        return base.label(index);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public Image image(int index) {
        Image src = base.image(index, 2 * size);
        int c = base.channels();
        float[] px = TestTransform.fit(Planar.of(src, c), c, src.width(), src.height(), size);
        return Resampler.bytes(px, c, size, size);
    }

    @Override
    public String source(int index) {
        return base.source(index);
    }
}
