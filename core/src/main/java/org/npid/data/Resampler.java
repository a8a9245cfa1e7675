package org.npid.data;

/**
 * Separable bilinear (triangle filter) resizing of planar float images with Pillow's semantics:
 * pixel centres at half-integers, and the filter widened when shrinking so downscaling averages
 * instead of aliasing (torchvision's antialias=True). Upscaling is plain bilinear.
 */
final class Resampler {
    private Resampler() {}

    /**
     * Filter taps for one axis: output i reads inputs {@code index[i * taps + k]} with weights
     * {@code weight[i * taps + k]}. Every output has the same tap count (short windows are padded
     * with zero weights) so the inner loops have a fixed trip count.
     */
    @SuppressWarnings("ArrayRecordComponent") // private, per-call scratch, never compared
    private record Taps(int[] index, float[] weight, int taps) {}

    private static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int[] lo = new int[out];
        int[] hi = new int[out];
        double[] center = new double[out];
        int taps = 1;
        for (int i = 0; i < out; i++) {
            double c = (i + 0.5) * scale;
            int l = Math.max(0, (int) (c - support + 0.5));
            int h = Math.min(in, (int) (c + support + 0.5));
            // Pillow's window can include end taps of weight 0; skipping them saves a third of the
            // work when upscaling.
            while (h - l > 1 && triangle((l - c + 0.5) / filterScale) == 0) {
                l++;
            }
            while (h - l > 1 && triangle((h - 1 - c + 0.5) / filterScale) == 0) {
                h--;
            }
            lo[i] = l;
            hi[i] = h;
            center[i] = c;
            taps = Math.max(taps, h - l);
        }
        int[] index = new int[out * taps];
        float[] weight = new float[out * taps];
        for (int i = 0; i < out; i++) {
            double total = 0;
            for (int k = lo[i]; k < hi[i]; k++) {
                total += triangle((k - center[i] + 0.5) / filterScale);
            }
            for (int t = 0; t < taps; t++) {
                int k = lo[i] + t;
                index[i * taps + t] = Math.min(k, hi[i] - 1);
                weight[i * taps + t] =
                        k < hi[i] && total > 0
                                ? (float) (triangle((k - center[i] + 0.5) / filterScale) / total)
                                : 0f;
            }
        }
        return new Taps(index, weight, taps);
    }

    private static double triangle(double x) {
        double a = Math.abs(x);
        return a < 1 ? 1 - a : 0;
    }

    /**
     * Resizes the {@code cropW x cropH} region at ({@code x0}, {@code y0}) of a planar image to
     * {@code outW x outH}.
     */
    static float[] resize(
            float[] src,
            int channels,
            int width,
            int height,
            int x0,
            int y0,
            int cropW,
            int cropH,
            int outW,
            int outH) {
        float[] out = new float[channels * outW * outH];
        if (cropW == outW && cropH == outH) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < outH; y++) {
                    System.arraycopy(
                            src,
                            c * width * height + (y0 + y) * width + x0,
                            out,
                            c * outW * outH + y * outW,
                            outW);
                }
            }
            return out;
        }
        Taps h = taps(cropW, outW);
        Taps v = taps(cropH, outH);
        float[] tmp = new float[cropH * outW];
        for (int c = 0; c < channels; c++) {
            horizontal(src, c * width * height + y0 * width + x0, width, cropH, h, tmp, outW);
            vertical(tmp, v, out, c * outW * outH, outW, outH);
        }
        return out;
    }

    private static void horizontal(
            float[] src, int start, int width, int rows, Taps h, float[] tmp, int outW) {
        int taps = h.taps;
        int[] index = h.index;
        float[] weight = h.weight;
        for (int y = 0; y < rows; y++) {
            int row = start + y * width;
            int t = y * outW;
            if (taps == 2) {
                for (int x = 0; x < outW; x++) {
                    tmp[t + x] =
                            src[row + index[2 * x]] * weight[2 * x]
                                    + src[row + index[2 * x + 1]] * weight[2 * x + 1];
                }
            } else {
                for (int x = 0; x < outW; x++) {
                    float acc = 0;
                    for (int k = x * taps, end = k + taps; k < end; k++) {
                        acc += src[row + index[k]] * weight[k];
                    }
                    tmp[t + x] = acc;
                }
            }
        }
    }

    private static void vertical(float[] tmp, Taps v, float[] out, int start, int outW, int outH) {
        int taps = v.taps;
        for (int y = 0; y < outH; y++) {
            int o = start + y * outW;
            int base = y * taps;
            if (taps == 2) {
                int r0 = v.index[base] * outW;
                int r1 = v.index[base + 1] * outW;
                float w0 = v.weight[base];
                float w1 = v.weight[base + 1];
                for (int x = 0; x < outW; x++) {
                    out[o + x] = w0 * tmp[r0 + x] + w1 * tmp[r1 + x];
                }
            } else {
                for (int k = 0; k < taps; k++) {
                    int r = v.index[base + k] * outW;
                    float w = v.weight[base + k];
                    for (int x = 0; x < outW; x++) {
                        out[o + x] += w * tmp[r + x];
                    }
                }
            }
        }
    }

    /**
     * {@code image} with its shorter side {@code side} and its aspect ratio kept (the longer side
     * rounded), antialiased; the image itself when its shorter side is already {@code side} or
     * less: images are never enlarged here.
     */
    static Image toShortSide(Image image, int side) {
        int w = image.width();
        int h = image.height();
        if (Math.min(w, h) <= side) {
            return image;
        }
        int nw = w <= h ? side : (int) Math.max(1, Math.round((double) w * side / h));
        int nh = w <= h ? (int) Math.max(1, Math.round((double) h * side / w)) : side;
        int c = image.channels();
        return bytes(resize(Planar.of(image, c), c, w, h, 0, 0, w, h, nw, nh), c, nw, nh);
    }

    /** A planar float image (0–255) as interleaved bytes, rounded and clamped. */
    static Image bytes(float[] planar, int channels, int width, int height) {
        int n = width * height;
        byte[] out = new byte[n * channels];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < n; i++) {
                int v = Math.round(planar[c * n + i]);
                out[i * channels + c] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return new Image(width, height, channels, out);
    }
}
