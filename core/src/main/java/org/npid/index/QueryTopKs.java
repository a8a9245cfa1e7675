package org.npid.index;

import ai.djl.ndarray.NDArray;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * One top-k buffer of (score, row) per query, fed block by block: the top-k is fused into the scan
 * of each score block, so no query ever holds more than a few k candidates and no m × n score
 * matrix is materialised.
 */
final class QueryTopKs {
    private final int k;
    private final TopKBuffer[] tops;

    /** Each scanning thread's copy of one score row: plain arrays scan faster than buffers. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    QueryTopKs(int queries, int k) {
        this.k = k;
        this.tops = new TopKBuffer[queries];
        for (int q = 0; q < queries; q++) {
            tops[q] = new TopKBuffer(Math.max(1, k));
        }
    }

    /**
     * Offers a block of scores, one row per query and one column per bank row: score row {@code i}
     * belongs to query {@code who[i]} (or {@code firstQuery + i} when {@code who} is null), column
     * {@code j} to bank row {@code rowAt[firstRow + j]} (or {@code firstRow + j} when {@code rowAt}
     * is null). Each query's heap is touched by one task only, so the rows run in parallel.
     */
    void offer(
            NDArray scores,
            int[] who,
            int firstQuery,
            int[] rowAt,
            int firstRow,
            ForkJoinPool pool) {
        offer(
                scores,
                Math.toIntExact(scores.getShape().get(1)),
                who,
                firstQuery,
                rowAt,
                firstRow,
                pool);
    }

    /**
     * Offers the first {@code columns} columns of a block of scores for queries {@code firstQuery}
     * on and bank rows {@code firstRow} on; the block's further columns are padding.
     */
    void offer(NDArray scores, int columns, int firstQuery, int firstRow, ForkJoinPool pool) {
        offer(scores, columns, null, firstQuery, null, firstRow, pool);
    }

    private void offer(
            NDArray scores,
            int columns,
            int[] who,
            int firstQuery,
            int[] rowAt,
            int firstRow,
            ForkJoinPool pool) {
        int rows = Math.toIntExact(scores.getShape().get(0));
        int stride = Math.toIntExact(scores.getShape().get(1));
        // A view of the native scores, not a copy; the caller keeps the array open until we return.
        FloatBuffer s = scores.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
        Runnable scan =
                () ->
                        IntStream.range(0, rows)
                                .parallel()
                                .forEach(
                                        i ->
                                                offerRow(
                                                        tops[who == null ? firstQuery + i : who[i]],
                                                        s,
                                                        i * stride,
                                                        columns,
                                                        rowAt,
                                                        firstRow));
        if (rows == 1) {
            scan.run();
        } else {
            pool.submit(scan).join();
        }
    }

    private static void offerRow(
            TopKBuffer top, FloatBuffer s, int off, int cols, int[] rowAt, int firstRow) {
        float[] row = ROW.get();
        if (row.length < cols) {
            row = new float[cols];
            ROW.set(row);
        }
        s.get(off, row, 0, cols);
        top.offerAll(row, 0, cols, firstRow, rowAt);
    }

    /** The queries that have been offered fewer than k rows. */
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
        if (k > 0) {
            for (int q = 0; q < tops.length; q++) {
                tops[q].copyTo(scores, ids, q * k);
            }
        }
        return new Neighbours(k, scores, ids);
    }
}
