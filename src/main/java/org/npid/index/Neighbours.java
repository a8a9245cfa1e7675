package org.npid.index;

/**
 * The {@code k} nearest bank rows of each of m queries: row-major m × k arrays of cosine scores and
 * bank row ids. Within a query's k the order is unspecified (the weighted vote does not need it);
 * {@link #nearest} finds the best.
 */
public record Neighbours(int k, float[] scores, int[] ids) {
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
}
