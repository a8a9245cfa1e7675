package org.npid.index;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Approximate top-k by inverted lists (IVF, as in FAISS): the bank is split into cells by spherical
 * k-means, and each query scores only the rows of its {@code probes} most similar cells. With
 * {@code probes = lists} every row is scored and the result is exact.
 *
 * <p>Why: exact scoring of 10k queries against a 60k × 128 bank is a 157 GFLOP matmul, about 2 s on
 * two cores in fp32, and the top-k over 600M scores costs about as much again. Features that NPID
 * has trained cluster by image content, so the k nearest rows of a query lie in few cells: probing
 * 20 of 128 cut the 10k × 60k kNN from 2.3 to 0.7 s with the same top-1 (docs/BENCHMARKS.md). The
 * cells are rebuilt for every bank: recomputed features change each epoch.
 */
public final class InvertedLists {
    /** Training rows of k-means per cell: enough for stable centroids, a fraction of the bank. */
    private static final int SAMPLE_PER_LIST = 64;

    private static final int KMEANS_ITERATIONS = 6;

    private final int lists;
    private final int probes;
    private final long seed;

    /**
     * @param lists number of cells (about √n is the usual choice)
     * @param probes cells each query scores, in [1, lists]
     */
    public InvertedLists(int lists, int probes, long seed) {
        if (lists < 1) {
            throw new IllegalArgumentException("knn lists must be >= 1, got " + lists);
        }
        if (probes < 1 || probes > lists) {
            throw new IllegalArgumentException(
                    "knn probes must be in [1, lists = " + lists + "], got " + probes);
        }
        this.lists = lists;
        this.probes = probes;
        this.seed = seed;
    }

    /**
     * The {@code k} best bank rows of each query among the rows of its probed cells, in no
     * particular order: rows of {@code bank} (n × d) and {@code queries} (m × d) are unit vectors,
     * row-major. Ties in score go to the lower row id.
     */
    public Neighbours search(NDManager parent, float[] bank, int d, float[] queries, int k) {
        int n = bank.length / d;
        int m = queries.length / d;
        int kk = Math.min(k, n);
        // Cells small enough that the probed ones hold k rows several times over on average; on
        // a small bank that means fewer, larger cells than asked for.
        int cells = (int) Math.max(1, Math.min(lists, (long) n * probes / (4L * kk)));
        int probe = Math.min(probes, cells);
        try (NDManager scope = parent.newSubManager()) {
            float[] centroids = centroids(scope, bank, n, d, cells);
            NDArray centroidsT = scope.create(centroids, new Shape(cells, d)).transpose();
            int[] cellOf = argmax(scope.create(bank, new Shape(n, d)).matMul(centroidsT));

            // Rows sorted by cell, so that each cell is one contiguous block of the bank.
            int[] start = new int[cells + 1];
            for (int c : cellOf) {
                start[c + 1]++;
            }
            for (int c = 0; c < cells; c++) {
                start[c + 1] += start[c];
            }
            int[] rowAt = new int[n];
            int[] fill = Arrays.copyOf(start, cells);
            for (int i = 0; i < n; i++) {
                rowAt[fill[cellOf[i]]++] = i;
            }
            float[] sorted = new float[n * d];
            for (int p = 0; p < n; p++) {
                System.arraycopy(bank, rowAt[p] * d, sorted, p * d, d);
            }
            NDArray sortedBank = scope.create(sorted, new Shape(n, d));

            NDArray q = scope.create(queries, new Shape(m, d));
            long[] probed = q.matMul(centroidsT).topK(probe, 1, true, true).get(1).toLongArray();
            Heaps heaps = new Heaps(m, kk);
            // Each query's nearest cell first, for all queries, then the rest: the heaps fill
            // with good rows, and most rows of the later cells fail the first comparison.
            scoreCells(scope, queries, d, probed, probe, 0, 1, sortedBank, start, rowAt, heaps);
            if (probe > 1) {
                scoreCells(
                        scope,
                        queries,
                        d,
                        probed,
                        probe,
                        1,
                        probe,
                        sortedBank,
                        start,
                        rowAt,
                        heaps);
            }
            int[] unfilled = heaps.notFull();
            if (unfilled.length > 0) {
                exactFor(scope, bank, n, d, queries, unfilled, heaps);
            }
            return heaps.drain();
        }
    }

    /**
     * Exact neighbours for the few queries whose probed cells held fewer than k rows (a query on
     * the edge of small cells): they are searched against the whole bank instead.
     */
    private static void exactFor(
            NDManager scope,
            float[] bank,
            int n,
            int d,
            float[] queries,
            int[] which,
            Heaps heaps) {
        try (NDManager sub = scope.newSubManager()) {
            float[] q = new float[which.length * d];
            for (int j = 0; j < which.length; j++) {
                System.arraycopy(queries, which[j] * d, q, j * d, d);
            }
            float[] s =
                    sub.create(q, new Shape(which.length, d))
                            .matMul(sub.create(bank, new Shape(n, d)).transpose())
                            .toFloatArray();
            int[] identity = IntStream.range(0, n).toArray();
            for (int j = 0; j < which.length; j++) {
                heaps.reset(which[j]);
                heaps.offer(which[j], s, j * n, n, identity, 0);
            }
        }
    }

