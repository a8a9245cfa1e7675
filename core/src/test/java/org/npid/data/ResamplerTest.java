package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ResamplerTest {
    @Test
    void downscaleUsesPillowsWidenedTriangleFilter() {
        float[] row = {0, 70, 140, 210};
        float[] out = Resampler.resize(row, 1, 4, 1, 0, 0, 4, 1, 2, 1);
        assertThat(out).containsExactly(new float[] {50, 160}, within(1e-3f));
    }

    @Test
    void upscaleIsHalfPixelBilinearWithinTheCrop() {
        float[] img = {999, 0, 100, 999};
        float[] out = Resampler.resize(img, 1, 4, 1, 1, 0, 2, 1, 4, 1);
        assertThat(out).containsExactly(new float[] {0, 25, 75, 100}, within(1e-3f));
    }

    @Test
    void sameSizeCropIsCopied() {
        float[] img = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThat(Resampler.resize(img, 1, 3, 3, 1, 1, 2, 2, 2, 2)).containsExactly(5, 6, 8, 9);
    }
}
