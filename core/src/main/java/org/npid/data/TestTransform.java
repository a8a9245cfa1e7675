package org.npid.data;

import java.util.SplittableRandom;

/**
 * The evaluation transform: resize the shorter side to {@code size} (bilinear) when needed, centre
 * crop to {@code size x size}, normalise. Deterministic: the random source is ignored.
 */
public final class TestTransform implements ImageTransform {
    private final int size;
    private final Normalization norm;

    public TestTransform(int size, float[] mean, float[] std) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        this.size = size;
        this.norm = new Normalization(mean, std);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int channels() {
        return norm.channels();
    }

    @Override
    public void apply(Image src, SplittableRandom rng, float[] dst, int offset) {
        int c = norm.channels();
        norm.write(
                fit(Planar.of(src, c), c, src.width(), src.height(), size),
                size,
                false,
                dst,
                offset);
    }

    /**
     * The geometry of the transform on a planar image: the shorter side resized to {@code size},
     * then the centre {@code size x size} crop. {@link Fitted} shares it, so the raw-pixel baseline
     * sees what the network sees.
     */
    static float[] fit(float[] px, int c, int w, int h, int size) {
        if (Math.min(w, h) != size) {
            // torchvision Resize(int): the longer side is truncated, not rounded.
            int nw = w <= h ? size : (int) ((long) size * w / h);
            int nh = w <= h ? (int) ((long) size * h / w) : size;
            px = Resampler.resize(px, c, w, h, 0, 0, w, h, nw, nh);
            w = nw;
            h = nh;
        }
        int top = (int) Math.rint((h - size) / 2.0);
        int left = (int) Math.rint((w - size) / 2.0);
        if (w != size || h != size) {
            px = Resampler.resize(px, c, w, h, left, top, size, size, size, size);
        }
        return px;
    }
}
