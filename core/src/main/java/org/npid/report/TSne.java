package org.npid.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.npid.index.Matrix;
import org.npid.index.Pca;

/**
 * Exact t-SNE (van der Maaten and Hinton, JMLR 2008) for the report's 2-D map of the embeddings.
 * Gaussian affinities calibrated to a perplexity per point, symmetrised; Student-t affinities in
 * the map; gradient descent with momentum, per-coordinate gains and early exaggeration, as in the
 * paper's Algorithm 1 and its reference implementation. The [n, n] work of each iteration runs on
 * DJL NDArrays, so a few thousand points take seconds. Deterministic: the map starts from the
 * data's first two principal components, not from random points.
 */
public final class TSne {
    /**
     * @param perplexity the effective number of neighbours each point's affinities spread over
     * @param iterations gradient steps
     * @param exaggeratedIterations the first steps, with P multiplied by {@code exaggeration}
     * @param exaggeration how much P is magnified early, so clusters form before they settle
     * @param learningRate step size; 0 = max(n / exaggeration / 4, 50), the "auto" rate of Belkina
     *     et al. (2019) that scikit-learn adopted: a fixed 200 overshoots small maps
     */
    public record Settings(
            double perplexity,
            int iterations,
            int exaggeratedIterations,
            double exaggeration,
            double learningRate) {
        public Settings {
            if (!(perplexity >= 1)) {
                throw new IllegalArgumentException("perplexity must be >= 1, got " + perplexity);
            }
            if (iterations < 1 || exaggeratedIterations < 0) {
                throw new IllegalArgumentException("iterations must be >= 1");
            }
            if (!(exaggeration >= 1) || !(learningRate >= 0)) {
                throw new IllegalArgumentException(
                        "exaggeration must be >= 1 and learningRate >= 0 (0 = auto)");
            }
        }

        /** Perplexity 30, 1,000 steps, the first 250 exaggerated by 12, automatic step size. */
        public static Settings defaults() {
            return new Settings(30, 1000, 250, 12, 0);
        }
    }

    private static final double MOMENTUM_EARLY = 0.5;
    private static final double MOMENTUM_LATE = 0.8;
    private static final double MIN_GAIN = 0.01;

    /** The map's initial spread: small, so the first steps are not dominated by the start. */
    private static final double INIT_STD = 1e-4;

    private TSne() {}

