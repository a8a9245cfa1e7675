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

    /** Rotates the hue by {@code shift} turns via HSV, with torchvision's formulas. */
    static void hue(float[] px, int plane, float shift) {
        for (int i = 0; i < plane; i++) {
            float r = px[i] / MAX;
            float g = px[plane + i] / MAX;
            float b = px[2 * plane + i] / MAX;
            float maxc = Math.max(r, Math.max(g, b));
            float minc = Math.min(r, Math.min(g, b));
            float cr = maxc - minc;
            if (cr == 0) {
                // Gray pixels have no hue to rotate.
                continue;
            }
            float s = cr / maxc;
            float rc = (maxc - r) / cr;
            float gc = (maxc - g) / cr;
            float bc = (maxc - b) / cr;
            float h;
            if (maxc == r) {
                h = bc - gc;
            } else if (maxc == g) {
                h = 2f + rc - bc;
            } else {
                h = 4f + gc - rc;
            }
            h = h / 6f + 1f + shift;
            h -= (float) Math.floor(h);
            float v = maxc;
            float h6 = h * 6f;
            int sector = (int) h6;
            float f = h6 - sector;
            sector %= 6;
            float p = unit(v * (1 - s));
            float q = unit(v * (1 - s * f));
            float t = unit(v * (1 - s * (1 - f)));
            float ro;
            float go;
            float bo;
            switch (sector) {
                case 0 -> {
                    ro = v;
                    go = t;
                    bo = p;
                }
                case 1 -> {
                    ro = q;
                    go = v;
                    bo = p;
                }
                case 2 -> {
                    ro = p;
                    go = v;
                    bo = t;
                }
                case 3 -> {
                    ro = p;
                    go = q;
                    bo = v;
                }
                case 4 -> {
                    ro = t;
                    go = p;
                    bo = v;
                }
                default -> {
                    ro = v;
                    go = p;
                    bo = q;
                }
            }
            px[i] = ro * MAX;
            px[plane + i] = go * MAX;
            px[2 * plane + i] = bo * MAX;
        }
    }

    private static float clamp(float v) {
        return v < 0 ? 0 : Math.min(v, MAX);
    }

    private static float unit(float v) {
        return v < 0 ? 0 : Math.min(v, 1f);
    }
}
