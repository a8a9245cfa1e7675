package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
}
