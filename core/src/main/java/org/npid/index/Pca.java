package org.npid.index;

import java.util.Arrays;

/**
 * Leading principal axes of a set of rows, from a Jacobi eigendecomposition of their d×d covariance
 * (or second-moment) matrix: exact for the few hundred dimensions of an embedding, with no
 * linear-algebra dependency.
 *
 * <p>Two uses: the 2-D map of the report and the dimension reduction of {@link HnswIndex}'s int8
 * storage ({@link Int8Encoder}).
 */
public final class Pca {
    /** Cyclic Jacobi converges quadratically; 50 sweeps is far beyond what d ≤ 1024 needs. */
    private static final int MAX_SWEEPS = 50;

    private final int dim;
    private final int components;
    private final float[] mean;
    private final float[] axes;
    private final double[] variances;

    private Pca(int dim, int components, float[] mean, float[] axes, double[] variances) {
        this.dim = dim;
        this.components = components;
        this.mean = mean;
        this.axes = axes;
        this.variances = variances;
    }

    /**
     * The {@code components} axes of largest variance of the rows of {@code data}.
     *
     * <p>With {@code centred} false the axes are the eigenvectors of the second-moment matrix E[x
     * xᵀ] instead of the covariance, and projections subtract no mean. Signs are fixed (largest
     * entry of each axis positive), so a fit is reproducible.
     */
    public static Pca fit(Matrix data, int components, boolean centred) {
        int d = data.cols();
        if (components < 1 || components > d) {
            throw new IllegalArgumentException(
                    "components must be in [1, " + d + "] (the data's columns), got " + components);
        }
        if (data.rows() == 0) {
            throw new IllegalArgumentException("data must have rows to fit a PCA");
        }
        int n = data.rows();
        float[] x = data.data();
        double[] mu = new double[d];
        if (centred) {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < d; c++) {
                    mu[c] += x[i * d + c];
                }
            }
            for (int c = 0; c < d; c++) {
                mu[c] /= n;
            }
        }
        double[][] m = new double[d][d];
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                row[c] = x[i * d + c] - mu[c];
            }
            for (int a = 0; a < d; a++) {
                double ra = row[a];
                double[] ma = m[a];
                for (int b = a; b < d; b++) {
                    ma[b] += ra * row[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                m[a][b] /= n;
                m[b][a] = m[a][b];
            }
        }
        double[][] vectors = new double[d][d];
        double[] values = jacobi(m, vectors);
        Integer[] order = new Integer[d];
        for (int i = 0; i < d; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        float[] axes = new float[components * d];
        double[] variances = new double[components];
        for (int k = 0; k < components; k++) {
            int col = order[k];
            int largest = 0;
            for (int c = 1; c < d; c++) {
                if (Math.abs(vectors[c][col]) > Math.abs(vectors[largest][col])) {
                    largest = c;
                }
            }
            double sign = vectors[largest][col] < 0 ? -1 : 1;
            for (int c = 0; c < d; c++) {
                axes[k * d + c] = (float) (sign * vectors[c][col]);
            }
            variances[k] = values[col];
        }
        float[] mean = new float[d];
        for (int c = 0; c < d; c++) {
            mean[c] = (float) mu[c];
        }
        return new Pca(d, components, mean, axes, variances);
    }

    /**
     * A projection onto given axes (rows of {@code axes}, orthonormal) after subtracting {@code
     * mean}: a stored fit, or a fit's axes changed (rotated) by the caller.
     */
    public static Pca of(Matrix axes, float[] mean) {
        if (mean.length != axes.cols()) {
            throw new IllegalArgumentException(
                    "mean has " + mean.length + " entries but the axes have " + axes.cols());
        }
        return new Pca(
                axes.cols(),
                axes.rows(),
                mean.clone(),
                axes.data().clone(),
                new double[axes.rows()]);
    }

    /**
     * Cyclic Jacobi: rotates {@code a} (symmetric, overwritten) to diagonal form; returns the
     * eigenvalues and leaves the eigenvectors in the columns of {@code v}.
     */
    static double[] jacobi(double[][] a, double[][] v) {
        int d = a.length;
        for (int i = 0; i < d; i++) {
            Arrays.fill(v[i], 0);
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            double diag = 0;
            for (int p = 0; p < d; p++) {
                diag += a[p][p] * a[p][p];
                for (int q = p + 1; q < d; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off <= 1e-30 * diag || off == 0) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    if (a[p][q] != 0) {
                        rotate(a, v, p, q);
                    }
                }
            }
        }
        double[] values = new double[d];
        for (int i = 0; i < d; i++) {
            values[i] = a[i][i];
        }
        return values;
    }

    /** One rotation that zeroes a[p][q] (Numerical Recipes' formulation, stable for tiny a_pq). */
    private static void rotate(double[][] a, double[][] v, int p, int q) {
        int d = a.length;
        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < d; k++) {
            double akp = a[k][p];
            double akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < d; k++) {
            double apk = a[p][k];
            double aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < d; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    /** Input dimension. */
    public int dim() {
        return dim;
    }

    /** Number of axes, the output dimension. */
    public int components() {
        return components;
    }

    /** The mean subtracted before projecting (zeros when uncentred); a copy. */
    public float[] mean() {
        return mean.clone();
    }

    /** The axes as rows of a {@code components × dim} matrix (a copy). */
    public Matrix axes() {
        return new Matrix(components, dim, axes.clone());
    }

    /**
     * Variance (or mean square, uncentred) along each axis, largest first; zeros from {@link #of}.
     */
    public double[] variances() {
        return variances.clone();
    }

    /** Writes the coordinates of {@code x[off .. off + dim)} on the axes into {@code out}. */
    public void project(float[] x, int off, float[] out) {
        for (int k = 0; k < components; k++) {
            double s = 0;
            int a = k * dim;
            for (int c = 0; c < dim; c++) {
                s += (x[off + c] - mean[c]) * axes[a + c];
            }
            out[k] = (float) s;
        }
    }

    /** Every row of {@code data} projected: a {@code rows × components} matrix. */
    public Matrix project(Matrix data) {
        if (data.cols() != dim) {
            throw new IllegalArgumentException(
                    "data has " + data.cols() + " columns but the PCA was fitted on " + dim);
        }
        Matrix out = Matrix.zeros(data.rows(), components);
        float[] row = new float[components];
        for (int i = 0; i < data.rows(); i++) {
            project(data.data(), i * dim, row);
            System.arraycopy(row, 0, out.data(), i * components, components);
        }
        return out;
    }
}
