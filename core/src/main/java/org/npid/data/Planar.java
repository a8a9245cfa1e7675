package org.npid.data;

/** Float working images: planar {@code [channels][height][width]}, values 0-255. */
final class Planar {
    static final float R = 0.299f;
    static final float G = 0.587f;
    static final float B = 0.114f;

    private Planar() {}

    /** Converts an HWC uint8 image to planar floats with {@code channels} channels. */
    static float[] of(Image img, int channels) {
        int n = img.width() * img.height();
        byte[] px = img.pixels();
        float[] out = new float[channels * n];
        if (img.channels() == channels) {
            if (channels == 1) {
                for (int i = 0; i < n; i++) {
                    out[i] = px[i] & 0xFF;
                }
            } else {
                for (int i = 0, p = 0; i < n; i++, p += 3) {
                    out[i] = px[p] & 0xFF;
                    out[n + i] = px[p + 1] & 0xFF;
                    out[2 * n + i] = px[p + 2] & 0xFF;
                }
            }
        } else if (channels == 3) {
            for (int i = 0; i < n; i++) {
                float v = px[i] & 0xFF;
                out[i] = v;
                out[n + i] = v;
                out[2 * n + i] = v;
            }
        } else {
            for (int i = 0, p = 0; i < n; i++, p += 3) {
                out[i] = R * (px[p] & 0xFF) + G * (px[p + 1] & 0xFF) + B * (px[p + 2] & 0xFF);
            }
        }
        return out;
    }
}
