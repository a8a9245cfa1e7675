package org.npid.index;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Brute-force search: the ground truth for recall and for the kNN evaluation, and fast enough on
 * its own for banks up to a few hundred thousand rows.
 *
 * <p>{@link #searchAll} scores a block of queries against a block of rows in native code (the tiled
 * Java loop it replaced took 37–41 s for 10k × 60k × 128 on two shared cores) and feeds each score
 * block straight into per-query top-k buffers. Blocks of {@value #QUERY_BLOCK} × {@value
 * #ROW_BLOCK} scores (8 MiB) stay in the last-level cache between the product that writes them and
 * the scan that reads them, and the full m × n score matrix never exists. The product is a 1×1
 * convolution ({@link #score}), so the bank's rows are held as its filters; the scan reads the
 * scores where the engine wrote them.
 */
public final class ExactIndex implements VectorIndex {
    /**
     * Queries per block. With the matmul that scored blocks before the convolution, 512 × 4096 and
     * 1024 × 2048 ran 10k × 60k × 128 in 1.2 s on two Zen 3 cores, 256 × 8192 in 1.4–1.8 s and 128
     * × 16384 in 1.7–2.2 s (docs/log/EXPERIMENTS.md); the shape was kept, not re-tuned, for the
     * convolution.
     */
    private static final int QUERY_BLOCK = 512;

    /** Bank rows per block; with {@link #QUERY_BLOCK} an 8 MiB score block. */
    private static final int ROW_BLOCK = 4096;

    /**
     * Rows of a block are padded to a multiple of this (one AVX-512 register of 16 is the least).
     */
    private static final int ROW_ALIGN = 64;

    private final Matrix vectors;
    private final ForkJoinPool pool;
    private final NDManager manager;

    /**
     * The bank in row blocks of {@link #ROW_BLOCK}, each a [rows, d, 1, 1] convolution weight
     * padded with zero rows ({@link #paddedRows}), in native memory.
     */
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
        checkFinite(vectors);
        this.vectors = vectors;
        int d = vectors.cols();
        int n = vectors.rows();
        this.manager = NDManager.newBaseManager();
        this.blocks = new NDArray[(n + ROW_BLOCK - 1) / ROW_BLOCK];
        for (int b = 0; b < blocks.length; b++) {
            int from = b * ROW_BLOCK;
            int rows = Math.min(n, from + ROW_BLOCK) - from;
            float[] weight = new float[paddedRows(rows) * d];
            System.arraycopy(vectors.data(), from * d, weight, 0, rows * d);
            blocks[b] = manager.create(weight, new Shape(weight.length / d, d, 1, 1));
        }
        this.pool = new ForkJoinPool(threads);
    }

    /**
     * A NaN row scores NaN against every query, and NaN compares as neither above nor below any
     * score, so one such row reorders the neighbours of every other query.
     */
    private static void checkFinite(Matrix vectors) {
        float[] x = vectors.data();
        int d = vectors.cols();
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(
                        "row "
                                + i / d
                                + " holds "
                                + x[i]
                                + " (column "
                                + i % d
                                + "): a non-finite row corrupts every search; recompute the"
                                + " vectors, or drop that row");
            }
        }
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
                    // The queries as a 1 × d × (q1 − q0) × 1 image in channels-last memory.
                    NDArray image = q.reshape(1, q1 - q0, 1, d).transpose(0, 3, 1, 2);
                    for (int b = 0; b < blocks.length; b++) {
                        int rows = Math.min(size(), (b + 1) * ROW_BLOCK) - b * ROW_BLOCK;
                        try (NDManager block = step.newSubManager()) {
                            NDArray scores = score(image, blocks[b], q1 - q0, block);
                            tops.offer(scores, rows, q0, b * ROW_BLOCK, pool);
                        }
                    }
                }
            }
        }
        return tops.drain();
    }

    /**
     * Scores of a block of queries against a block of rows, as a 1×1 convolution: the queries are
     * its image (d channels, one pixel per query) and the rows its filters. On AMD CPUs the BLAS
     * inside libtorch (MKL) takes a slower path than on Intel, while oneDNN's convolution uses
     * AVX-512 wherever it exists: 190 GFLOP/s against 97–113 GFLOP/s for the same 512 × 4096 × 128
     * block on two Zen 5 cores (docs/BENCHMARKS.md). The channels-last result, viewed as queries ×
     * rows, is row-major, as the scan reads it.
     *
     * @return a (queries × padded rows) view of the scores, in {@code scope}: closing it frees the
     *     block's 8 MiB at once, so the allocator reuses it for the next block instead of mapping
     *     fresh pages
     */
    private static NDArray score(NDArray image, NDArray rows, int queries, NDManager scope) {
        NDArray out =
                Conv2d.conv2d(
                                image,
                                rows,
                                null,
                                new Shape(1, 1),
                                new Shape(0, 0),
                                new Shape(1, 1),
                                1)
                        .singletonOrThrow();
        out.attach(scope);
        return out.transpose(0, 2, 3, 1).reshape(queries, rows.getShape().get(0));
    }

    /**
     * A block's rows rounded up to a multiple of {@value #ROW_ALIGN}, skipping the output counts
     * 512, 1024 and 2048: for those, oneDNN 3.7.1's 1×1 convolution divides by zero while choosing
     * its blocks when the input has 256, 512 or 1024 channels, on AVX-512 CPUs without AMX
     * (docs/ARCHITECTURE.md). The padding rows are zero and never offered to the top-k.
     */
    static int paddedRows(int rows) {
        int padded = (rows + ROW_ALIGN - 1) / ROW_ALIGN * ROW_ALIGN;
        return padded == 512 || padded == 1024 || padded == 2048 ? padded + ROW_ALIGN : padded;
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

    /** The float matrix and its native copy, whose blocks are padded ({@link #paddedRows}). */
    @Override
    public long bytesInMemory() {
        long nativeFloats = 0;
        for (NDArray block : blocks) {
            nativeFloats += block.size();
        }
        return ((long) vectors.data().length + nativeFloats) * Float.BYTES;
    }

    @Override
    public void close() {
        pool.shutdown();
        manager.close();
    }
}
