package org.npid.index;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;

/**
 * Brute-force search: the ground truth for recall, and fast enough on its own for banks up to a few
 * hundred thousand rows.
 *
 * <p>{@link #searchAll} computes Q·Xᵀ tile by tile, a block of queries against a block of rows
 * small enough to stay in L2, so every row loaded from memory is reused by a whole query block.
 */
public final class ExactIndex implements VectorIndex {
    /** Queries per parallel task: enough to amortise each row block's trip from memory. */
    private static final int QUERY_BLOCK = 32;

    /** Rows per tile; 512 rows of 128 floats is 256 KiB, about one core's L2. */
    private static final int ROW_BLOCK = 512;

    private final Matrix vectors;
    private final ForkJoinPool pool;

    /** An index over {@code vectors} (shared, not copied) searching on all available cores. */
    public ExactIndex(Matrix vectors) {
        this(vectors, Runtime.getRuntime().availableProcessors());
    }

    /** An index over {@code vectors} (shared, not copied); {@code threads} serve searchAll. */
    public ExactIndex(Matrix vectors, int threads) {
        if (vectors == null) {
            throw new IllegalArgumentException("vectors must not be null");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.vectors = vectors;
        this.pool = new ForkJoinPool(threads);
    }

    @Override
    public int size() {
        return vectors.rows();
    }

    @Override
    public int dim() {
        return vectors.cols();
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        checkQuery(query.length, k);
        TopK top = new TopK(Math.min(k, Math.max(1, size())));
        float[] x = vectors.data();
        int d = dim();
        for (int r = 0, off = 0; r < size(); r++, off += d) {
            float s = dot(query, 0, x, off, d);
            if (s >= top.threshold()) {
                top.offer(r, s);
            }
        }
        return top.toList();
    }

    @Override
    public List<List<Hit>> searchAll(Matrix queries, int k) {
        if (queries.cols() != dim()) {
            throw new IllegalArgumentException(
                    "queries have " + queries.cols() + " columns but the index has dim " + dim());
        }
        checkQuery(dim(), k);
        int blocks = (queries.rows() + QUERY_BLOCK - 1) / QUERY_BLOCK;
        List<Callable<List<List<Hit>>>> tasks = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) {
            int from = b * QUERY_BLOCK;
            int to = Math.min(queries.rows(), from + QUERY_BLOCK);
            tasks.add(() -> searchBlock(queries, from, to, k));
        }
        List<List<Hit>> out = new ArrayList<>(queries.rows());
        try {
            for (Future<List<List<Hit>>> f : pool.invokeAll(tasks)) {
                out.addAll(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during exact search", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("exact search failed", e.getCause());
        }
        return out;
    }

    private List<List<Hit>> searchBlock(Matrix queries, int from, int to, int k) {
        int d = dim();
        int kk = Math.min(k, Math.max(1, size()));
        TopK[] tops = new TopK[to - from];
        for (int q = 0; q < tops.length; q++) {
            tops[q] = new TopK(kk);
        }
        float[] x = vectors.data();
        float[] qs = queries.data();
        for (int r0 = 0; r0 < size(); r0 += ROW_BLOCK) {
            int r1 = Math.min(size(), r0 + ROW_BLOCK);
            for (int q = from; q < to; q++) {
                TopK top = tops[q - from];
                int qOff = q * d;
                for (int r = r0; r < r1; r++) {
                    float s = dot(qs, qOff, x, r * d, d);
                    if (s >= top.threshold()) {
                        top.offer(r, s);
                    }
                }
            }
        }
        List<List<Hit>> out = new ArrayList<>(tops.length);
        for (TopK top : tops) {
            out.add(size() == 0 ? new ArrayList<>() : top.toList());
        }
        return out;
    }

    /**
     * Inner product with eight independent accumulators: breaking the add chain lets C2 keep
     * several FMAs in flight and unroll into SIMD registers.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
            s4 += a[aOff + i + 4] * b[bOff + i + 4];
            s5 += a[aOff + i + 5] * b[bOff + i + 5];
            s6 += a[aOff + i + 6] * b[bOff + i + 6];
            s7 += a[aOff + i + 7] * b[bOff + i + 7];
        }
        for (; i < n; i++) {
            s0 += a[aOff + i] * b[bOff + i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private void checkQuery(int queryDim, int k) {
        if (queryDim != dim()) {
            throw new IllegalArgumentException(
                    "query has " + queryDim + " dims but the index has dim " + dim());
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
    }

    @Override
    public long bytesInMemory() {
        return (long) vectors.data().length * Float.BYTES;
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
