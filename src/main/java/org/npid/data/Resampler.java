package org.npid.data;

/**
 * Separable bilinear (triangle filter) resizing of planar float images with Pillow's semantics:
 * pixel centres at half-integers, and the filter widened when shrinking so downscaling averages
 * instead of aliasing (torchvision's antialias=True). Upscaling is plain bilinear.
 */
final class Resampler {
    private Resampler() {}

    /** Filter taps for one axis: output i reads {@code count[i]} inputs from {@code start[i]}. */
    private record Taps(int[] start, int[] count, float[] weights, int stride) {}

    private static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[out];
        int[] count = new int[out];
        float[] weights = new float[out * stride];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int lo = Math.max(0, (int) (center - support + 0.5));
            int hi = Math.min(in, (int) (center + support + 0.5));
            double total = 0;
            for (int k = lo; k < hi; k++) {
                total += triangle((k - center + 0.5) / filterScale);
            }
            start[i] = lo;
            count[i] = hi - lo;
            for (int k = lo; k < hi; k++) {
                weights[i * stride + k - lo] =
                        (float)
                                (total == 0
                                        ? 0
                                        : triangle((k - center + 0.5) / filterScale) / total);
            }
        }
        return new Taps(start, count, weights, stride);
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
            int plane = c * width * height;
            for (int y = 0; y < cropH; y++) {
                int row = plane + (y0 + y) * width + x0;
                int tRow = y * outW;
                for (int x = 0; x < outW; x++) {
                    int s = row + h.start[x];
                    int w = x * h.stride;
                    float acc = 0;
                    for (int k = 0, n = h.count[x]; k < n; k++) {
                        acc += src[s + k] * h.weights[w + k];
                    }
                    tmp[tRow + x] = acc;
                }
            }
            int outPlane = c * outW * outH;
            for (int y = 0; y < outH; y++) {
                int o = outPlane + y * outW;
                int w = y * v.stride;
                for (int k = 0, n = v.count[y]; k < n; k++) {
                    float wk = v.weights[w + k];
                    int t = (v.start[y] + k) * outW;
                    for (int x = 0; x < outW; x++) {
                        out[o + x] += wk * tmp[t + x];
                    }
                }
            }
        }
        return out;
    }
}
