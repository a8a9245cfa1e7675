package org.npid.index;

/**
 * The {@code k} best (score, id) pairs of a long stream, kept by appending every candidate that
 * reaches a threshold to a buffer and selecting the best {@code k} only when the buffer is full.
 *
 * <p>Exact search offers each query tens of thousands of scores. A bounded heap pays a sift of log
 * k unpredictable branches for every candidate that enters (about k·(1 + ln(n/k)) of them, 1,300
 * per query for k = 200 of 60,000): measured here, the heap scan took as long as the matmul that
 * made the scores. Appending costs one store, and one linear-time selection per {@code capacity −
 * k} appends replaces them all. The threshold is the k-th best score after the last selection: at
 * least k kept pairs score at or above it, so nothing below it can be in the answer and the result
 * is exact.
 *
 * <p>Ties rank by the lower id, as {@link TopK} does.
 */
final class TopKBuffer {
    /** Buffer slots per kept pair: larger means fewer selections, each over more pairs. */
    private static final int SLACK = 4;

    private final int k;
    private final float[] scores;
    private final int[] ids;
    private int size;
    private float threshold = Float.NEGATIVE_INFINITY;

    TopKBuffer(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.scores = new float[SLACK * k];
        this.ids = new int[SLACK * k];
    }

    /** Score a candidate must reach to be kept; -infinity until k pairs have been seen. */
    float threshold() {
        return threshold;
    }

    /** Keeps (id, score) if it can still be among the best k. */
    void offer(int id, float score) {
        if (score < threshold) {
            return;
        }
        if (size == scores.length) {
            select();
            if (score < threshold) {
                return;
            }
        }
        scores[size] = score;
        ids[size] = id;
        size++;
    }

    /**
     * Offers {@code count} scores from {@code s[from]}, the first with id {@code firstId}, or with
     * id {@code rowAt[firstId + j]} when {@code rowAt} is not null.
     */
    void offerAll(float[] s, int from, int count, int firstId, int[] rowAt) {
        int end = from + count;
        int j = next(s, from, end, threshold);
        while (j < end) {
            int at = firstId + j - from;
            offer(rowAt == null ? at : rowAt[at], s[j]);
            j = next(s, j + 1, end, threshold);
        }
    }

    /** The first index in [from, to) whose score reaches {@code min}, or {@code to}. */
    private static int next(float[] s, int from, int to, float min) {
        for (int j = from; j < to; j++) {
            if (s[j] >= min) {
                return j;
            }
        }
        return to;
    }

    /** How many pairs would be returned now: at most k. */
    int size() {
        return Math.min(size, k);
    }

    void clear() {
        size = 0;
        threshold = Float.NEGATIVE_INFINITY;
    }

    /**
     * Copies the best {@code min(k, seen)} pairs, in no particular order, to {@code scoresOut} and
     * {@code idsOut} from {@code offset}.
     */
    void copyTo(float[] scoresOut, int[] idsOut, int offset) {
        if (size > k) {
            select();
        }
        System.arraycopy(scores, 0, scoresOut, offset, size);
        System.arraycopy(ids, 0, idsOut, offset, size);
    }

    /** Moves the best k pairs to the front, drops the rest and raises the threshold. */
    private void select() {
        int lo = 0;
        int hi = size - 1;
        // Quickselect for position k − 1 in best-first order; the middle pivot is enough for
        // scores, which arrive in no adversarial order.
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            float ps = scores[mid];
            int pi = ids[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (better(scores[i], ids[i], ps, pi)) {
                    i++;
                }
                while (better(ps, pi, scores[j], ids[j])) {
                    j--;
                }
                if (i <= j) {
                    swap(i++, j--);
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                break;
            }
        }
        size = k;
        float min = scores[0];
        for (int i = 1; i < k; i++) {
            min = Math.min(min, scores[i]);
        }
        threshold = min;
    }

    /** Whether (sa, ia) ranks above (sb, ib): higher score, or equal score and lower id. */
    private static boolean better(float sa, int ia, float sb, int ib) {
        return sa > sb || (sa == sb && ia < ib);
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int t = ids[a];
        ids[a] = ids[b];
        ids[b] = t;
    }
}
