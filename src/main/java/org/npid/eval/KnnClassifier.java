package org.npid.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The paper's weighted k-nearest-neighbour classifier (Sec. 3.5 / 4.1): the k training features
 * most cosine-similar to a query vote for their class with weight {@code exp(s/τ)}. Features must
 * be L2-normalised, so the inner product is the cosine. Scores are computed in blocks of queries as
 * one matmul each, so a 10k × 60k evaluation never holds the whole 10k × 60k matrix.
 */
public final class KnnClassifier {
    private static final int QUERY_BLOCK = 1024;
    private final int k;
    private final float temperature;

    public KnnClassifier(int k, float temperature) {
        if (k <= 0) {
            throw new IllegalArgumentException("knn k must be positive, got " + k);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("knn temperature must be positive");
        }
        this.k = k;
        this.temperature = temperature;
    }

    /**
     * Classifies {@code queries} (row-major, m × d) against {@code bank} (n × d) with labels in [0,
     * numClasses).
     */
    public KnnResult evaluate(
            NDManager parent,
            float[] bank,
            int[] bankLabels,
            float[] queries,
            int[] queryLabels,
            int numClasses) {
        int n = bankLabels.length;
        int m = queryLabels.length;
        if (n == 0 || bank.length % n != 0) {
            throw new IllegalArgumentException(
                    "bank has " + bank.length + " values for " + n + " labels");
        }
        int d = bank.length / n;
        if (queries.length != (long) m * d) {
            throw new IllegalArgumentException(
                    "queries have " + queries.length + " values, expected " + m + " x " + d);
        }
        int kk = Math.min(k, n);
        int[] predictions = new int[m];
        int[] nearest = new int[m];
        int hit1 = 0;
        int hit5 = 0;
        int hitNn = 0;
        try (NDManager scope = parent.newSubManager()) {
            NDArray bankT = scope.create(bank, new Shape(n, d)).transpose();
            double[] votes = new double[numClasses];
            for (int start = 0; start < m; start += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, m - start);
                try (NDManager block = scope.newSubManager()) {
                    float[] q = new float[rows * d];
                    System.arraycopy(queries, start * d, q, 0, rows * d);
                    NDArray sims = block.create(q, new Shape(rows, d)).matMul(bankT);
                    NDList top = sims.topK(kk, 1, true, true);
                    float[] s = top.get(0).toFloatArray();
                    long[] idx = top.get(1).toLongArray();
                    for (int r = 0; r < rows; r++) {
                        Arrays.fill(votes, 0);
                        for (int j = 0; j < kk; j++) {
                            int label = bankLabels[(int) idx[r * kk + j]];
                            votes[label] += Math.exp(s[r * kk + j] / temperature);
                        }
                        int truth = queryLabels[start + r];
                        int pred = argmax(votes);
                        predictions[start + r] = pred;
                        nearest[start + r] = bankLabels[(int) idx[r * kk]];
                        hit1 += pred == truth ? 1 : 0;
                        hit5 += rankOf(votes, truth) < 5 ? 1 : 0;
                        hitNn += nearest[start + r] == truth ? 1 : 0;
                    }
                }
            }
        }
        return new KnnResult(
                (double) hit1 / m,
                (double) hit5 / m,
                (double) hitNn / m,
                predictions,
                nearest,
                numClasses);
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The place of class c in the vote ranking; ties go to the lower class id, as in argmax. */
    private static int rankOf(double[] votes, int c) {
        int rank = 0;
        for (int i = 0; i < votes.length; i++) {
            if (votes[i] > votes[c] || (votes[i] == votes[c] && i < c)) {
                rank++;
            }
        }
        return rank;
    }
}
