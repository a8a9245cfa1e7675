package org.npid.index;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded min-heap keeping the {@code k} best (score, id) pairs seen so far.
 *
 * <p>Primitive arrays instead of a {@code PriorityQueue<Hit>} because exact search offers every row
 * of the matrix, and boxing a million candidates per query would dominate the run time.
 */
public final class TopK {
    private final int capacity;
    private final float[] scores;
    private final int[] ids;
    private int size;

    public TopK(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
        this.scores = new float[capacity];
        this.ids = new int[capacity];
    }

    /** Score a candidate must beat to enter; -infinity until the heap is full. */
    public float threshold() {
        return size < capacity ? Float.NEGATIVE_INFINITY : scores[0];
    }

    public void offer(int id, float score) {
        if (size < capacity) {
            scores[size] = score;
            ids[size] = id;
            siftUp(size++);
        } else if (worse(scores[0], ids[0], score, id)) {
            scores[0] = score;
            ids[0] = id;
            siftDown(0);
        }
    }

    /** How many pairs the heap holds, at most its capacity. */
    public int size() {
        return size;
    }

    /** Empties the heap. */
    public void clear() {
        size = 0;
    }

    /**
     * Copies the kept pairs, in heap order (not sorted), to {@code scoresOut} and {@code idsOut}
     * from {@code offset}; for callers that need the set, not the ranking.
     */
    public void copyTo(float[] scoresOut, int[] idsOut, int offset) {
        System.arraycopy(scores, 0, scoresOut, offset, size);
        System.arraycopy(ids, 0, idsOut, offset, size);
    }

    /** Drains the heap into a list ordered best first. */
    List<Hit> toList() {
        Hit[] out = new Hit[size];
        while (size > 0) {
            out[size - 1] = new Hit(ids[0], scores[0]);
            size--;
            scores[0] = scores[size];
            ids[0] = ids[size];
            siftDown(0);
        }
        return new ArrayList<>(List.of(out));
    }

    /** Whether (sa, ia) ranks below (sb, ib): lower score, or equal score and larger id. */
    private static boolean worse(float sa, int ia, float sb, int ib) {
        return sa < sb || (sa == sb && ia > ib);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!worse(scores[i], ids[i], scores[parent], ids[parent])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int child = left;
            int right = left + 1;
            if (right < size && worse(scores[right], ids[right], scores[left], ids[left])) {
                child = right;
            }
            if (!worse(scores[child], ids[child], scores[i], ids[i])) {
                return;
            }
            swap(i, child);
            i = child;
        }
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
