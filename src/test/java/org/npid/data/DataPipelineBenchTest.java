package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DataPipelineBenchTest {
    @Test
    void reportsPositiveThroughput() {
        ImageTransform t =
                new TrainAugmentation(
                        AugmentConfig.official(
                                8, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.2f, 0.2f, 0.2f}));

        DataPipelineBench.Result r = DataPipelineBench.measure(TestData.memory(10), t, 200, 2);

        assertThat(r.images()).isEqualTo(200);
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.imagesPerSecond()).isPositive();
        assertThat(r.imagesPerSecondPerThread()).isEqualTo(r.imagesPerSecond() / 2);
    }
}
