package org.npid.data;

/** The last step of every transform: {@code (x / 255 - mean) / std}, written as CHW floats. */
final class Normalization {
    private final int channels;
    private final float[] scale;
    private final float[] bias;

    Normalization(float[] mean, float[] std) {
        check(mean, std);
        channels = mean.length;
        scale = new float[channels];
        bias = new float[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = 1f / (255f * std[c]);
            bias[c] = -mean[c] / std[c];
        }
    }

    static void check(float[] mean, float[] std) {
        if (mean == null || std == null) {
            throw new IllegalArgumentException("mean and std must not be null");
        }
        if (mean.length != 1 && mean.length != 3) {
            throw new IllegalArgumentException(
                    "mean must have 1 or 3 entries (one per channel), got " + mean.length);
        }
        if (std.length != mean.length) {
            throw new IllegalArgumentException(
                    "std must have as many entries as mean ("
                            + mean.length
                            + "), got "
                            + std.length);
        }
        for (float s : std) {
            if (!(s > 0) || !Float.isFinite(s)) {
                throw new IllegalArgumentException("std entries must be finite and > 0, got " + s);
            }
        }
        for (float m : mean) {
            if (!Float.isFinite(m)) {
                throw new IllegalArgumentException("mean entries must be finite, got " + m);
            }
        }
    }

    int channels() {
        return channels;
    }

    /**
     * Normalises a planar {@code [channels][side][side]} image of 0-255 floats into {@code dst},
     * mirroring each row when {@code flip} is set.
     */
    void write(float[] planar, int side, boolean flip, float[] dst, int offset) {
        int plane = side * side;
        for (int c = 0; c < channels; c++) {
            float s = scale[c];
            float b = bias[c];
            int base = c * plane;
            int out = offset + base;
            if (!flip) {
                for (int i = 0; i < plane; i++) {
                    dst[out + i] = planar[base + i] * s + b;
                }
            } else {
                for (int y = 0; y < side; y++) {
                    int row = base + y * side;
                    int outRow = out + y * side;
                    for (int x = 0; x < side; x++) {
                        dst[outRow + x] = planar[row + side - 1 - x] * s + b;
                    }
                }
            }
        }
    }
}
