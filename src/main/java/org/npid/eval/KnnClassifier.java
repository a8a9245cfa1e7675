package org.npid.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.npid.index.InvertedLists;
import org.npid.index.Neighbours;

/**
 * The paper's weighted k-nearest-neighbour classifier (Sec. 3.5 / 4.1): the k training features
 * most cosine-similar to a query vote for their class with weight {@code exp(s/τ)}. Features must
 * be L2-normalised, so the inner product is the cosine. Neighbours are exact by default, or
 * approximate by {@link InvertedLists} when speed matters more than the last tenth of a point.
 */
public final class KnnClassifier {
    private static final int QUERY_BLOCK = 1024;
    private final int k;
    private final float temperature;
    private final InvertedLists lists;

    public KnnClassifier(int k, float temperature) {
        this(k, temperature, null);
    }

    private KnnClassifier(int k, float temperature, InvertedLists lists) {
        if (k <= 0) {
            throw new IllegalArgumentException("knn k must be positive, got " + k);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("knn temperature must be positive");
        }
        this.k = k;
        this.temperature = temperature;
        this.lists = lists;
    }

    /**
     * The same classifier finding neighbours approximately by inverted lists (see {@link
     * InvertedLists}): each query scores the bank rows of its {@code probes} nearest of {@code
     * lists} cells.
     */
    public KnnClassifier withInvertedLists(int lists, int probes) {
        return new KnnClassifier(k, temperature, new InvertedLists(lists, probes, 17));
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
        Neighbours nb =
                lists == null
                        ? neighbours(parent, bank, n, d, queries, m)
                        : lists.search(parent, bank, d, queries, Math.min(k, n));
        int kk = nb.k();
        float[] s = nb.scores();
        int[] idx = nb.ids();
        int[] predictions = new int[m];
        int[] nearest = new int[m];
        int hit1 = 0;
        int hit5 = 0;
        int hitNn = 0;
        double[] votes = new double[numClasses];
        for (int r = 0; r < m; r++) {
            Arrays.fill(votes, 0);
            for (int j = 0; j < kk; j++) {
                votes[bankLabels[idx[r * kk + j]]] += Math.exp(s[r * kk + j] / temperature);
            }
            int truth = queryLabels[r];
            int pred = argmax(votes);
            predictions[r] = pred;
            nearest[r] = bankLabels[idx[nb.nearest(r)]];
            hit1 += pred == truth ? 1 : 0;
            hit5 += rankOf(votes, truth) < 5 ? 1 : 0;
            hitNn += nearest[r] == truth ? 1 : 0;
        }
        return new KnnResult(
                (double) hit1 / m,
                (double) hit5 / m,
                (double) hitNn / m,
                predictions,
                nearest,
                numClasses);
    }

    /**
     * The exact k nearest rows of every query (unordered, see {@link Neighbours}): one matmul and
     * one top-k per block of queries, so a 10k × 60k evaluation never holds the whole score matrix.
     */
    public Neighbours neighbours(
            NDManager parent, float[] bank, int n, int d, float[] queries, int m) {
        int kk = Math.min(k, n);
        float[] scores = new float[m * kk];
        int[] ids = new int[m * kk];
        try (NDManager scope = parent.newSubManager()) {
            NDArray bankT = scope.create(bank, new Shape(n, d)).transpose();
            for (int start = 0; start < m; start += QUERY_BLOCK) {
                int rows = Math.min(QUERY_BLOCK, m - start);
                try (NDManager block = scope.newSubManager()) {
                    float[] q = new float[rows * d];
                    System.arraycopy(queries, start * d, q, 0, rows * d);
                    NDArray sims = block.create(q, new Shape(rows, d)).matMul(bankT);
                    NDList top = sims.topK(kk, 1, true, false);
                    System.arraycopy(top.get(0).toFloatArray(), 0, scores, start * kk, rows * kk);
                    long[] idx = top.get(1).toLongArray();
                    for (int i = 0; i < idx.length; i++) {
                        ids[start * kk + i] = (int) idx[i];
                    }
                }
            }
        }
        return new Neighbours(kk, scores, ids);
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
