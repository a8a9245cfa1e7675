package org.npid.spark;

import java.io.Serializable;
import java.util.Arrays;
import org.npid.index.Neighbours;

/**
 * The best {@code k} base rows found so far for each query of a block: per query, scores
 * descending, ties by the lower id, padded with empty slots (score −∞, id {@link Long#MAX_VALUE})
 * while fewer have been seen. Merging the lists of disjoint base blocks gives exactly the top k of
 * their union, in any order of merging, which is what lets Spark combine them as it likes.
 */
final class Candidates implements Serializable {
    private static final long serialVersionUID = 1L;

    final long[] queryIds;
    final int[] queryLabels;
    final int k;
    final float[] scores;
    final long[] ids;
    final int[] labels;

    private Candidates(long[] queryIds, int[] queryLabels, int k) {
        this.queryIds = queryIds;
        this.queryLabels = queryLabels;
        this.k = k;
        int n = queryIds.length * k;
        this.scores = new float[n];
        this.ids = new long[n];
        this.labels = new int[n];
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        Arrays.fill(ids, Long.MAX_VALUE);
        Arrays.fill(labels, -1);
    }

    /**
     * The top {@code k} of {@code found} (a search of {@code base} for {@code queries}, local ids),
     * leaving out each query's own row when {@code excludeSelf}.
     */
    static Candidates of(
            VectorBlock queries, VectorBlock base, Neighbours found, int k, boolean excludeSelf) {
        Candidates c = new Candidates(queries.ids, queries.labels, k);
        int kk = found.k();
        long[] ids = new long[kk];
        float[] scores = new float[kk];
        int[] labels = new int[kk];
        for (int q = 0; q < queries.rows(); q++) {
            int n = 0;
            for (int j = q * kk; j < (q + 1) * kk; j++) {
                long id = base.ids[found.ids()[j]];
                if (excludeSelf && id == queries.ids[q]) {
                    continue;
                }
                ids[n] = id;
                scores[n] = found.scores()[j];
                labels[n] = base.labels[found.ids()[j]];
                n++;
            }
            c.insertSorted(q, ids, scores, labels, n);
        }
        return c;
    }

    /** Both lists' best k per query; {@code this} and {@code other} cover the same queries. */
    Candidates merge(Candidates other) {
        if (other.queryIds.length != queryIds.length || other.k != k) {
            throw new IllegalArgumentException("candidate lists of different query blocks");
        }
        Candidates out = new Candidates(queryIds, queryLabels, k);
        for (int q = 0; q < queryIds.length; q++) {
            int a = q * k;
            int b = q * k;
            for (int o = q * k; o < (q + 1) * k; o++) {
                boolean takeA = before(scores[a], ids[a], other.scores[b], other.ids[b]);
                if (takeA) {
                    out.set(o, scores[a], ids[a], labels[a]);
                    a++;
                } else {
                    out.set(o, other.scores[b], other.ids[b], other.labels[b]);
                    b++;
                }
            }
        }
        return out;
    }

    int queries() {
        return queryIds.length;
    }

    /** How many real neighbours query {@code q} has (fewer than k when the base is smaller). */
    int found(int q) {
        int n = 0;
        while (n < k && ids[q * k + n] != Long.MAX_VALUE) {
            n++;
        }
        return n;
    }

    private void set(int at, float score, long id, int label) {
        scores[at] = score;
        ids[at] = id;
        labels[at] = label;
    }

    /** Sorts the first {@code n} hits and keeps the best k of them as query {@code q}'s list. */
    private void insertSorted(int q, long[] hitIds, float[] hitScores, int[] hitLabels, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(
                order,
                (x, y) ->
                        before(hitScores[x], hitIds[x], hitScores[y], hitIds[y])
                                ? -1
                                : (hitIds[x] == hitIds[y] ? 0 : 1));
        for (int i = 0; i < Math.min(n, k); i++) {
            set(q * k + i, hitScores[order[i]], hitIds[order[i]], hitLabels[order[i]]);
        }
    }

    /** Whether hit (s1, id1) ranks before (s2, id2): higher score, then lower id. */
    static boolean before(float s1, long id1, float s2, long id2) {
        return s1 > s2 || (s1 == s2 && id1 < id2);
    }
}
