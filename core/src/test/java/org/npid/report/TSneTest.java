package org.npid.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.npid.index.Matrix;

class TSneTest {
    private static final TSne.Settings QUICK = new TSne.Settings(15, 300, 100, 12, 0);

    @Test
    void equidistantPointsShareTheirAffinityEvenly() {
        // Three points at equal distances: every conditional p_j|i is 1/2 whatever the precision,
        // so p_ij = (1/2 + 1/2) / (2·3) = 1/6 off the diagonal.
        double[] d2 = {0, 1, 1, 1, 0, 1, 1, 1, 0};
        float[] p = TSne.jointAffinities(d2, 3, 2);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(p[i * 3 + j]).isCloseTo(i == j ? 0f : 1f / 6, within(1e-6f));
            }
        }
    }

    @Test
    void affinitiesAreSymmetricAndSumToOne() {
        Matrix x = blobs(3, 20, 5, 1);
        int n = x.rows();
        float[] p = TSne.jointAffinities(TSne.squaredDistances(x), n, 10);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            assertThat(p[i * n + i]).isZero();
            for (int j = 0; j < n; j++) {
                assertThat(p[i * n + j]).isEqualTo(p[j * n + i]);
                sum += p[i * n + j];
            }
        }
        assertThat(sum).isCloseTo(1.0, within(1e-4));
    }

    @Test
    void separatedClustersStaySeparatedInTheMap() {
        int perClass = 40;
        Matrix x = blobs(3, perClass, 10, 7);
        float[] y = TSne.embed(x, QUICK);
        int n = x.rows();
        assertThat(y).hasSize(2 * n);
        // Every point's nearest neighbour in the map is from its own cluster.
        for (int i = 0; i < n; i++) {
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double dx = y[2 * i] - y[2 * j];
                double dy = y[2 * i + 1] - y[2 * j + 1];
                double d = dx * dx + dy * dy;
                if (j != i && d < bestD) {
                    bestD = d;
                    best = j;
                }
            }
            assertThat(best / perClass)
                    .as("point %d at (%s, %s)", i, y[2 * i], y[2 * i + 1])
                    .isEqualTo(i / perClass);
        }
        // Deterministic: no random start.
        assertThat(TSne.embed(x, QUICK)).containsExactly(y);
    }

    @Test
    void rejectsAPerplexityAboveThePointCount() {
        assertThatThrownBy(() -> TSne.embed(blobs(2, 3, 4, 1), TSne.Settings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perplexity");
    }

    /** {@code k} Gaussian clusters of unit spread, centres 10 apart, in {@code d} dims. */
    private static Matrix blobs(int k, int perClass, int d, long seed) {
        Random r = new Random(seed);
        float[] x = new float[k * perClass * d];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < perClass; i++) {
                for (int j = 0; j < d; j++) {
                    x[(c * perClass + i) * d + j] =
                            (float) (r.nextGaussian() + (j == c % d ? 10 : 0));
                }
            }
        }
        return new Matrix(k * perClass, d, x);
    }
}
