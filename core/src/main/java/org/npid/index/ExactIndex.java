package org.npid.index;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Brute-force search: the ground truth for recall and for the kNN evaluation, and fast enough on
 * its own for banks up to a few hundred thousand rows.
 *
 * <p>{@link #searchAll} multiplies a block of queries by a block of rows with the engine's matmul
 * (BLAS: the tiled Java loop it replaces took 37–41 s for 10k × 60k × 128 on two shared cores) and
 * feeds each score block straight into per-query top-k buffers. Blocks of {@value #QUERY_BLOCK} ×
 * {@value #ROW_BLOCK} scores (8 MiB) stay in the last-level cache between the matmul that writes
 * them and the scan that reads them, and the full m × n score matrix never exists. The bank is held
 * transposed, d × rows per block, so the matmul reads both operands in the layout BLAS streams
 * fastest; the scan reads the scores where the engine wrote them.
 */
public final class ExactIndex implements VectorIndex {
    /**
     * Queries per matmul. 512 × 4096 and 1024 × 2048 ran 10k × 60k × 128 in 1.2 s on two Zen 3
     * cores, 256 × 8192 in 1.4–1.8 s and 128 × 16384 in 1.7–2.2 s (docs/log/EXPERIMENTS.md).
     */
    private static final int QUERY_BLOCK = 512;

    /** Bank rows per matmul; with {@link #QUERY_BLOCK} an 8 MiB score block. */
    private static final int ROW_BLOCK = 4096;

    private final Matrix vectors;
    private final ForkJoinPool pool;
    private final NDManager manager;

    /** The bank in row blocks of {@link #ROW_BLOCK}, transposed to d × rows, in native memory. */
    private final NDArray[] blocks;

    /** An index over {@code vectors} (shared, not copied) searching on all available cores. */
    public ExactIndex(Matrix vectors) {
        this(vectors, Runtime.getRuntime().availableProcessors());
    }

    /**
     * An index over {@code vectors}; {@code threads} scan the score blocks (the matmul runs on the
     * engine's own threads).
     */
    public ExactIndex(Matrix vectors, int threads) {
        if (vectors == null) {
            throw new IllegalArgumentException("vectors must not be null");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.vectors = vectors;
        int d = vectors.cols();
        int n = vectors.rows();
        this.manager = NDManager.newBaseManager();
        this.blocks = new NDArray[(n + ROW_BLOCK - 1) / ROW_BLOCK];
        for (int b = 0; b < blocks.length; b++) {
            int from = b * ROW_BLOCK;
            int to = Math.min(n, from + ROW_BLOCK);
            blocks[b] =
                    manager.create(
                            transposed(vectors.data(), from, to, d), new Shape(d, to - from));
        }
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
        return searchAll(new Matrix(1, query.length, query), k).hits(0);
    }

    @Override
    public Neighbours searchAll(Matrix queries, int k) {
        checkQuery(queries.cols(), k);
        int d = dim();
        int m = queries.rows();
        QueryTopKs tops = new QueryTopKs(m, Math.min(k, size()));
        try (NDManager scope = manager.newSubManager()) {
            for (int q0 = 0; q0 < m; q0 += QUERY_BLOCK) {
                int q1 = Math.min(m, q0 + QUERY_BLOCK);
                try (NDManager step = scope.newSubManager()) {
                    NDArray q =
                            step.create(
                                    Arrays.copyOfRange(queries.data(), q0 * d, q1 * d),
                                    new Shape(q1 - q0, d));
                    for (int b = 0; b < blocks.length; b++) {
                        try (NDArray scores = q.matMul(blocks[b])) {
                            tops.offer(scores, null, q0, null, b * ROW_BLOCK, pool);
                        }
                    }
                }
            }
        }
        return tops.drain();
    }

    /** Rows [from, to) of the row-major n × d matrix {@code x}, as a row-major d × (to − from). */
    private static float[] transposed(float[] x, int from, int to, int d) {
        int rows = to - from;
        float[] out = new float[rows * d];
        for (int r = 0; r < rows; r++) {
            int src = (from + r) * d;
            for (int c = 0; c < d; c++) {
                out[c * rows + r] = x[src + c];
            }
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

    /** The float matrix and its native copy. */
    @Override
    public long bytesInMemory() {
        return 2L * vectors.data().length * Float.BYTES;
    }

    @Override
    public void close() {
        pool.shutdown();
        manager.close();
    }
}
