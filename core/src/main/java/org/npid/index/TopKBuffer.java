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

    /** Below this many pairs a selection sorts them instead of partitioning. */
    private static final int SMALL = 16;

    private final int k;

    /**
     * (score, id) packed so that a larger long ranks higher: the score's bits made sortable in the
     * high half, the complement of the id (a lower id wins a tie) in the low half. One long
     * comparison ranks two pairs, and no two keys of one query are equal.
     */
    private final long[] keys;

    /** Scratch for the partition's lower side. */
    private final long[] lower;

    private int size;
    private float threshold = Float.NEGATIVE_INFINITY;

    TopKBuffer(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        this.k = k;
        this.keys = new long[SLACK * k];
        this.lower = new long[SLACK * k];
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
        if (size == keys.length) {
            select();
            if (score < threshold) {
                return;
            }
        }
        keys[size++] = key(score, id);
    }

    /**
     * Offers {@code count} scores from {@code s[from]}, the first with id {@code firstId}, or with
     * id {@code rowAt[firstId + j]} when {@code rowAt} is not null.
     */
    void offerAll(float[] s, int from, int count, int firstId, int[] rowAt) {
        if (size == 0 && count > keys.length) {
            threshold = kthBest(s, from, count);
        }
        int end = from + count;
        // The scan is a tight loop of its own: with the append inline, the JIT neither unrolls
        // it nor keeps it branch-light, and it ran at 1 ns a score instead of 0.4.
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

    /**
     * The k-th best score of a row that is about to be offered whole: a threshold that at least k
     * of its scores reach, so it is exact, and far tighter than the ones a fresh buffer would raise
     * step by step (a first block of 4,096 scores otherwise appends about 1,500 of them).
     */
    private float kthBest(float[] s, int from, int count) {
        long[][] scratch = SCRATCH.get();
        if (scratch[0].length < count) {
            scratch[0] = new long[count];
            scratch[1] = new long[count];
        }
        long[] a = scratch[0];
        for (int j = 0; j < count; j++) {
            a[j] = key(s[from + j], j);
        }
        selectTop(a, scratch[1], count, k);
        return score(minimum(a, k));
    }

    /** Each scanning thread's room for {@link #kthBest}: two arrays as long as a score row. */
    private static final ThreadLocal<long[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new long[][] {new long[0], new long[0]});

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
        for (int i = 0; i < size; i++) {
            scoresOut[offset + i] = score(keys[i]);
            idsOut[offset + i] = id(keys[i]);
        }
    }

    /**
     * Moves the best k keys to the front, drops the rest and raises the threshold. Quickselect
     * whose partition writes every key to both sides and advances one side by the comparison's
     * result: no branch on the data, so no mispredictions (a branching partition spent 17 ns a key
     * here).
     */
    private void select() {
        selectTop(keys, lower, size, k);
        size = k;
        threshold = score(minimum(keys, k));
    }

    /**
     * Moves the {@code want} largest of {@code a[0, n)} (distinct keys) to its front, in no
     * particular order; {@code tmp} holds at least n.
     */
    private static void selectTop(long[] a, long[] tmp, int n, int want) {
        int lo = 0;
        int hi = n;
        while (hi - lo > SMALL) {
            long pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi - 1]);
            int above = lo;
            int below = 0;
            for (int i = lo; i < hi; i++) {
                long v = a[i];
                a[above] = v;
                tmp[below] = v;
                above += v > pivot ? 1 : 0;
                below += v < pivot ? 1 : 0;
            }
            a[above] = pivot;
            System.arraycopy(tmp, 0, a, above + 1, below);
            int better = above - lo;
            if (want <= better) {
                hi = above;
            } else if (want == better + 1) {
                return;
            } else {
                want -= better + 1;
                lo = above + 1;
            }
        }
        // Fewer than SMALL keys left: sort them best first; the first `want` are the rest.
        java.util.Arrays.sort(a, lo, hi);
        for (int i = lo, j = hi - 1; i < j; i++, j--) {
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static long minimum(long[] a, int n) {
        long min = a[0];
        for (int i = 1; i < n; i++) {
            min = Math.min(min, a[i]);
        }
        return min;
    }

    private static long medianOfThree(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** The sortable key of (score, id): see {@link #keys}. */
    static long key(float score, int id) {
        int bits = Float.floatToRawIntBits(score);
        // Negative floats order backwards as ints: flipping their magnitude bits fixes that.
        int sortable = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) sortable << 32) | (~id & 0xffffffffL);
    }

    static float score(long key) {
        int sortable = (int) (key >> 32);
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7fffffff));
    }

    static int id(long key) {
        return ~(int) key;
    }
}
