package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class PcaTest {
    @Test
    void jacobiDiagonalisesASymmetricMatrix() {
        int d = 12;
        SplittableRandom rnd = new SplittableRandom(1);
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                a[i][j] = rnd.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        double[][] original = new double[d][];
        for (int i = 0; i < d; i++) {
            original[i] = a[i].clone();
        }
        double[][] v = new double[d][d];
        double[] values = Pca.jacobi(a, v);
        for (int k = 0; k < d; k++) {
            for (int i = 0; i < d; i++) {
                double av = 0;
                for (int j = 0; j < d; j++) {
                    av += original[i][j] * v[j][k];
                }
                assertThat(av).isCloseTo(values[k] * v[i][k], Offset.offset(1e-9));
            }
        }
    }

    @Test
    void uncentredAxesSpanALowRankSubspaceAndAreOrthonormal() {
        Matrix data = UnitVectors.lowRank(3000, 24, 3, 0.0f, 5, 6);
        Pca pca = Pca.fit(data, 3, false);
        Matrix axes = pca.axes();
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                float dot = ExactIndex.dot(axes.data(), a * 24, axes.data(), b * 24, 24);
                assertThat(dot).isCloseTo(a == b ? 1f : 0f, Offset.offset(1e-5f));
            }
        }
        double[] variances = pca.variances();
        assertThat(variances[0]).isGreaterThanOrEqualTo(variances[1]);
        assertThat(variances[1]).isGreaterThanOrEqualTo(variances[2]);
        // Noise-free rank-3 rows lie in the span of three axes: projecting keeps their norm.
        float[] out = new float[3];
        for (int r = 0; r < 100; r++) {
            pca.project(data.data(), r * 24, out);
            assertThat(ExactIndex.dot(out, 0, out, 0, 3)).isCloseTo(1f, Offset.offset(1e-4f));
        }
    }

    @Test
    void centredFitFindsTheStretchedDirectionWhateverTheMean() {
        SplittableRandom rnd = new SplittableRandom(3);
        Matrix data = Matrix.zeros(2000, 3);
        for (int i = 0; i < 2000; i++) {
            // Long along (1, 1, 0) / sqrt(2), short otherwise, centred at (5, -2, 7).
            double t = 4 * rnd.nextGaussian();
            data.data()[i * 3] = (float) (5 + t / Math.sqrt(2) + 0.1 * rnd.nextGaussian());
            data.data()[i * 3 + 1] = (float) (-2 + t / Math.sqrt(2) + 0.1 * rnd.nextGaussian());
            data.data()[i * 3 + 2] = (float) (7 + 0.1 * rnd.nextGaussian());
        }
        Pca pca = Pca.fit(data, 2, true);
        Matrix axes = pca.axes();
        // Signs are fixed so the largest entry is positive.
        assertThat(axes.data()[0]).isCloseTo((float) Math.sqrt(0.5), Offset.offset(1e-2f));
        assertThat(axes.data()[1]).isCloseTo((float) Math.sqrt(0.5), Offset.offset(1e-2f));
        assertThat(pca.variances()[0]).isCloseTo(16, Offset.offset(1.5));
        Matrix projected = pca.project(data);
        assertThat(projected.rows()).isEqualTo(2000);
        assertThat(projected.cols()).isEqualTo(2);
    }

    @Test
    void ofReusesStoredAxesAndBadArgumentsAreRefused() {
        Matrix data = UnitVectors.random(500, 8, 2);
        Pca fitted = Pca.fit(data, 4, true);
        Pca loaded = Pca.of(fitted.axes(), fitted.mean());
        assertThat(loaded.dim()).isEqualTo(8);
        assertThat(loaded.components()).isEqualTo(4);
        assertThat(loaded.project(data)).isEqualTo(fitted.project(data));
        assertThatThrownBy(() -> Pca.fit(data, 9, false)).hasMessageContaining("components");
        assertThatThrownBy(() -> Pca.fit(Matrix.zeros(0, 8), 2, false))
                .hasMessageContaining("rows");
        assertThatThrownBy(() -> fitted.project(Matrix.zeros(1, 7)))
                .hasMessageContaining("7 columns");
        assertThatThrownBy(() -> Pca.of(fitted.axes(), new float[3]))
                .hasMessageContaining("mean has 3 entries");
    }
}
