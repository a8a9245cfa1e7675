package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ColorOpsTest {
    @Test
    void hueHalfTurnMapsRedToCyan() {
        float[] px = {255, 0, 0};
        ColorOps.hue(px, 1, 0.5f);
        assertThat(px).containsExactly(new float[] {0, 255, 255}, within(1e-3f));
    }

    @Test
    void hueThirdTurnMapsRedToGreen() {
        float[] px = {200, 0, 0};
        ColorOps.hue(px, 1, 1f / 3);
        assertThat(px).containsExactly(new float[] {0, 200, 0}, within(1e-3f));
    }

    @Test
    void saturationZeroGivesLuma() {
        float[] px = {100, 200, 50};
        ColorOps.saturation(px, 1, 0f);
        float luma = 0.299f * 100 + 0.587f * 200 + 0.114f * 50;
        assertThat(px).containsExactly(new float[] {luma, luma, luma}, within(1e-3f));
    }

    @Test
    void contrastZeroGivesMeanGrayAndBrightnessClamps() {
        float[] px = {0, 100, 50, 150};
        ColorOps.contrast(px, 1, 4, 0f);
        assertThat(px).containsExactly(new float[] {75, 75, 75, 75}, within(1e-3f));

        float[] bright = {100, 200};
        ColorOps.brightness(bright, 2, 1.5f);
        assertThat(bright).containsExactly(150f, 255f);
    }

    @Test
    void hueMatchesTorchvisionHsvRoundTrip() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int i = 0; i < 2000; i++) {
            float[] px = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
            float shift = (float) (rng.nextDouble() - 0.5);
            float[] expected = referenceHue(px[0] / 255f, px[1] / 255f, px[2] / 255f, shift);
            ColorOps.hue(px, 1, shift);
            assertThat(px).containsExactly(expected, within(0.01f));
        }
    }

    /** torchvision's _rgb2hsv, hue shift and _hsv2rgb, written out directly. */
    private static float[] referenceHue(float r, float g, float b, float shift) {
        float maxc = Math.max(r, Math.max(g, b));
        float minc = Math.min(r, Math.min(g, b));
        boolean eqc = maxc == minc;
        float cr = maxc - minc;
        float s = cr / (eqc ? 1 : maxc);
        float div = eqc ? 1 : cr;
        float rc = (maxc - r) / div;
        float gc = (maxc - g) / div;
        float bc = (maxc - b) / div;
        float h =
                (maxc == r ? bc - gc : 0)
                        + (maxc == g && maxc != r ? 2 + rc - bc : 0)
                        + (maxc != g && maxc != r ? 4 + gc - rc : 0);
        h = (h / 6 + 1) % 1;
        h = ((h + shift) % 1 + 1) % 1;
        int sector = (int) Math.floor(h * 6);
        float f = h * 6 - sector;
        sector %= 6;
        float p = clamp(maxc * (1 - s));
        float q = clamp(maxc * (1 - s * f));
        float t = clamp(maxc * (1 - s * (1 - f)));
        float[][] rgb = {
            {maxc, t, p}, {q, maxc, p}, {p, maxc, t}, {p, q, maxc}, {t, p, maxc}, {maxc, p, q}
        };
        float[] out = rgb[sector];
        return new float[] {out[0] * 255, out[1] * 255, out[2] * 255};
    }

    private static float clamp(float v) {
        return Math.max(0, Math.min(1, v));
    }
}
