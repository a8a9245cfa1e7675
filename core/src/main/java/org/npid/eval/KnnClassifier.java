package org.npid.eval;

import ai.djl.ndarray.NDManager;
import org.npid.index.ExactIndex;
import org.npid.index.InvertedLists;
import org.npid.index.Matrix;
import org.npid.index.Neighbours;
import org.npid.index.VectorIndex;

/**
 * The paper's weighted k-nearest-neighbour classifier (Sec. 3.5 / 4.1): the k training features
 * most cosine-similar to a query vote for their class with weight {@code exp(s/τ)}. Features must
 * be L2-normalised, so the inner product is the cosine. The neighbours come from a {@link
 * VectorIndex}: exact ({@link ExactIndex}) by default, or approximate ({@link InvertedLists}) when
 * speed matters more than the last tenth of a point.
 */
public final class KnnClassifier {
    /** Seeds the inverted lists' k-means, so that an evaluation is repeatable. */
    private static final long LISTS_SEED = 17;

    private final int k;
    private final float temperature;

    /** Cells and probes of the inverted lists; 0 for exact neighbours. */
    private final int lists;

    private final int probes;

    public KnnClassifier(int k, float temperature) {
        this(k, temperature, 0, 0);
    }

    private KnnClassifier(int k, float temperature, int lists, int probes) {
        if (k <= 0) {
            throw new IllegalArgumentException("knn k must be positive, got " + k);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("knn temperature must be positive");
        }
        this.k = k;
        this.temperature = temperature;
        this.lists = lists;
        this.probes = probes;
    }

    /**
     * The same classifier finding neighbours approximately by inverted lists (see {@link
     * InvertedLists}): each query scores the bank rows of its {@code probes} nearest of {@code
     * lists} cells.
     */
    public KnnClassifier withInvertedLists(int lists, int probes) {
        if (lists < 1) {
            throw new IllegalArgumentException("knn lists must be >= 1, got " + lists);
        }
        if (probes < 1 || probes > lists) {
            throw new IllegalArgumentException(
                    "knn probes must be in [1, lists = " + lists + "], got " + probes);
        }
        return new KnnClassifier(k, temperature, lists, probes);
    }

    /**
     * Classifies {@code queries} (row-major, m × d) against {@code bank} (n × d) with labels in [0,
     * numClasses), through an index of the bank built for this call (exact, or inverted lists).
     *
     * @param parent unused: the index keeps its own native memory; kept for existing callers
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
        Matrix rows = new Matrix(n, d, bank);
        try (VectorIndex index =
                lists == 0
                        ? new ExactIndex(rows)
                        : InvertedLists.build(rows, lists, probes, LISTS_SEED, k)) {
            return evaluate(index, bankLabels, new Matrix(m, d, queries), queryLabels, numClasses);
        }
    }

    /**
     * Classifies the rows of {@code queries} by their k nearest rows in {@code bank}, whose row i
     * has label {@code bankLabels[i]} in [0, numClasses). The index is the caller's, so one index
     * can serve this and other searches; the classifier's inverted-list settings do not apply.
     */
    public KnnResult evaluate(
            VectorIndex bank, int[] bankLabels, Matrix queries, int[] queryLabels, int numClasses) {
        if (bank.size() != bankLabels.length) {
            throw new IllegalArgumentException(
                    "the index holds "
                            + bank.size()
                            + " rows but "
                            + bankLabels.length
                            + " labels were given; pass one label per indexed row");
        }
        if (bank.size() == 0) {
            throw new IllegalArgumentException("the bank is empty; kNN needs labelled rows");
        }
        if (queries.rows() != queryLabels.length) {
            throw new IllegalArgumentException(
                    queries.rows() + " queries but " + queryLabels.length + " query labels");
        }
        return vote(bank.searchAll(queries, k), bankLabels, queryLabels, numClasses);
    }

    /**
     * The weighted vote over neighbours already found (by a search elsewhere, such as Spark's
     * blocked join): query q's neighbours are {@code nb}'s row q, whose ids index {@code
     * bankLabels}, each weighted exp(s/τ).
     */
    public KnnResult vote(Neighbours nb, int[] bankLabels, int[] queryLabels, int numClasses) {
        if (nb.queries() != queryLabels.length) {
            throw new IllegalArgumentException(
                    nb.queries() + " neighbour lists but " + queryLabels.length + " query labels");
        }
        int m = queryLabels.length;
        int[] idx = nb.ids();
        int[] predictions = new int[m];
        int[] nearest = new int[m];
        int hit1 = 0;
        int hit5 = 0;
        int hitNn = 0;
        for (int r = 0; r < m; r++) {
            double[] votes = classTotals(nb, r, bankLabels, numClasses);
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
     * Query {@code q}'s vote per class: the sum of exp(s/τ) over its neighbours of that class, 0
     * for a class none of them has.
     */
    double[] classTotals(Neighbours nb, int q, int[] bankLabels, int numClasses) {
        int kk = nb.k();
        float[] s = nb.scores();
        int[] idx = nb.ids();
        double[] votes = new double[numClasses];
        for (int j = 0; j < kk; j++) {
            votes[bankLabels[idx[q * kk + j]]] += Math.exp(s[q * kk + j] / temperature);
        }
        return votes;
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
    static int rankOf(double[] votes, int c) {
        int rank = 0;
        for (int i = 0; i < votes.length; i++) {
            if (votes[i] > votes[c] || (votes[i] == votes[c] && i < c)) {
                rank++;
            }
        }
        return rank;
    }
}
