package org.npid.index;

import java.util.SplittableRandom;

/**
 * The vectors of {@link HnswIndex}'s {@link HnswParams.Storage#INT8} storage: each row normalised,
 * centred on the indexed rows' mean, projected onto {@code dims} orthonormal axes (the leading
 * principal axes, randomly rotated), times one scale, rounded to a signed byte. Queries go through
 * the same map, and the squared distance of two codes over {@code scale²} approximates the squared
 * distance of the unit vectors, {@code 2 − 2 cos}.
 *
 * <p>Why each step:
 *
 * <ul>
 *   <li>Distances, not dot products, of the codes: for unit vectors both rank alike, but a dot
 *       product of codes carries each row's own rounding of its norm (an error of the order of
 *       {@code 1 / scale} for every row, however close), while the rounding error of a squared
 *       distance shrinks with the distance. On real NPID embeddings (docs/SEARCH.md) brute-force
 *       recall@10 over the same codes was 0.92 by dot product and 0.98 by distance.
 *   <li>Centring: distances do not change, and the coordinates become symmetric about 0, as a
 *       symmetric code is; NPID embeddings share a mean of norm 0.4 to 0.7.
 *   <li>PCA: the centred covariance's leading axes keep the most of every distance for a given
 *       number of bytes.
 *   <li>Random rotation: PCA piles the variance into the first axes, so one global scale would be
 *       set by those and leave the last axes a few levels; a rotation keeps distances and evens the
 *       axes out (at 64 dims it doubled the scale and raised recall from 0.956 to 0.975).
 *   <li>One scale per index, 127 over the largest |coordinate| of the indexed rows: those rows use
 *       the whole byte range and never clip. A query coordinate beyond it clips to ±127, which only
 *       happens for queries unlike anything indexed.
 * </ul>
 */
final class Int8Encoder {
    /** Rows used to fit the PCA: the 128×128 covariance is stable long before this. */
    static final int PCA_SAMPLE = 50_000;

    /** Fixed, so the same rows always give the same sample, rotation and codes. */
    private static final long SEED = 42;

    private final Pca projection;
    private final float scale;

