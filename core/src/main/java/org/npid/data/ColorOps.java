package org.npid.data;

/**
 * torchvision's colour adjustments on planar float images of 0-255 values, each clamping its result
 * to [0, 255] as torchvision does after every step.
 */
final class ColorOps {
    private static final float MAX = 255f;

    private ColorOps() {}

    static void brightness(float[] px, int length, float factor) {
        for (int i = 0; i < length; i++) {
            px[i] = Math.min(MAX, px[i] * factor);
        }
    }

    /** Blends with the mean grayscale value of the whole image. */
    static void contrast(float[] px, int channels, int plane, float factor) {
        double sum = 0;
        if (channels == 1) {
            for (int i = 0; i < plane; i++) {
                sum += px[i];
            }
        } else {
            for (int i = 0; i < plane; i++) {
                sum += Planar.R * px[i] + Planar.G * px[plane + i] + Planar.B * px[2 * plane + i];
            }
        }
        float offset = (float) ((1 - factor) * sum / plane);
        for (int i = 0, n = channels * plane; i < n; i++) {
            px[i] = clamp(factor * px[i] + offset);
        }
    }

    /** Blends each pixel with its own grayscale value; RGB only. */
    static void saturation(float[] px, int plane, float factor) {
        float keep = 1 - factor;
        for (int i = 0; i < plane; i++) {
            float r = px[i];
            float g = px[plane + i];
            float b = px[2 * plane + i];
            float gray = keep * (Planar.R * r + Planar.G * g + Planar.B * b);
            px[i] = clamp(factor * r + gray);
            px[plane + i] = clamp(factor * g + gray);
            px[2 * plane + i] = clamp(factor * b + gray);
        }
    }

    /** Replaces each pixel by its ITU-R 601 luma in all three channels. */
    static void grayscale(float[] px, int plane) {
        for (int i = 0; i < plane; i++) {
            float gray = Planar.R * px[i] + Planar.G * px[plane + i] + Planar.B * px[2 * plane + i];
            px[i] = gray;
            px[plane + i] = gray;
            px[2 * plane + i] = gray;
        }
    }

    /**
     * Rotates the hue by {@code shift} turns. Equal to torchvision's RGB -> HSV -> RGB round trip,
     * simplified algebraically: value and saturation are unchanged, so in 0-255 units each output
     * channel is {@code max - chroma * ramp}, needing one division per pixel and no clamping.
     */
    static void hue(float[] px, int plane, float shift) {
        float sectors = 6f * shift;
        for (int i = 0; i < plane; i++) {
            float r = px[i];
            float g = px[plane + i];
            float b = px[2 * plane + i];
            // Plain comparisons: Math.max/min's NaN and -0.0 handling costs here and pixels are
            // never NaN.
            float maxc = r > g ? (r > b ? r : b) : (g > b ? g : b);
            float minc = r < g ? (r < b ? r : b) : (g < b ? g : b);
            float cr = maxc - minc;
            if (cr == 0) {
                // Gray pixels have no hue to rotate.
                continue;
            }
            float inv = 1f / cr;
            // Hue in sixths of a turn, in [-1, 5), then rotated and wrapped into [0, 6).
            float h;
            if (maxc == r) {
                h = (g - b) * inv;
            } else if (maxc == g) {
                h = 2f + (b - r) * inv;
            } else {
                h = 4f + (r - g) * inv;
            }
            h += sectors;
            if (h < 0) {
                h += 6f;
            } else if (h >= 6f) {
                h -= 6f;
            }
            if (h >= 6f) {
                // A tiny negative hue plus 6 can round up to exactly 6, which is hue 0.
                h = 0f;
            }
            px[i] = maxc - cr * ramp(h + 5f);
            px[plane + i] = maxc - cr * ramp(h + 3f);
            px[2 * plane + i] = maxc - cr * ramp(h + 1f);
        }
    }

    /**
     * The HSV-to-RGB channel profile (Wikipedia's alternative formula, equal to torchvision's
     * six-sector table): how far a channel sits below the maximum, as a fraction of the chroma.
     * Branch-free, which matters because sectors change unpredictably from pixel to pixel.
     */
    private static float ramp(float k) {
        float m = k >= 6f ? k - 6f : k;
        float v = m < 4f - m ? m : 4f - m;
        return v < 0f ? 0f : (v > 1f ? 1f : v);
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : Math.min(v, MAX);
    }
}
