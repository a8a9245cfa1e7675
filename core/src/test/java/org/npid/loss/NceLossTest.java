package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;
import org.npid.config.ObjectiveConfig.NceScoring;
import org.npid.memory.MemoryBank;

class NceLossTest {
    private static final int N = 6;
    private static final int D = 3;
    private static final int M = 4;
    private static final float TAU = 0.5f;

    /** The paper's Eq. (4)–(7) in doubles, drawing the same noise the loss draws. */
    private static double[] expected(float[] bank, float[] v, long[] idx, long seed, double z) {
        SplittableRandom rng = new SplittableRandom(seed);
        return expected(bank, v, idx, (i, j) -> rng.nextInt(N), z);
    }

    /**
     * The paper's Eq. (4)–(7) in doubles, {@code noise.applyAsInt(i, j)} being the bank row of
     * noise sample j (1 to M) of batch row i; a NaN {@code z} is estimated from the batch as Eq.
     * (7) does. Returns the loss and Z.
     */
    private static double[] expected(
            float[] bank, float[] v, long[] idx, IntBinaryOperator noise, double z) {
        int b = idx.length;
        double[][] s = new double[b][M + 1];
        double sumExp = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j <= M; j++) {
                int col = j == 0 ? (int) idx[i] : noise.applyAsInt(i, j);
                double dot = 0;
                for (int c = 0; c < D; c++) {
                    dot += bank[col * D + c] * v[i * D + c];
                }
                s[i][j] = Math.exp(dot / TAU);
                sumExp += s[i][j];
            }
        }
        if (Double.isNaN(z)) {
            z = sumExp / (b * (M + 1)) * N; // Eq. (7): Z ≈ n · E[exp(v·f/τ)]
        }
        double pn = 1.0 / N;
        double loss = 0;
        for (int i = 0; i < b; i++) {
            double p = s[i][0] / z;
            loss -= Math.log(p / (p + M * pn)); // log h(i, v)
            for (int j = 1; j <= M; j++) {
                double q = s[i][j] / z;
                loss -= Math.log(1 - q / (q + M * pn)); // log(1 − h(j, v))
            }
        }
        return new double[] {loss / b, z};
    }

    private static float loss(NceLoss nce, float[] bankRows, float[] v, long[] idx, long seed) {
        return Objectives.loss(nce, bankRows, D, v, idx, seed);
    }

    @Test
    void lossWithOneShotZMatchesThePaperByHand() {
        float[] bankRows = unitRows(N, D, 11);
        float[] v = unitRows(2, D, 12);
        long[] idx = {3, 5};
        NceLoss nce = new NceLoss(M, TAU, 0, NceScoring.MATMUL);
        float loss1 = loss(nce, bankRows, v, idx, 99);
        double[] e1 = expected(bankRows, v, idx, 99, Double.NaN);
        assertThat((double) loss1).isCloseTo(e1[0], within(1e-4));
        assertThat(nce.normaliser()).isCloseTo(e1[1], within(1e-4 * e1[1]));
        // The paper's Z is estimated once: a second batch reuses it.
        float loss2 = loss(nce, bankRows, v, idx, 5);
        double[] e2 = expected(bankRows, v, idx, 5, e1[1]);
        assertThat((double) loss2).isCloseTo(e2[0], within(1e-4));
        assertThat(nce.normaliser()).isCloseTo(e1[1], within(1e-4 * e1[1]));
    }

    @Test
    void movingAverageZFollowsEachBatch() {
        NceLoss nce = new NceLoss(M, TAU, 0.9, NceScoring.MATMUL);
        float[] bankRows = unitRows(N, D, 21);
        float[] v = unitRows(2, D, 22);
        long[] idx = {0, 1};
        loss(nce, bankRows, v, idx, 1);
        double z1 = expected(bankRows, v, idx, 1, Double.NaN)[1];
        loss(nce, bankRows, v, idx, 2);
        double z2 = expected(bankRows, v, idx, 2, Double.NaN)[1];
        assertThat(nce.normaliser()).isCloseTo(0.9 * z1 + 0.1 * z2, within(1e-4 * z1));
    }

    @Test
    void matmulAndGatherScoringAgreeInValueAndGradient() {
        float[] bankRows = unitRows(N, D, 31);
        float[] v = unitRows(3, D, 32);
        long[] idx = {0, 2, 4};
        float[][] grads = new float[2][];
        float[] losses = new float[2];
        NceScoring[] modes = NceScoring.values();
        for (int k = 0; k < 2; k++) {
            try (NDManager m = NDManager.newBaseManager();
                    MemoryBank bank = MemoryBank.fromArray(m, bankRows, N, D, 0.5f, false)) {
                NDArray va = m.create(v, new Shape(3, D));
                va.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss =
                            new NceLoss(M, TAU, 0, modes[k])
                                    .loss(va, m.create(idx), bank, new SplittableRandom(3));
                    losses[k] = loss.getFloat();
                    gc.backward(loss);
                }
                grads[k] = va.getGradient().toFloatArray();
            }
        }
        assertThat(losses[1]).isCloseTo(losses[0], within(1e-5f));
        for (int i = 0; i < grads[0].length; i++) {
            assertThat(grads[1][i]).isCloseTo(grads[0][i], within(1e-5f));
        }
    }

    @Test
    void sharedNoiseMatchesThePaperWithTheSameNoiseForEveryImage() {
        float[] bankRows = unitRows(N, D, 41);
        float[] v = unitRows(2, D, 42);
        long[] idx = {1, 4};
        SplittableRandom draw = new SplittableRandom(8);
        int[] noise = new int[M];
        for (int j = 0; j < M; j++) {
            noise[j] = draw.nextInt(N);
        }
        double expected = expected(bankRows, v, idx, (i, j) -> noise[j - 1], Double.NaN)[0];
        float loss = loss(new NceLoss(M, TAU, 0, NceScoring.SHARED), bankRows, v, idx, 8);
        assertThat((double) loss).isCloseTo(expected, within(1e-4));
    }

    @Test
    void stateRoundTripsLogZ() {
        NceLoss nce = new NceLoss(M, TAU, 0, NceScoring.MATMUL);
        assertThat(nce.state()).isNaN();
        nce.restore(Math.log(42));
        assertThat(nce.normaliser()).isCloseTo(42, within(1e-9));
    }

    static float[] unitRows(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                out[i * d + c] = (float) (r.nextDouble() * 2 - 1);
                s += out[i * d + c] * out[i * d + c];
            }
            for (int c = 0; c < d; c++) {
                out[i * d + c] /= (float) Math.sqrt(s);
            }
        }
        return out;
    }
}
