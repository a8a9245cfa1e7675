package org.npid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.npid.data.AugmentConfig;
import org.npid.data.Image;
import org.npid.data.ImageDataset;
import org.npid.data.ImageTransform;
import org.npid.data.TestData;
import org.npid.data.TrainAugmentation;

class DataPipelineBenchTest {
    @Test
    void reportsPositiveThroughput() {
        ImageTransform t =
                new TrainAugmentation(
                        AugmentConfig.official(
                                8, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f}));

        DataPipelineBench.Result r = DataPipelineBench.measure(distinctImages(10), t, 200, 2);

        assertThat(r.images()).isEqualTo(200);
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.imagesPerSecond()).isPositive();
        assertThat(r.imagesPerSecondPerThread()).isEqualTo(r.imagesPerSecond() / 2);
    }

    /** n distinct 8x8 RGB images. */
    private static ImageDataset distinctImages(int n) {
        Image[] images = new Image[n];
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[8 * 8 * 3];
            for (int p = 0; p < px.length; p++) {
                px[p] = (byte) (i * 7 + p * 13);
            }
            images[i] = new Image(8, 8, 3, px);
        }
        return TestData.memory(images);
    }
}
