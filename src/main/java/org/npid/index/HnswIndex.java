package org.npid.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;

/**
 * Approximate search with Lucene's HNSW graph over scalar-quantised vectors, stored in a directory
 * and memory-mapped so that a million-row bank opens instantly and costs little heap.
 *
 * <p>Lucene keeps the float vectors too (in the {@code .vec} file, used for merging and, here,
 * optional rescoring), but a search without rescoring only touches the quantised vectors ({@code
 * .veq}) and the graph ({@code .vex}); those are what {@link #bytesInMemory} counts.
 */
public final class HnswIndex implements VectorIndex {
    static final String VECTOR_FIELD = "vec";
    static final String ROW_FIELD = "row";

    /** Squared-norm slack for "unit" vectors: float16 storage alone drifts by about 1e-3. */
    private static final float UNIT_TOLERANCE = 1e-2f;

    /** Files a search touches: quantised vectors, graph, and their metadata. */
    private static final List<String> HOT_EXTENSIONS =
            List.of(".veq", ".vemq", ".vex", ".vem", ".vemf");

    private static final String RAW_EXTENSION = ".vec";

    private final Path dir;
    private final HnswParams params;
    private final MMapDirectory directory;
    private final DirectoryReader reader;
    private final LeafReader leaf;
    private final IndexSearcher searcher;
    private final int dim;
    private final int[] docToRow;

    private HnswIndex(Path dir, HnswParams params) throws IOException {
        this.dir = dir;
        this.params = params;
        this.directory = new MMapDirectory(dir);
        DirectoryReader r;
        try {
            r = DirectoryReader.open(directory);
        } catch (IndexNotFoundException e) {
            directory.close();
            throw new IllegalArgumentException(
                    "no HNSW index in " + dir + "; create one with HnswIndex.build", e);
        }
        this.reader = r;
        try {
            if (r.leaves().size() != 1) {
                throw new IllegalArgumentException(
                        dir
                                + " holds "
                                + r.leaves().size()
                                + " segments, not 1; it was not"
                                + " written by HnswIndex.build: rebuild it");
            }
            this.leaf = r.leaves().get(0).reader();
            FieldInfo fi = leaf.getFieldInfos().fieldInfo(VECTOR_FIELD);
            if (fi == null || fi.getVectorDimension() == 0) {
                throw new IllegalArgumentException(
                        dir
                                + " has no '"
                                + VECTOR_FIELD
                                + "' vector field; rebuild it with"
                                + " HnswIndex.build");
            }
            this.dim = fi.getVectorDimension();
            this.docToRow = readRowIds(leaf, dir);
            this.searcher = new IndexSearcher(r);
            // Every query vector is different, so caching would only cost memory.
            searcher.setQueryCache(null);
        } catch (RuntimeException | IOException e) {
            r.close();
            directory.close();
            throw e;
        }
    }

