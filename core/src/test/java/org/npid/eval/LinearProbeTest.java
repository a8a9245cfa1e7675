package org.npid.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    @Test
    void separatesLinearlySeparableClasses() {
        int classes = 3;
        int d = 6;
        int n = 300;
        SplittableRandom rng = new SplittableRandom(1);
        float[] x = new float[n * d];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % classes;
            for (int c = 0; c < d; c++) {
                x[i * d + c] = (float) (rng.nextGaussian() * 0.3 + (c == y[i] ? 2 : 0));
            }
        }
        try (NDManager m = NDManager.newBaseManager();
                LinearProbe probe = new LinearProbe(m, d, classes, 1e-4f)) {
            NDArray features = m.create(x, new Shape(n, d));
            NDArray labels = m.create(y);
            float first = probe.step(features, labels, 0.1f);
            float last = first;
            for (int i = 0; i < 50; i++) {
                last = probe.step(features, labels, 0.1f);
            }
            // At zero weights the loss is exactly log(3).
            assertThat(first)
                    .isCloseTo((float) Math.log(3), org.assertj.core.api.Assertions.within(1e-5f));
            assertThat(last).isLessThan(0.2f);
            long[] pred = probe.predict(features);
            int hits = 0;
            for (int i = 0; i < n; i++) {
                hits += pred[i] == y[i] ? 1 : 0;
            }
            assertThat(hits).isGreaterThanOrEqualTo(295);
        }
    }
}
