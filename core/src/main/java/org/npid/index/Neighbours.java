package org.npid.index;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code k} nearest bank rows of each of m queries: row-major m × k arrays of cosine scores and
 * bank row ids. Within a query's k the order is unspecified (the weighted vote does not need it,
 * and sorting 10k × 200 pairs would cost more than the vote); {@link #nearest} finds the best and
 * {@link #hits} ranks them.
 */
@SuppressWarnings(
        "ArrayRecordComponent") // m × k pairs: copying them for value semantics would cost
public record Neighbours(int k, float[] scores, int[] ids) {
    public Neighbours {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (scores.length != ids.length || (k == 0 ? ids.length != 0 : ids.length % k != 0)) {
            throw new IllegalArgumentException(
                    scores.length
                            + " scores and "
                            + ids.length
                            + " ids do not make whole rows of k = "
                            + k);
        }
    }

    /**
     * Packs per-query hit lists, which must all have the same length (as {@link VectorIndex#search}
     * gives for a fixed {@code min(k, size)}).
     */
    public static Neighbours of(List<List<Hit>> perQuery) {
        int k = perQuery.isEmpty() ? 0 : perQuery.get(0).size();
        float[] scores = new float[perQuery.size() * k];
        int[] ids = new int[perQuery.size() * k];
        for (int q = 0; q < perQuery.size(); q++) {
            List<Hit> hits = perQuery.get(q);
            if (hits.size() != k) {
                throw new IllegalArgumentException(
                        "query "
                                + q
                                + " has "
                                + hits.size()
                                + " hits but query 0 has "
                                + k
                                + "; an approximate index must return min(k, size) hits for"
                                + " every query (raise efSearch)");
            }
            for (int j = 0; j < k; j++) {
                scores[q * k + j] = hits.get(j).score();
                ids[q * k + j] = hits.get(j).id();
            }
        }
        return new Neighbours(k, scores, ids);
    }

    /** Number of queries. */
    public int queries() {
        return k == 0 ? 0 : ids.length / k;
    }

    /** The position in the arrays of query {@code q}'s most similar row; ties: the lower id. */
    public int nearest(int q) {
        int best = q * k;
        for (int j = q * k + 1; j < (q + 1) * k; j++) {
            if (scores[j] > scores[best] || (scores[j] == scores[best] && ids[j] < ids[best])) {
                best = j;
            }
        }
        return best;
    }

    /** Query {@code q}'s neighbours in {@link VectorIndex} order: best first, ties by lower id. */
    public List<Hit> hits(int q) {
        Hit[] out = new Hit[k];
        for (int j = 0; j < k; j++) {
            out[j] = new Hit(ids[q * k + j], scores[q * k + j]);
        }
        Arrays.sort(
                out, Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingInt(Hit::id));
        return new ArrayList<>(Arrays.asList(out));
    }
}
