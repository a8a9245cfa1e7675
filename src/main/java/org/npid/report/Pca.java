package org.npid.report;

/**
 * The two leading principal components of a set of embeddings, by power iteration with deflation on
 * the d×d covariance: enough for a 2-D map of 128-d features, with no extra dependency.
 */
final class Pca {
    private Pca() {}

    /** Projects row-major [n, d] data onto its first two components: returns {x[], y[]}. */
    static double[][] project2d(float[] data, int n, int d) {
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                mean[c] += data[i * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] /= n;
        }
        double[][] cov = new double[d][d];
        double[] row = new double[d];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                row[c] = data[i * d + c] - mean[c];
            }
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    cov[a][b] += row[a] * row[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < a; b++) {
                cov[a][b] = cov[b][a];
            }
        }
        double[] first = leading(cov, d);
        double lambda = rayleigh(cov, first);
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                cov[a][b] -= lambda * first[a] * first[b];
            }
        }
        double[] second = leading(cov, d);
        double[][] out = new double[2][n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                double v = data[i * d + c] - mean[c];
                out[0][i] += v * first[c];
                out[1][i] += v * second[c];
            }
        }
        return out;
    }

    private static double[] leading(double[][] m, int d) {
        double[] v = new double[d];
        for (int c = 0; c < d; c++) {
            v[c] = 1.0 / Math.sqrt(d) * (1 + 0.01 * c);
        }
        for (int it = 0; it < 200; it++) {
            double[] next = new double[d];
            for (int a = 0; a < d; a++) {
                double s = 0;
                for (int b = 0; b < d; b++) {
                    s += m[a][b] * v[b];
                }
                next[a] = s;
            }
            double norm = 0;
            for (double x : next) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return v;
            }
            for (int a = 0; a < d; a++) {
                v[a] = next[a] / norm;
            }
        }
        return v;
    }

    private static double rayleigh(double[][] m, double[] v) {
        double s = 0;
        for (int a = 0; a < v.length; a++) {
            for (int b = 0; b < v.length; b++) {
                s += v[a] * m[a][b] * v[b];
            }
        }
        return s;
    }
}
