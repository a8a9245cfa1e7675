package org.npid.index;

import java.util.SplittableRandom;

/** Seeded synthetic unit vectors for benchmarks and tests. */
public final class UnitVectors {
    private UnitVectors() {}

    /**
     * Directions uniform on the sphere (normalised Gaussians): no cluster structure, the hardest
     * case for graph search because every point's neighbours are nearly as far as any other.
     */
    public static Matrix random(int rows, int cols, long seed) {
        Matrix m = Matrix.zeros(rows, cols);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = m.data();
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        normalizeRows(m);
        return m;
    }

    /**
     * Vectors with low intrinsic dimension, as learned embeddings have: a fixed random {@code cols
     * x rank} map applied to Gaussian latent codes, plus isotropic noise of expected norm {@code
     * noise}, renormalised. The map depends only on {@code mapSeed}, so two calls with the same
     * {@code mapSeed} and different {@code seed} give a bank and held-out queries from one
     * distribution.
     */
    public static Matrix lowRank(
            int rows, int cols, int rank, float noise, long mapSeed, long seed) {
        if (rank < 1 || rank > cols) {
            throw new IllegalArgumentException("rank must be in [1, cols], got " + rank);
        }
        Matrix map = random(cols, rank, mapSeed);
        Matrix m = Matrix.zeros(rows, cols);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] z = new float[rank];
        float[] x = m.data();
        float sigma = (float) (noise / Math.sqrt(cols));
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < rank; j++) {
                z[j] = (float) rnd.nextGaussian();
            }
            for (int c = 0; c < cols; c++) {
                float v =
                        ExactIndex.dot(map.data(), c * rank, z, 0, rank) / (float) Math.sqrt(rank);
                x[r * cols + c] = v + sigma * (float) rnd.nextGaussian();
            }
        }
        normalizeRows(m);
        return m;
    }

    /**
     * Queries near the bank, as a real embedding's neighbours are: row {@code i} is a random row of
     * {@code base} plus Gaussian noise of expected norm {@code noise}, renormalised.
     */
    public static Matrix perturbed(Matrix base, int rows, float noise, long seed) {
        if (base.rows() == 0) {
            throw new IllegalArgumentException("base must have rows to perturb");
        }
        if (!(noise >= 0)) {
            throw new IllegalArgumentException("noise must be >= 0, got " + noise);
        }
        int d = base.cols();
        Matrix m = Matrix.zeros(rows, d);
        SplittableRandom rnd = new SplittableRandom(seed);
        float sigma = (float) (noise / Math.sqrt(d));
        float[] x = m.data();
        for (int i = 0; i < rows; i++) {
            int src = base.offset(rnd.nextInt(base.rows()));
            for (int c = 0; c < d; c++) {
                x[i * d + c] = base.data()[src + c] + sigma * (float) rnd.nextGaussian();
            }
        }
        normalizeRows(m);
        return m;
    }

    /** Scales every row to unit L2 norm in place; an all-zero row is left as it is. */
    public static void normalizeRows(Matrix m) {
        float[] x = m.data();
        int d = m.cols();
        for (int r = 0; r < m.rows(); r++) {
            int off = r * d;
            double sq = ExactIndex.dot(x, off, x, off, d);
            if (sq > 0) {
                float inv = (float) (1 / Math.sqrt(sq));
                for (int c = 0; c < d; c++) {
                    x[off + c] *= inv;
                }
            }
        }
    }
}
