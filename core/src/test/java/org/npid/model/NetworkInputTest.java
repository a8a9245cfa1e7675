package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class NetworkInputTest {
    @Test
    void pixelsBecomeATensorOfBatchChannelsHeightWidthInCOrder() {
        float[] pixels = new float[2 * 3 * 2 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = i;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = NetworkInput.of(m, pixels, 2, 3, 2, 4);
            assertThat(x.getShape()).isEqualTo(new Shape(2, 3, 2, 4));
            assertThat(x.toFloatArray()).containsExactly(pixels);
            // image 1, channel 2, row 1, column 3 is the last float
            assertThat(x.getFloat(1, 2, 1, 3)).isEqualTo(pixels.length - 1f);
        }
    }
}