    /**
     * @param projection mean and orthonormal axes applied to each normalised row
     * @param scale multiplier from a projected coordinate to its code
     */
    Int8Encoder(Pca projection, float scale) {
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
        }
        this.projection = projection;
        this.scale = scale;
    }

    /**
     * Fits the mean and axes on up to {@link #PCA_SAMPLE} seeded random rows, then the scale on
     * every row.
     *
     * @param dims kept dimensions, in [1, cols]; 0 keeps all
     */
    static Int8Encoder fit(Matrix rows, int dims) {
        int d = rows.cols();
        if (dims < 0 || dims > d) {
            throw new IllegalArgumentException(
                    "dims must be in [0, " + d + "] (the vectors' columns), got " + dims);
        }
        int k = dims == 0 ? d : dims;
        Pca pca = Pca.fit(sample(rows), k, true);
        Matrix axes = multiply(rotation(k), pca.axes());
        Int8Encoder unscaled = new Int8Encoder(Pca.of(axes, pca.mean()), 1f);
        float[] out = new float[k];
        float max = 0;
        for (int r = 0; r < rows.rows(); r++) {
            unscaled.reduce(rows.data(), r * d, out);
            for (float v : out) {
                max = Math.max(max, Math.abs(v));
            }
        }
        // max is 0 only when every row is the mean (one distinct row); any scale then works.
        return new Int8Encoder(unscaled.projection, max == 0 ? 127f : 127f / max);
    }

    /**
     * The encoder stored as {@link #toMatrix()} wrote it.
     *
     * @param stored the mean in row 0, the axes in the rows below
     */
    static Int8Encoder of(Matrix stored, float scale) {
        int d = stored.cols();
        if (stored.rows() < 2) {
            throw new IllegalArgumentException(
                    "a stored projection needs a mean row and at least one axis, got "
                            + stored.rows()
                            + " rows");
        }
        float[] mean = new float[d];
        System.arraycopy(stored.data(), 0, mean, 0, d);
        float[] axes = new float[(stored.rows() - 1) * d];
        System.arraycopy(stored.data(), d, axes, 0, axes.length);
        return new Int8Encoder(Pca.of(new Matrix(stored.rows() - 1, d, axes), mean), scale);
    }

    /** The mean (row 0) and the axes (rows 1 to dims), as {@link #of} reads them back. */
    Matrix toMatrix() {
        int d = projection.dim();
        Matrix axes = projection.axes();
        float[] out = new float[(axes.rows() + 1) * d];
        System.arraycopy(projection.mean(), 0, out, 0, d);
        System.arraycopy(axes.data(), 0, out, d, axes.data().length);
        return new Matrix(axes.rows() + 1, d, out);
    }

    /** Up to {@link #PCA_SAMPLE} distinct rows, chosen by a seeded partial shuffle. */
    private static Matrix sample(Matrix rows) {
        int n = rows.rows();
        if (n <= PCA_SAMPLE) {
            return rows;
        }
        int d = rows.cols();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(SEED);
        Matrix out = Matrix.zeros(PCA_SAMPLE, d);
        for (int i = 0; i < PCA_SAMPLE; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            System.arraycopy(rows.data(), order[i] * d, out.data(), i * d, d);
        }
        return out;
    }

    /** A seeded random k×k orthogonal matrix: Gram-Schmidt on Gaussian rows. */
    static Matrix rotation(int k) {
        SplittableRandom rnd = new SplittableRandom(SEED);
        double[][] q = new double[k][k];
        for (int i = 0; i < k; i++) {
            double norm;
            do {
                for (int c = 0; c < k; c++) {
                    q[i][c] = rnd.nextGaussian();
                }
                // Twice, so rounding left by the first pass is removed too.
                for (int pass = 0; pass < 2; pass++) {
                    for (int j = 0; j < i; j++) {
                        double dot = 0;
                        for (int c = 0; c < k; c++) {
                            dot += q[i][c] * q[j][c];
                        }
                        for (int c = 0; c < k; c++) {
                            q[i][c] -= dot * q[j][c];
                        }
                    }
                }
                norm = 0;
                for (int c = 0; c < k; c++) {
                    norm += q[i][c] * q[i][c];
                }
                norm = Math.sqrt(norm);
            } while (norm < 1e-6);
            for (int c = 0; c < k; c++) {
                q[i][c] /= norm;
            }
        }
        Matrix out = Matrix.zeros(k, k);
        for (int i = 0; i < k; i++) {
            for (int c = 0; c < k; c++) {
                out.data()[i * k + c] = (float) q[i][c];
            }
        }
        return out;
    }

    /** {@code a · b}, accumulated in double. */
    private static Matrix multiply(Matrix a, Matrix b) {
        Matrix out = Matrix.zeros(a.rows(), b.cols());
        for (int i = 0; i < a.rows(); i++) {
            for (int c = 0; c < b.cols(); c++) {
                double s = 0;
                for (int j = 0; j < a.cols(); j++) {
                    s += (double) a.data()[i * a.cols() + j] * b.data()[j * b.cols() + c];
                }
                out.data()[i * b.cols() + c] = (float) s;
            }
        }
        return out;
    }

    /** Input dimension (queries and indexed rows). */
    int dim() {
        return projection.dim();
    }

    /** Stored dimension: the number of axes. */
    int dims() {
        return projection.components();
    }

    float scale() {
        return scale;
    }

    /**
     * {@code x[off .. off + dim)} normalised, centred and projected. Normalising makes a query of
     * any norm rank like its direction; {@link HnswIndex} multiplies its norm back into the scores.
     */
    void reduce(float[] x, int off, float[] out) {
        int d = dim();
        double sq = ExactIndex.dot(x, off, x, off, d);
        float inv = sq > 0 ? (float) (1 / Math.sqrt(sq)) : 0f;
        float[] unit = new float[d];
        for (int c = 0; c < d; c++) {
            unit[c] = x[off + c] * inv;
        }
        projection.project(unit, 0, out);
    }

    /** The code of {@code x[off .. off + dim)}. */
    byte[] encode(float[] x, int off) {
        float[] r = new float[dims()];
        reduce(x, off, r);
        byte[] code = new byte[r.length];
        for (int i = 0; i < r.length; i++) {
            code[i] = (byte) Math.max(-127, Math.min(127, Math.round(r[i] * scale)));
        }
        return code;
    }

    /**
     * Approximate cosine for the squared distance of two codes: {@code |u − v|² = 2 − 2 cos} for
     * unit vectors. With reduced dims the dropped part of the distance is missing, so the estimate
     * errs high by half of it.
     */
    float cosine(long squareDistance) {
        return (float) (1 - squareDistance / (2.0 * scale * scale));
    }

    /** Heap bytes of the mean and axes, which a search keeps. */
    long heapBytes() {
        return (long) (dims() + 1) * dim() * Float.BYTES;
    }
}