    /** Maps the rows of {@code data} to 2-D; returns [n, 2] row-major. */
    public static float[] embed(Matrix data, Settings s) {
        int n = data.rows();
        if (n < 3) {
            throw new IllegalArgumentException("t-SNE needs at least 3 points, got " + n);
        }
        if (s.perplexity() > n - 1) {
            throw new IllegalArgumentException(
                    "perplexity " + s.perplexity() + " must be below the number of points " + n);
        }
        float[] p = jointAffinities(squaredDistances(data), n, s.perplexity());
        float[] y = initialMap(data);
        double lr =
                s.learningRate() > 0 ? s.learningRate() : Math.max(n / s.exaggeration() / 4, 50);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray pj = manager.create(p, new Shape(n, n));
            NDArray offDiagonal = manager.ones(new Shape(n, n)).sub(manager.eye(n));
            NDArray yj = manager.create(y, new Shape(n, 2));
            NDArray update = manager.zeros(new Shape(n, 2));
            NDArray gains = manager.ones(new Shape(n, 2));
            for (int it = 0; it < s.iterations(); it++) {
                NDArray[] next;
                try (NDManager step = manager.newSubManager()) {
                    // Ops land in their first operand's manager: borrow the long-lived arrays
                    // into the step's, so every [n, n] intermediate is freed with it.
                    for (NDArray a : new NDArray[] {pj, offDiagonal, yj, update, gains}) {
                        a.tempAttach(step);
                    }
                    boolean early = it < s.exaggeratedIterations();
                    NDArray grad = gradient(early ? pj.mul(s.exaggeration()) : pj, yj, offDiagonal);
                    // Delta-bar-delta gains: grow where the gradient's sign differs from the last
                    // update's, shrink where it agrees.
                    NDArray same = grad.gt(0).eq(update.gt(0)).toType(DataType.FLOAT32, false);
                    NDArray newGains =
                            same.mul(gains.mul(0.8f))
                                    .add(same.neg().add(1f).mul(gains.add(0.2f)))
                                    .maximum((float) MIN_GAIN);
                    float momentum = (float) (early ? MOMENTUM_EARLY : MOMENTUM_LATE);
                    NDArray newUpdate =
                            update.mul(momentum).sub(newGains.mul(grad).mul((float) lr));
                    NDArray newY = yj.add(newUpdate);
                    newY = newY.sub(newY.mean(new int[] {0}, true));
                    next = new NDArray[] {newGains, newUpdate, newY};
                    for (NDArray a : next) {
                        a.attach(manager);
                    }
                }
                gains.close();
                update.close();
                yj.close();
                gains = next[0];
                update = next[1];
                yj = next[2];
            }
            return yj.toFloatArray();
        }
    }

    /** dC/dy_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)(1 + |y_i − y_j|²)⁻¹ (the paper's Eq. 5). */
    private static NDArray gradient(NDArray p, NDArray y, NDArray offDiagonal) {
        NDArray sq = y.square().sum(new int[] {1}, true);
        NDArray d2 = sq.add(sq.transpose()).sub(y.matMul(y.transpose()).mul(2f)).maximum(0f);
        NDArray num = d2.add(1f).pow(-1f).mul(offDiagonal);
        NDArray q = num.div(num.sum()).maximum(1e-12f);
        NDArray pq = p.sub(q).mul(num);
        return pq.sum(new int[] {1}, true).mul(y).sub(pq.matMul(y)).mul(4f);
    }

    /** Row-major [n, n] squared Euclidean distances, in double for the calibration. */
    static double[] squaredDistances(Matrix data) {
        int n = data.rows();
        int d = data.cols();
        float[] x = data.data();
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    double diff = x[i * d + c] - x[j * d + c];
                    s += diff * diff;
                }
                out[i * n + j] = s;
                out[j * n + i] = s;
            }
        }
        return out;
    }

    /**
     * p_ij = (p_j|i + p_i|j) / 2n, each p_·|i a Gaussian over the other points whose precision is
     * found by bisection so that its entropy is log(perplexity) (the paper's Sec. 2 and 3.1).
     */
    static float[] jointAffinities(double[] d2, int n, double perplexity) {
        double[] cond = new double[n * n];
        double target = Math.log(perplexity);
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
            double beta = 1;
            double lo = 0;
            double hi = Double.POSITIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    min = Math.min(min, d2[i * n + j]);
                }
            }
            for (int iter = 0; iter < 100; iter++) {
                double h = conditional(d2, n, i, beta, min, row);
                if (Math.abs(h - target) < 1e-5) {
                    break;
                }
                if (h > target) {
                    lo = beta;
                    beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
            System.arraycopy(row, 0, cond, i * n, n);
        }
        float[] p = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                p[i * n + j] =
                        (float) Math.max((cond[i * n + j] + cond[j * n + i]) / (2.0 * n), 1e-12);
            }
            p[i * n + i] = 0;
        }
        return p;
    }

    /** Fills {@code row} with p_·|i at precision beta and returns its entropy (nats). */
    private static double conditional(
            double[] d2, int n, int i, double beta, double min, double[] row) {
        double sum = 0;
        for (int j = 0; j < n; j++) {
            // Shifting by the nearest distance keeps exp from underflowing to an all-zero row.
            row[j] = j == i ? 0 : Math.exp(-beta * (d2[i * n + j] - min));
            sum += row[j];
        }
        double h = 0;
        for (int j = 0; j < n; j++) {
            row[j] /= sum;
            if (row[j] > 0) {
                h -= row[j] * Math.log(row[j]);
            }
        }
        return h;
    }

    /** The first two principal components, scaled to a standard deviation of 1e-4. */
    private static float[] initialMap(Matrix data) {
        int n = data.rows();
        float[] y = Pca.fit(data, Math.min(2, data.cols()), true).project(data).data();
        if (data.cols() < 2) {
            float[] two = new float[2 * n];
            for (int i = 0; i < n; i++) {
                two[2 * i] = y[i];
            }
            y = two;
        }
        double sq = 0;
        for (int i = 0; i < n; i++) {
            sq += (double) y[2 * i] * y[2 * i];
        }
        double scale = sq > 0 ? INIT_STD / Math.sqrt(sq / n) : 0;
        for (int i = 0; i < y.length; i++) {
            y[i] *= (float) scale;
        }
        return y;
    }
}
