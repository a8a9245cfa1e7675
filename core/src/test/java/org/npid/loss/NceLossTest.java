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

    /** n = 4 unit rows in 2-d: e1, e2, −e1, (0.6, 0.8). */
    private static final float[] HAND_BANK = {1, 0, 0, 1, -1, 0, 0.6f, 0.8f};

    /** Images e1 of instance 0 and e2 of instance 1. */
    private static final float[] HAND_V = {1, 0, 0, 1};

    private static final long[] HAND_IDX = {0, 1};

    /** m·P_n with m = 2 noise samples and n = 4: 2/4. */
    private static final double HAND_M_PN = 0.5;

    /** −log h(i, v) for a sample with exp(s/τ) = {@code e}: P = e/Z, h = P/(P + m·P_n). */
    private static double minusLogH(double e, double z) {
        double p = e / z;
        return -Math.log(p / (p + HAND_M_PN));
    }

    /** −log(1 − h(j, v)) for a noise sample with exp(s/τ) = {@code e}. */
    private static double minusLogOneMinusH(double e, double z) {
        double p = e / z;
        return -Math.log(1 - p / (p + HAND_M_PN));
    }

    /**
     * The loss of {@code v} with the given noise, and d loss/dv into {@code grad} (may be null), Z
     * already set to {@code z} when it is not NaN.
     */
    private static double lossWithNoise(
            NceLoss nce, float[] v, long[][] noise, double z, float[] grad) {
        if (!Double.isNaN(z)) {
            nce.restore(Math.log(z));
        }
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.fromArray(m, HAND_BANK, 4, 2, 0.5f, false)) {
            NDArray va = m.create(v, new Shape(2, 2));
            va.setRequiresGradient(true);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = nce.loss(va, m.create(HAND_IDX), bank, noise);
                loss = l.getFloat();
                gc.backward(l);
            }
            if (grad != null) {
                System.arraycopy(va.getGradient().toFloatArray(), 0, grad, 0, grad.length);
            }
            return loss;
        }
    }

    @Test
    void aGivenNoiseMatrixGivesThePapersLossByHand() {
        // τ = 0.5, Z = 10. exp(s/τ): image 0 scores its own row e1 at 1 (e² = 7.389), noise rows 1
        // and 3 at 0 and 0.6 (1, e^1.2 = 3.320); image 1 its own row e2 at 1 (e²), noise rows 2
        // and 3 at 0 and 0.8 (1, e^1.6 = 4.953).
        // −log h = log(1 + 0.5·10/7.389) = 0.5168 for each image; −log(1 − h) = log(1 + e/5):
        // 0.1823, 0.5092, 0.1823, 0.6884. Mean over the two images: (2·0.5168 + 1.5623)/2 = 1.2980.
        double z = 10;
        double e2 = Math.exp(1 / 0.5);
        double expected =
                (minusLogH(e2, z)
                                + minusLogOneMinusH(1, z)
                                + minusLogOneMinusH(Math.exp(0.6 / 0.5), z)
                                + minusLogH(e2, z)
                                + minusLogOneMinusH(1, z)
                                + minusLogOneMinusH(Math.exp(0.8 / 0.5), z))
                        / 2;
        assertThat(expected).isCloseTo(1.2980, within(1e-4));
        long[][] noise = {{1, 3}, {2, 3}};
        for (NceScoring scoring : new NceScoring[] {NceScoring.MATMUL, NceScoring.GATHER}) {
            double loss = lossWithNoise(new NceLoss(2, 0.5f, 0, scoring), HAND_V, noise, z, null);
            assertThat(loss).as(scoring.name()).isCloseTo(expected, within(1e-6 * expected));
        }
        // Shared noise rows 1 and 3 for both: image 1 now scores row 1 (its own) as noise too.
        double shared =
                (minusLogH(e2, z)
                                + minusLogOneMinusH(1, z)
                                + minusLogOneMinusH(Math.exp(0.6 / 0.5), z)
                                + minusLogH(e2, z)
                                + minusLogOneMinusH(e2, z)
                                + minusLogOneMinusH(Math.exp(0.8 / 0.5), z))
                        / 2;
        double loss =
                lossWithNoise(
                        new NceLoss(2, 0.5f, 0, NceScoring.SHARED),
                        HAND_V,
                        new long[][] {{1, 3}},
                        z,
                        null);
        assertThat(loss).isCloseTo(shared, within(1e-6 * shared));
    }

    /**
     * d loss/dv from autograd against central differences of the paper's loss in double, at
     * embeddings that are not unit and not on the bank's rows, so that every term has a slope.
     */
    @Test
    void gradientMatchesFiniteDifferencesOfThePapersLoss() {
        float[] v = {0.3f, -0.5f, 0.7f, 0.2f};
        long[][] noise = {{1, 3}, {2, 3}};
        double z = 10;
        for (NceScoring scoring : new NceScoring[] {NceScoring.MATMUL, NceScoring.GATHER}) {
            float[] grad = new float[4];
            lossWithNoise(new NceLoss(2, 0.5f, 0, scoring), v, noise, z, grad);
            double h = 1e-6;
            for (int i = 0; i < 4; i++) {
                double[] plus = toDouble(v);
                double[] minus = toDouble(v);
                plus[i] += h;
                minus[i] -= h;
                double numeric = (paperLoss(plus, noise, z) - paperLoss(minus, noise, z)) / (2 * h);
                assertThat((double) grad[i])
                        .as(scoring + " d/dv[" + i + "]")
                        .isCloseTo(numeric, within(1e-5 * Math.max(1, Math.abs(numeric))));
            }
        }
    }

    /** The paper's NCE loss of the hand bank in double, τ = 0.5, m = 2, for any v [2, 2]. */
    private static double paperLoss(double[] v, long[][] noise, double z) {
        double loss = 0;
        for (int b = 0; b < 2; b++) {
            loss += minusLogH(Math.exp(dot(v, b, HAND_IDX[b]) / 0.5), z);
            for (long j : noise[b]) {
                loss += minusLogOneMinusH(Math.exp(dot(v, b, j) / 0.5), z);
            }
        }
        return loss / 2;
    }

    private static double dot(double[] v, int b, long row) {
        return v[2 * b] * HAND_BANK[(int) (2 * row)]
                + v[2 * b + 1] * HAND_BANK[(int) (2 * row + 1)];
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /**
     * exp(s/τ) of the hand batch's 2 × (1 + 2) columns under three noise matrices: Eq. (7)'s
     * estimate n·mean over the columns, data and noise, as the official NCEAverage takes it.
     */
    private static final long[][][] THREE_NOISES = {
        {{1, 3}, {2, 3}}, {{2, 2}, {0, 0}}, {{3, 3}, {3, 3}}
    };

    /** Batch 1: e², 1, e^1.2 | e², 1, e^1.6 → Z = 4·(2e² + 2 + e^1.2 + e^1.6)/6 = 16.701. */
    private static final double Z1 = 4 * (2 * Math.exp(2) + 2 + Math.exp(1.2) + Math.exp(1.6)) / 6;

    /** Batch 2: e², e^−2, e^−2 | e², 1, 1 → 4·(2e² + 2e^−2 + 2)/6 = 11.366. */
    private static final double Z2 = 4 * (2 * Math.exp(2) + 2 * Math.exp(-2) + 2) / 6;

    /** Batch 3: e², e^1.2, e^1.2 | e², e^1.6, e^1.6 → 4·(2e² + 2e^1.2 + 2e^1.6)/6 = 20.883. */
    private static final double Z3 =
            4 * (2 * Math.exp(2) + 2 * Math.exp(1.2) + 2 * Math.exp(1.6)) / 6;

    @Test
    void oneShotZIsTheFirstBatchsEstimateAndStaysThere() {
        assertThat(Z1).isCloseTo(16.701, within(1e-3));
        NceLoss nce = new NceLoss(2, 0.5f, 0, NceScoring.MATMUL);
        double[] z = new double[3];
        double last = 0;
        for (int step = 0; step < 3; step++) {
            last = lossWithNoise(nce, HAND_V, THREE_NOISES[step], Double.NaN, null);
            z[step] = nce.normaliser();
        }
        assertThat(z[0]).isCloseTo(Z1, within(1e-5 * Z1));
        assertThat(z[1]).isEqualTo(z[0]);
        assertThat(z[2]).isEqualTo(z[0]);
        // Batch 3 is scored with batch 1's Z, not its own 20.883.
        double e2 = Math.exp(2);
        double expected =
                (minusLogH(e2, Z1)
                                + 2 * minusLogOneMinusH(Math.exp(1.2), Z1)
                                + minusLogH(e2, Z1)
                                + 2 * minusLogOneMinusH(Math.exp(1.6), Z1))
                        / 2;
        assertThat(last).isCloseTo(expected, within(1e-5 * expected));
    }

    @Test
    void movingAverageZIsTheEmaOfEachBatchsEstimate() {
        // Z1 = 16.701; Z2 = 0.7·16.701 + 0.3·11.366 = 15.100; Z3 = 0.7·15.100 + 0.3·20.883 =
        // 16.835.
        double zm = 0.7;
        double ema2 = zm * Z1 + (1 - zm) * Z2;
        double ema3 = zm * ema2 + (1 - zm) * Z3;
        assertThat(ema2).isCloseTo(15.100, within(1e-3));
        assertThat(ema3).isCloseTo(16.835, within(1e-3));
        NceLoss nce = new NceLoss(2, 0.5f, zm, NceScoring.MATMUL);
        double[] expected = {Z1, ema2, ema3};
        for (int step = 0; step < 3; step++) {
            lossWithNoise(nce, HAND_V, THREE_NOISES[step], Double.NaN, null);
            assertThat(nce.normaliser())
                    .as("Z after batch " + (step + 1))
                    .isCloseTo(expected[step], within(1e-5 * expected[step]));
        }
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
