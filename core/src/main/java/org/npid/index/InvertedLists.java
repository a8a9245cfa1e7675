package org.npid.index;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Approximate top-k by inverted lists (IVF, as in FAISS): the bank is split into cells by spherical
 * k-means, and each query scores only the rows of its {@code probes} most similar cells. With
 * {@code probes = lists} every row is scored and the result is exact.
 *
 * <p>Why: exact scoring of 10k queries against a 60k × 128 bank is a 157 GFLOP matmul, seconds on
 * two cores, however well the top-k is fused into it. Features that NPID has trained cluster by
 * image content, so the k nearest rows of a query lie in few cells: probing 20 of 128 cut the 10k ×
 * 60k kNN from 2.3 to 0.7 s with the same top-1 (docs/BENCHMARKS.md). Build one index per bank:
 * recomputed features change each epoch, and so do their cells.
 */
public final class InvertedLists implements VectorIndex {
    /** Training rows of k-means per cell: enough for stable centroids, a fraction of the bank. */
    private static final int SAMPLE_PER_LIST = 64;

    private static final int KMEANS_ITERATIONS = 6;

    /** The indexed rows; null for an instance made by the deprecated constructor. */
    private final Matrix bank;

    private final NDManager manager;

    /** Unit centroids, cells × d. */
    private final NDArray centroids;

    /** The rows of each cell (null for an empty cell), in the order of {@link #rowAt}. */
    private final NDArray[] cellRows;

    /** Cell c holds the rows {@code rowAt[start[c]] .. rowAt[start[c + 1] - 1]}. */
    private final int[] start;

    private final int[] rowAt;

    /**
     * Cells each query scores: the {@code probes} asked for, or fewer when the bank has fewer
     * cells.
     */
    private final int probe;

    private final ForkJoinPool pool;

