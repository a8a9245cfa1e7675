package org.npid.index;

import java.util.function.Consumer;

/**
 * Settings for {@link HnswIndex}.
 *
 * @param maxConn neighbours per node (HNSW's M); more raises recall, graph size and build time
 * @param beamWidth candidate list while inserting (efConstruction); more gives a better graph
 * @param efSearch candidates collected per query before cutting to k; the recall/speed dial
 * @param storage how the vectors are stored; fixed at build time and recorded in the index
 * @param dims {@link Storage#INT8} only: keep this many principal axes of the centred rows (PCA)
 *     before quantising; 0, or at least the vectors' width, keeps every dimension (so the default
 *     suits narrow test vectors too)
 * @param bits {@link Storage#QUANTIZED_FLOAT} only: Lucene's scalar quantisation, 7 (one byte a
 *     dimension) or 4 (half a byte, packed two to a byte)
 * @param rescore {@link Storage#QUANTIZED_FLOAT} only: re-rank the efSearch candidates with the
 *     exact float vectors kept beside the quantised ones; lifts recall at the cost of reading those
 *     vectors from disk or page cache. {@link Storage#INT8} keeps no floats, so ignores it.
 * @param threads threads that build the graph (indexing and the final merge)
 */
public record HnswParams(
        int maxConn,
        int beamWidth,
        int efSearch,
        Storage storage,
        int dims,
        int bits,
        boolean rescore,
        int threads) {

    /** How {@link HnswIndex} stores the vectors it searches. */
    public enum Storage {
        /**
         * Lucene's scalar-quantised vectors for the graph plus the float32 vectors for rescoring:
         * about 4 + 1 bytes a dimension on disk.
         */
        QUANTIZED_FLOAT,
        /**
         * Our own int8 codes of the rows (centred, PCA-projected, optionally onto fewer dims),
         * stored as Lucene byte vectors and compared by Euclidean distance: one byte a kept
         * dimension and no float copy.
         */
        INT8
    }

    /** {@link #defaults()}'s dims for INT8 storage; why this many is explained there. */
    public static final int DEFAULT_DIMS = 64;

    /** Lucene refuses larger graphs' fan-out and beams; checked here for a clearer message. */
    private static final int MAX_CONN = 512;

    private static final int MAX_BEAM = 3200;

    /** Lucene 9.12's limit on a vector's dimension. */
    private static final int MAX_DIMS = 1024;

    public HnswParams {
        if (maxConn < 2 || maxConn > MAX_CONN) {
            throw new IllegalArgumentException(
                    "maxConn must be in [2, " + MAX_CONN + "], got " + maxConn);
        }
        if (beamWidth < 1 || beamWidth > MAX_BEAM) {
            throw new IllegalArgumentException(
                    "beamWidth must be in [1, " + MAX_BEAM + "], got " + beamWidth);
        }
        if (efSearch < 1) {
            throw new IllegalArgumentException("efSearch must be >= 1, got " + efSearch);
        }
        if (storage == null) {
            throw new IllegalArgumentException("storage must be QUANTIZED_FLOAT or INT8, got null");
        }
        if (dims < 0 || dims > MAX_DIMS) {
            throw new IllegalArgumentException(
                    "dims must be in [0, " + MAX_DIMS + "] (0 = keep all), got " + dims);
        }
        if (dims != 0 && storage != Storage.INT8) {
            throw new IllegalArgumentException(
                    "dims (PCA reduction) needs storage INT8; with "
                            + storage
                            + " it must be 0, got "
                            + dims);
        }
        if (bits != 4 && bits != 7) {
            throw new IllegalArgumentException(
                    "bits must be 4 or 7 (what Lucene 9.12 quantises to), got " + bits);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /**
     * INT8 storage reduced to 64 dimensions, M=12, efConstruction=100, efSearch=100, all cores for
     * the build (bits 7 and rescoring on apply if storage is switched to QUANTIZED_FLOAT).
     *
     * <p>Why: the target is a 1M × 128 bank in at most 150 MB on disk and in memory, with recall@10
     * ≥ 0.95 on real embeddings. QUANTIZED_FLOAT keeps the float32 vectors (512 MB at 1M) beside
     * its codes and graph, about 700 bytes a row. INT8 costs one byte a kept dimension plus the
     * graph, whose neighbour lists measured 32 bytes a row on real NPID embeddings (60k rows) and
     * 56 on synthetic low-rank data (200k rows, M=12); their delta-coded ids grow with the bank, to
     * an extrapolated 45 and 70 bytes at 1M. Full width then needs about 176 to 201 MB, 96 dims 144
     * to 169 MB, and 64 dims 112 to 137 MB (docs/SEARCH.md: extrapolations from those measurements,
     * not measurements at 1M). At 64 dims recall@10 on the real embeddings was 0.976 (0.981 at full
     * width): the codes, not the graph, set it, and PCA to 64 dims drops next to nothing of a
     * learned 128-d embedding. M=12 instead of 16 shrank the synthetic graph by a sixth and built
     * it 15 to 34 % faster for a recall of 0.931 instead of 0.932, and left the real one unchanged.
     *
     * <p>Rescoring stays on for QUANTIZED_FLOAT because 7-bit scores mis-order close neighbours: on
     * clustered 32-d test data the graph's candidates contained the true top 10 (recall 1.0 after
     * rescoring) while the quantised ranking alone reached only 0.77 to 0.89, whatever efSearch.
     */
    public static HnswParams defaults() {
        return new HnswParams(
                12,
                100,
                100,
                Storage.INT8,
                DEFAULT_DIMS,
                7,
                true,
                Runtime.getRuntime().availableProcessors());
    }

    public HnswParams withMaxConn(int v) {
        return edit(d -> d.maxConn = v);
    }

    public HnswParams withBeamWidth(int v) {
        return edit(d -> d.beamWidth = v);
    }

    public HnswParams withEfSearch(int v) {
        return edit(d -> d.efSearch = v);
    }

    /**
     * Switches the storage; switching to QUANTIZED_FLOAT also resets dims to 0, which that storage
     * requires, so {@code defaults().withStorage(QUANTIZED_FLOAT)} is valid.
     */
    public HnswParams withStorage(Storage v) {
        return edit(
                d -> {
                    d.storage = v;
                    d.dims = v == Storage.QUANTIZED_FLOAT ? 0 : dims;
                });
    }

    public HnswParams withDims(int v) {
        return edit(d -> d.dims = v);
    }

    public HnswParams withBits(int v) {
        return edit(d -> d.bits = v);
    }

    public HnswParams withRescore(boolean v) {
        return edit(d -> d.rescore = v);
    }

    public HnswParams withThreads(int v) {
        return edit(d -> d.threads = v);
    }

    /** A copy with {@code change} applied, validated as a whole by the canonical constructor. */
    private HnswParams edit(Consumer<Draft> change) {
        Draft d = new Draft(this);
        change.accept(d);
        return new HnswParams(
                d.maxConn,
                d.beamWidth,
                d.efSearch,
                d.storage,
                d.dims,
                d.bits,
                d.rescore,
                d.threads);
    }

    /** The fields, writable, so that each with-method names only the one it changes. */
    private static final class Draft {
        int maxConn;
        int beamWidth;
        int efSearch;
        Storage storage;
        int dims;
        int bits;
        boolean rescore;
        int threads;

        Draft(HnswParams p) {
            maxConn = p.maxConn;
            beamWidth = p.beamWidth;
            efSearch = p.efSearch;
            storage = p.storage;
            dims = p.dims;
            bits = p.bits;
            rescore = p.rescore;
            threads = p.threads;
        }
    }
}