    /**
     * Scores every query against the cells it probes at ranks [from, to), one matmul per cell with
     * all the queries that probe it, and offers the scores to the queries' heaps.
     */
    private static void scoreCells(
            NDManager scope,
            float[] queries,
            int d,
            long[] probed,
            int probe,
            int from,
            int to,
            NDArray sortedBank,
            int[] start,
            int[] rowAt,
            Heaps heaps) {
        int cells = start.length - 1;
        int m = probed.length / probe;
        int[] qStart = new int[cells + 1];
        for (int i = 0; i < m; i++) {
            for (int r = from; r < to; r++) {
                qStart[(int) probed[i * probe + r] + 1]++;
            }
        }
        for (int c = 0; c < cells; c++) {
            qStart[c + 1] += qStart[c];
        }
        int[] queryAt = new int[qStart[cells]];
        int[] qFill = Arrays.copyOf(qStart, cells);
        for (int i = 0; i < m; i++) {
            for (int r = from; r < to; r++) {
                queryAt[qFill[(int) probed[i * probe + r]]++] = i;
            }
        }
        for (int c = 0; c < cells; c++) {
            int rows = start[c + 1] - start[c];
            int qs = qStart[c + 1] - qStart[c];
            if (rows == 0 || qs == 0) {
                continue;
            }
            try (NDManager cell = scope.newSubManager()) {
                int[] who = Arrays.copyOfRange(queryAt, qStart[c], qStart[c + 1]);
                float[] qc = new float[qs * d];
                for (int j = 0; j < qs; j++) {
                    System.arraycopy(queries, who[j] * d, qc, j * d, d);
                }
                NDArray block = sortedBank.get(start[c] + ":" + start[c + 1]);
                float[] s =
                        cell.create(qc, new Shape(qs, d)).matMul(block.transpose()).toFloatArray();
                int first = start[c];
                // Each query's heap is touched by one task only: the rows are distinct queries.
                IntStream.range(0, qs)
                        .parallel()
                        .forEach(j -> heaps.offer(who[j], s, j * rows, rows, rowAt, first));
            }
        }
    }

    /** Spherical k-means on a seeded sample of the bank: unit centroids, row-major. */
    private float[] centroids(NDManager scope, float[] bank, int n, int d, int cells) {
        SplittableRandom rng = new SplittableRandom(seed);
        int s = Math.min(n, Math.max(cells, cells * SAMPLE_PER_LIST));
        int[] perm = IntStream.range(0, n).toArray();
        for (int i = 0; i < s; i++) {
            int j = i + rng.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] sample = new float[s * d];
        for (int i = 0; i < s; i++) {
            System.arraycopy(bank, perm[i] * d, sample, i * d, d);
        }
        float[] centroids = Arrays.copyOf(sample, cells * d);
        try (NDManager km = scope.newSubManager()) {
            NDArray x = km.create(sample, new Shape(s, d));
            for (int it = 0; it < KMEANS_ITERATIONS; it++) {
                int[] assign;
                try (NDManager step = km.newSubManager()) {
                    NDArray c = step.create(centroids, new Shape(cells, d));
                    assign = argmax(x.matMul(c.transpose()));
                }
                float[] sum = new float[cells * d];
                int[] count = new int[cells];
                for (int i = 0; i < s; i++) {
                    int c = assign[i];
                    count[c]++;
                    for (int j = 0; j < d; j++) {
                        sum[c * d + j] += sample[i * d + j];
                    }
                }
                for (int c = 0; c < cells; c++) {
                    if (count[c] == 0) {
                        continue; // an empty cell keeps its centroid
                    }
                    double sq = 0;
                    for (int j = 0; j < d; j++) {
                        sq += (double) sum[c * d + j] * sum[c * d + j];
                    }
                    float inv = (float) (1 / Math.max(Math.sqrt(sq), 1e-12));
                    for (int j = 0; j < d; j++) {
                        centroids[c * d + j] = sum[c * d + j] * inv;
                    }
                }
            }
        }
        return centroids;
    }

    private static int[] argmax(NDArray scores) {
        long[] a = scores.argMax(1).toLongArray();
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (int) a[i];
        }
        return out;
    }

    /** One bounded heap of (score, row) per query. */
    private static final class Heaps {
        private final int k;
        private final TopK[] tops;

        Heaps(int queries, int k) {
            this.k = k;
            this.tops = new TopK[queries];
            for (int q = 0; q < queries; q++) {
                tops[q] = new TopK(k);
            }
        }

        /** Offers row {@code rowAt[first + j]} with score {@code s[off + j]}, j < rows. */
        void offer(int query, float[] s, int off, int rows, int[] rowAt, int first) {
            TopK top = tops[query];
            // Once the heap is full, most rows fall below its minimum: one float compare each.
            float min = top.threshold();
            for (int j = 0; j < rows; j++) {
                float score = s[off + j];
                if (score >= min) {
                    top.offer(rowAt[first + j], score);
                    min = top.threshold();
                }
            }
        }

        /** The queries whose heaps hold fewer than k rows. */
        int[] notFull() {
            return IntStream.range(0, tops.length).filter(q -> tops[q].size() < k).toArray();
        }

        void reset(int query) {
            tops[query].clear();
        }

        /** Each query's k rows, in no particular order. */
        Neighbours drain() {
            float[] scores = new float[tops.length * k];
            int[] ids = new int[tops.length * k];
            for (int q = 0; q < tops.length; q++) {
                tops[q].copyTo(scores, ids, q * k);
            }
            return new Neighbours(k, scores, ids);
        }
    }
}