    private InvertedLists(Matrix bank, int lists, int probes, long seed, int expectedK) {
        checkSettings(lists, probes);
        this.bank = bank;
        int n = bank.rows();
        int d = bank.cols();
        int kk = Math.max(1, Math.min(expectedK, n));
        // Cells small enough that the probed ones hold k rows several times over on average; on
        // a small bank that means fewer, larger cells than asked for.
        int cells = (int) Math.min(n, Math.max(1, Math.min(lists, (long) n * probes / (4L * kk))));
        this.probe = Math.min(probes, cells);
        this.manager = NDManager.newBaseManager();
        try {
            float[] c = n == 0 ? new float[0] : centroids(manager, bank.data(), n, d, cells, seed);
            this.centroids = manager.create(c, new Shape(cells, d));
            int[] cellOf;
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.create(bank.data(), new Shape(n, d));
                cellOf = n == 0 ? new int[0] : argmax(x.matMul(centroids.transpose()));
            }
            // Rows sorted by cell, so that each cell is one contiguous block.
            this.start = new int[cells + 1];
            for (int cell : cellOf) {
                start[cell + 1]++;
            }
            for (int cell = 0; cell < cells; cell++) {
                start[cell + 1] += start[cell];
            }
            this.rowAt = new int[n];
            int[] fill = Arrays.copyOf(start, cells);
            for (int i = 0; i < n; i++) {
                rowAt[fill[cellOf[i]]++] = i;
            }
            this.cellRows = new NDArray[cells];
            for (int cell = 0; cell < cells; cell++) {
                int rows = start[cell + 1] - start[cell];
                if (rows > 0) {
                    float[] part = new float[rows * d];
                    for (int p = 0; p < rows; p++) {
                        System.arraycopy(bank.data(), rowAt[start[cell] + p] * d, part, p * d, d);
                    }
                    cellRows[cell] = manager.create(part, new Shape(rows, d));
                }
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        this.pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    }

    /**
     * An index of {@code bank} (unit rows, shared, not copied) in {@code lists} cells, each query
     * scoring the rows of its {@code probes} nearest cells.
     *
     * @param lists number of cells (about √n is the usual choice)
     * @param probes cells each query scores, in [1, lists]
     * @param seed seeds the k-means sample
     */
    public static InvertedLists build(Matrix bank, int lists, int probes, long seed) {
        return build(bank, lists, probes, seed, 1);
    }

    /**
     * As {@link #build(Matrix, int, int, long)}, for searches of {@code expectedK} neighbours: a
     * bank too small for {@code lists} cells whose {@code probes} hold several times k rows gets
     * fewer, larger cells, so that few queries fall back to exact search.
     */
    public static InvertedLists build(
            Matrix bank, int lists, int probes, long seed, int expectedK) {
        if (bank == null) {
            throw new IllegalArgumentException("bank must not be null");
        }
        return new InvertedLists(bank, lists, probes, seed, expectedK);
    }

    private static void checkSettings(int lists, int probes) {
        if (lists < 1) {
            throw new IllegalArgumentException("knn lists must be >= 1, got " + lists);
        }
        if (probes < 1 || probes > lists) {
            throw new IllegalArgumentException(
                    "knn probes must be in [1, lists = " + lists + "], got " + probes);
        }
    }

    @Override
    public int size() {
        return bank.rows();
    }

    @Override
    public int dim() {
        return bank.cols();
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        return searchAll(new Matrix(1, query.length, query), k).hits(0);
    }

    /**
     * Ties in score go to the lower row id. A query whose probed cells hold fewer than k rows (on
     * the edge of small cells) is searched against every cell instead.
     */
    @Override
    public Neighbours searchAll(Matrix queries, int k) {
        Matrix x = bank;
        if (queries.cols() != x.cols()) {
            throw new IllegalArgumentException(
                    "query has " + queries.cols() + " dims but the index has dim " + x.cols());
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int m = queries.rows();
        int d = x.cols();
        QueryTopKs tops = new QueryTopKs(m, Math.min(k, x.rows()));
        if (m == 0 || x.rows() == 0) {
            return tops.drain();
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray q = scope.create(queries.data(), new Shape(m, d));
            long[] probed =
                    q.matMul(centroids.transpose()).topK(probe, 1, true, true).get(1).toLongArray();
            // Each query's nearest cell first, for all queries, then the rest: the top-k buffers
            // fill
            // with good rows, and most rows of the later cells fail the first comparison.
            scoreCells(scope, queries, pairs(probed, 0, 1), tops);
            if (probe > 1) {
                scoreCells(scope, queries, pairs(probed, 1, probe), tops);
            }
            int[] unfilled = tops.notFull();
            if (unfilled.length > 0) {
                int cells = cellRows.length;
                int[][] everyCell = new int[2][unfilled.length * cells];
                for (int j = 0; j < unfilled.length; j++) {
                    tops.reset(unfilled[j]);
                    for (int c = 0; c < cells; c++) {
                        everyCell[0][j * cells + c] = unfilled[j];
                        everyCell[1][j * cells + c] = c;
                    }
                }
                scoreCells(scope, queries, everyCell, tops);
            }
        }
        return tops.drain();
    }

    /** (query, cell) pairs of the cells each query probes at ranks [from, to). */
    private int[][] pairs(long[] probed, int from, int to) {
        int m = probed.length / probe;
        int per = to - from;
        int[][] out = new int[2][m * per];
        for (int i = 0; i < m; i++) {
            for (int r = from; r < to; r++) {
                out[0][i * per + r - from] = i;
                out[1][i * per + r - from] = (int) probed[i * probe + r];
            }
        }
        return out;
    }

    /**
     * Scores each (query, cell) pair of {@code pairs} (queries in row 0, cells in row 1), one
     * matmul per cell with all the queries that probe it, and offers the scores to the top-k
     * buffers.
     */
    private void scoreCells(NDManager scope, Matrix queries, int[][] pairs, QueryTopKs tops) {
        int cells = cellRows.length;
        int d = queries.cols();
        int[] qStart = new int[cells + 1];
        for (int c : pairs[1]) {
            qStart[c + 1]++;
        }
        for (int c = 0; c < cells; c++) {
            qStart[c + 1] += qStart[c];
        }
        int[] queryAt = new int[pairs[0].length];
        int[] qFill = Arrays.copyOf(qStart, cells);
        for (int p = 0; p < pairs[0].length; p++) {
            queryAt[qFill[pairs[1][p]]++] = pairs[0][p];
        }
        for (int c = 0; c < cells; c++) {
            int qs = qStart[c + 1] - qStart[c];
            if (cellRows[c] == null || qs == 0) {
                continue;
            }
            int[] who = Arrays.copyOfRange(queryAt, qStart[c], qStart[c + 1]);
            float[] qc = new float[qs * d];
            for (int j = 0; j < qs; j++) {
                System.arraycopy(queries.data(), who[j] * d, qc, j * d, d);
            }
            try (NDManager cell = scope.newSubManager()) {
                NDArray scores = cell.create(qc, new Shape(qs, d)).matMul(cellRows[c].transpose());
                tops.offer(scores, who, 0, rowAt, start[c], pool);
            }
        }
    }

    /** The bank, its native copy by cell, the centroids and the row order. */
    @Override
    public long bytesInMemory() {
        Matrix x = bank;
        return 2L * x.data().length * Float.BYTES
                + (long) cellRows.length * x.cols() * Float.BYTES
                + (long) (rowAt.length + start.length) * Integer.BYTES;
    }

    @Override
    public void close() {
        if (manager != null) {
            manager.close();
            pool.shutdown();
        }
    }

    /**
     * The unit centroids of {@code cells} cells ({@code cells} × d) that an index of {@code rows}
     * would use, by the same seeded spherical k-means: for searches that keep the cells elsewhere
     * (npid-spark's approximate neighbours).
     */
    public static Matrix trainCentroids(Matrix rows, int cells, long seed) {
        if (cells < 1 || cells > rows.rows()) {
            throw new IllegalArgumentException(
                    "cells must be in [1, rows = " + rows.rows() + "], got " + cells);
        }
        try (NDManager scope = NDManager.newBaseManager()) {
            return new Matrix(
                    cells,
                    rows.cols(),
                    centroids(scope, rows.data(), rows.rows(), rows.cols(), cells, seed));
        }
    }

    /** Spherical k-means on a seeded sample of the bank: unit centroids, row-major. */
    private static float[] centroids(
            NDManager scope, float[] bank, int n, int d, int cells, long seed) {
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
}