    /**
     * Builds an index of {@code vectors} (unit rows) in {@code dir}, which must be empty or absent.
     * Row {@code i} comes back from searches as {@link Hit#id()} {@code i}.
     */
    public static HnswIndex build(Path dir, Matrix vectors, HnswParams p) {
        checkUnitRows(vectors);
        try {
            prepareEmptyDir(dir);
            write(dir, vectors, p);
            return new HnswIndex(dir, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build HNSW index in " + dir, e);
        }
    }

    /** Opens an index written by {@link #build}; only the search-time fields of {@code p} apply. */
    public static HnswIndex open(Path dir, HnswParams p) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    dir + " is not a directory; build an index there with HnswIndex.build");
        }
        try {
            return new HnswIndex(dir, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open HNSW index in " + dir, e);
        }
    }

    private static void write(Path dir, Matrix vectors, HnswParams p) throws IOException {
        int threads = p.threads();
        // Lucene rejects an executor when merging on one thread, so only make one for several.
        ExecutorService exec = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            KnnVectorsFormat format =
                    new Lucene99HnswScalarQuantizedVectorsFormat(
                            p.maxConn(),
                            p.beamWidth(),
                            threads,
                            p.bits(),
                            p.bits() == 4,
                            null,
                            exec);
            TieredMergePolicy mergePolicy = new TieredMergePolicy();
            // Separate files, so the quantised vectors and the graph can be mapped and sized.
            mergePolicy.setNoCFSRatio(0.0);
            IndexWriterConfig config =
                    new IndexWriterConfig()
                            .setCodec(new QuantizedCodec(format))
                            .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                            .setUseCompoundFile(false)
                            .setMergePolicy(mergePolicy)
                            .setRAMBufferSizeMB(ramBufferMb());
            try (MMapDirectory d = new MMapDirectory(dir);
                    IndexWriter writer = new IndexWriter(d, config)) {
                addAll(writer, vectors, threads, exec);
                // One segment means one graph to walk per query instead of one per segment.
                writer.forceMerge(1);
                writer.commit();
            }
        } finally {
            if (exec != null) {
                exec.shutdownNow();
            }
        }
    }

    /**
     * Each indexing thread fills its own in-memory segment and graph, so the graphs grow in
     * parallel; forceMerge then joins them, again on all threads.
     */
    private static void addAll(
            IndexWriter writer, Matrix vectors, int threads, ExecutorService exec)
            throws IOException {
        int n = vectors.rows();
        if (exec == null) {
            addRange(writer, vectors, 0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            futures.add(
                    exec.submit(
                            () -> {
                                addRange(writer, vectors, from, to);
                                return null;
                            }));
        }
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while indexing", e);
        } catch (ExecutionException e) {
            throw new IOException("indexing failed: " + e.getCause(), e.getCause());
        }
    }

    private static void addRange(IndexWriter writer, Matrix vectors, int from, int to)
            throws IOException {
        for (int i = from; i < to; i++) {
            Document doc = new Document();
            doc.add(
                    new KnnFloatVectorField(
                            VECTOR_FIELD, vectors.row(i), VectorSimilarityFunction.DOT_PRODUCT));
            doc.add(new NumericDocValuesField(ROW_FIELD, i));
            writer.addDocument(doc);
        }
    }

    /** A quarter of the heap, so a whole bank usually fits in one flush per indexing thread. */
    private static double ramBufferMb() {
        long heapMb = Runtime.getRuntime().maxMemory() >> 20;
        return Math.max(64, Math.min(1900, heapMb / 4));
    }

    private static int[] readRowIds(LeafReader leaf, Path dir) throws IOException {
        int maxDoc = leaf.maxDoc();
        if (leaf.numDocs() != maxDoc) {
            throw new IllegalArgumentException(
                    dir
                            + " has deleted documents; it was not written by HnswIndex.build:"
                            + " rebuild it");
        }
        NumericDocValues rows = leaf.getNumericDocValues(ROW_FIELD);
        if (rows == null) {
            throw new IllegalArgumentException(
                    dir + " has no '" + ROW_FIELD + "' ids; rebuild it with HnswIndex.build");
        }
        // Indexing threads interleave, so document order is not row order; map it once here.
        int[] map = new int[maxDoc];
        for (int doc = 0; doc < maxDoc; doc++) {
            if (!rows.advanceExact(doc)) {
                throw new IllegalArgumentException(
                        dir + ": document " + doc + " has no row id; rebuild the index");
            }
            map[doc] = (int) rows.longValue();
        }
        return map;
    }

    private static void checkUnitRows(Matrix m) {
        float[] x = m.data();
        int d = m.cols();
        for (int r = 0; r < m.rows(); r++) {
            float sq = ExactIndex.dot(x, r * d, x, r * d, d);
            if (!(Math.abs(sq - 1f) <= UNIT_TOLERANCE)) {
                throw new IllegalArgumentException(
                        "row "
                                + r
                                + " has squared norm "
                                + sq
                                + "; DOT_PRODUCT search needs unit vectors:"
                                + " L2-normalise the features first");
            }
        }
    }

    private static void prepareEmptyDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                throw new IllegalArgumentException(
                        dir + " is not empty; pass a new or empty directory for the index");
            }
        }
    }

    @Override
    public int size() {
        return docToRow.length;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public List<Hit> search(float[] query, int k) {
        if (query.length != dim) {
            throw new IllegalArgumentException(
                    "query has " + query.length + " dims but the index has dim " + dim);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int candidates = Math.max(k, params.efSearch());
        try {
            TopDocs top =
                    searcher.search(
                            new KnnFloatVectorQuery(VECTOR_FIELD, query, candidates), candidates);
            return params.rescore() ? rescore(query, top.scoreDocs, k) : convert(top.scoreDocs, k);
        } catch (IOException e) {
            throw new UncheckedIOException("search failed in " + dir, e);
        }
    }

    /** Lucene scores DOT_PRODUCT as (1 + dot) / 2 to keep scores positive; undo that. */
    private List<Hit> convert(ScoreDoc[] docs, int k) {
        int n = Math.min(k, docs.length);
        List<Hit> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Hit(docToRow[docs[i].doc], 2f * docs[i].score - 1f));
        }
        return out;
    }

    private List<Hit> rescore(float[] query, ScoreDoc[] docs, int k) throws IOException {
        int[] sorted = new int[docs.length];
        for (int i = 0; i < docs.length; i++) {
            sorted[i] = docs[i].doc;
        }
        // The raw-vector iterator only moves forward, so visit candidates in document order.
        Arrays.sort(sorted);
        FloatVectorValues raw = leaf.getFloatVectorValues(VECTOR_FIELD);
        TopK top = new TopK(Math.min(k, Math.max(1, docs.length)));
        for (int doc : sorted) {
            if (raw.docID() < doc) {
                raw.advance(doc);
            }
            float[] v = raw.vectorValue();
            top.offer(docToRow[doc], ExactIndex.dot(query, 0, v, 0, dim));
        }
        return docs.length == 0 ? new ArrayList<>() : top.toList();
    }

    @Override
    public long bytesInMemory() {
        long bytes = (long) docToRow.length * Integer.BYTES;
        for (Path f : files()) {
            String name = f.getFileName().toString();
            boolean hot = HOT_EXTENSIONS.stream().anyMatch(name::endsWith);
            if (hot || (params.rescore() && name.endsWith(RAW_EXTENSION))) {
                bytes += sizeOf(f);
            }
        }
        return bytes;
    }

    /** Total size of the index directory. */
    public long bytesOnDisk() {
        long bytes = 0;
        for (Path f : files()) {
            bytes += sizeOf(f);
        }
        return bytes;
    }

    private List<Path> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size " + f, e);
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close HNSW index in " + dir, e);
        }
    }

    /** The default codec with every vector field stored as quantised HNSW. */
    private static final class QuantizedCodec extends Lucene912Codec {
        private final KnnVectorsFormat format;

        QuantizedCodec(KnnVectorsFormat format) {
            this.format = format;
        }

        @Override
        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
        }
    }
}
