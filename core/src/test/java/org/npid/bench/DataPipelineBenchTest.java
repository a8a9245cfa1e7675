package org.npid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.npid.data.AugmentationParams;
import org.npid.data.ImageTransform;
import org.npid.data.TestData;
import org.npid.data.TrainAugmentation;

class DataPipelineBenchTest {
    @Test
    void reportsPositiveThroughput() {
        ImageTransform t =
                new TrainAugmentation(
                        AugmentationParams.official(
                                8, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f}));

        DataPipelineBench.Result r = DataPipelineBench.measure(TestData.memory(10), t, 200, 2);

        assertThat(r.images()).isEqualTo(200);
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.imagesPerSecond()).isPositive();
        assertThat(r.imagesPerSecondPerThread()).isEqualTo(r.imagesPerSecond() / 2);
    }
}
