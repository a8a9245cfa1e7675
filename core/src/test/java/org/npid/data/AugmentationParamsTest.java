package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AugmentationParamsTest {
    private static final float[] M = {0.5f, 0.5f, 0.5f};
    private static final float[] S = {0.25f, 0.25f, 0.25f};

    @Test
    void officialMatchesThePaperCode() {
        AugmentationParams c = AugmentationParams.official(32, M, S);
        assertThat(c.scaleMin()).isEqualTo(0.2);
        assertThat(c.scaleMax()).isEqualTo(1.0);
        assertThat(c.ratioMin()).isEqualTo(0.75);
        assertThat(c.ratioMax()).isEqualTo(4.0 / 3.0);
        assertThat(c.brightness()).isEqualTo(0.4);
        assertThat(c.hue()).isEqualTo(0.4);
        assertThat(c.grayscaleP()).isEqualTo(0.2);
        assertThat(c.flip()).isFalse();
        assertThat(c.channels()).isEqualTo(3);
        assertThat(c).isEqualTo(AugmentationParams.official(32, M, S));
    }

    @Test
    void hashAndTextAreThoseOfEveryField() {
        AugmentationParams c = AugmentationParams.official(32, M, S);
        assertThat(c.hashCode()).isEqualTo(1738317614);
        assertThat(c)
                .hasToString(
                        "AugmentationParams[size=32, scale=0.2-1.0, ratio=0.75-1.3333333333333333,"
                                + " brightness=0.4, contrast=0.4, saturation=0.4, hue=0.4,"
                                + " grayscaleP=0.2, flip=false, mean=[0.5, 0.5, 0.5],"
                                + " std=[0.25, 0.25, 0.25]]");
    }

    @Test
    void rejectsBadFieldsNamingThem() {
        assertThatThrownBy(() -> AugmentationParams.official(0, M, S)).hasMessageContaining("size");
        assertThatThrownBy(
                        () -> new AugmentationParams(8, 0.5, 0.4, 1, 1, 0, 0, 0, 0, 0, false, M, S))
                .hasMessageContaining("scaleMin");
        assertThatThrownBy(() -> new AugmentationParams(8, 1, 1, 0, 1, 0, 0, 0, 0, 0, false, M, S))
                .hasMessageContaining("ratioMin");
        assertThatThrownBy(() -> new AugmentationParams(8, 1, 1, 1, 1, -1, 0, 0, 0, 0, false, M, S))
                .hasMessageContaining("brightness");
        assertThatThrownBy(
                        () -> new AugmentationParams(8, 1, 1, 1, 1, 0, 0, 0, 0.6, 0, false, M, S))
                .hasMessageContaining("hue");
        assertThatThrownBy(() -> new AugmentationParams(8, 1, 1, 1, 1, 0, 0, 0, 0, 2, false, M, S))
                .hasMessageContaining("grayscaleP");
        assertThatThrownBy(() -> AugmentationParams.official(8, M, new float[] {1}))
                .hasMessageContaining("std");
        assertThatThrownBy(() -> AugmentationParams.official(8, M, new float[] {1, 0, 1}))
                .hasMessageContaining("std");
    }

    @Test
    void defensivelyCopiesArrays() {
        float[] mean = M.clone();
        AugmentationParams c = AugmentationParams.official(8, mean, S);
        mean[0] = 9;
        c.mean()[1] = 9;
        assertThat(c.mean()).containsExactly(M);
    }
}
