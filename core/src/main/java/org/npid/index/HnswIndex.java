package org.npid.index;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnByteVectorField;
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
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnByteVectorQuery;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.MMapDirectory;
import org.npid.index.HnswParams.Storage;
import org.npid.storage.AtomicFile;

/**
 * Approximate search with Lucene's HNSW graph, stored in a directory and memory-mapped so that a
 * million-row bank opens instantly and costs little heap. Two storages ({@link Storage}):
 *
 * <ul>
 *   <li>{@link Storage#QUANTIZED_FLOAT}: Lucene's scalar-quantised vectors ({@code .veq}) for the
 *       graph, and the float vectors ({@code .vec}), which Lucene keeps for merging and which serve
 *       here for optional rescoring. A search without rescoring touches only the quantised vectors
 *       and the graph ({@code .vex}).
 *   <li>{@link Storage#INT8}: our own int8 codes ({@link Int8Encoder}: centred, PCA-projected,
 *       optionally to fewer dims), stored as Lucene byte vectors ({@code .vec}) beside the graph
 *       and compared by Euclidean distance. No float copy exists, so the vectors take a quarter of
 *       the floats' size, or less with fewer dims.
 * </ul>
 *
 * <p>The directory also holds {@value #LAYOUT_FILE} (storage, dimensions, int8 scale), written last
 * so that its presence marks a complete build, and for an INT8 index the mean and axes its codes
 * are projected on, {@value #PROJECTION_FILE}. {@link #bytesInMemory} counts what a search touches.
 */
public final class HnswIndex implements VectorIndex {
    static final String VECTOR_FIELD = "vec";
    static final String ROW_FIELD = "row";

    /** Squared-norm slack for "unit" vectors: float16 storage alone drifts by about 1e-3. */
    private static final float UNIT_TOLERANCE = 1e-2f;

    /** Storage, dimensions and scale; a Java properties file. */
    static final String LAYOUT_FILE = "npid-hnsw.properties";

    /** An INT8 index's mean (row 0) and {@code dims} axes (rows below): {@code (dims+1) × dim}. */
    /** Rows and fingerprint of the vectors the index was built from, to catch a stale index. */
    static final String SOURCE_FILE = "npid-source.properties";

    static final String PROJECTION_FILE = "npid-projection.npy";

    /** Written first and deleted last by a build: while it is there, the build did not finish. */
    static final String BUILDING_FILE = "npid-building";

    /** QUANTIZED_FLOAT files a search touches: quantised vectors, graph, and their metadata. */
    private static final List<String> HOT_EXTENSIONS =
            List.of(".veq", ".vemq", ".vex", ".vem", ".vemf");

    /** INT8 files a search touches: the byte vectors, graph, and their metadata. */
    private static final List<String> INT8_HOT_EXTENSIONS =
            List.of(".vec", ".vemf", ".vex", ".vem");

    private static final String RAW_EXTENSION = ".vec";

    private final Path dir;
    private final HnswParams params;
    private final MMapDirectory directory;
    private final DirectoryReader reader;
    private final LeafReader leaf;
    private final IndexSearcher searcher;
    private final int dim;
    private final Layout layout;
    private final Int8Encoder encoder;
    private final int[] docToRow;

    /** Refuses a folder whose build was interrupted or failed: its files are not an index. */
    private static void refuseUnfinished(Path dir) {
        if (Files.exists(dir.resolve(BUILDING_FILE))) {
            throw new IllegalArgumentException(
                    "the HNSW index "
                            + dir
                            + " was not finished: its build was interrupted or failed ("
                            + BUILDING_FILE
                            + " is still there). Delete "
                            + dir
                            + " and run the command again to rebuild it, or pass --index-dir"
                            + " with a new directory");
        }
    }

    private HnswIndex(Path dir, HnswParams params) throws IOException {
        refuseUnfinished(dir);
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
            this.layout = Layout.read(dir, fi);
            layout.check(params, dir);
            this.dim = layout.dim();
            this.encoder = layout.storage() == Storage.INT8 ? layout.encoder(dir) : null;
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
            Path building = dir.resolve(BUILDING_FILE);
            Files.writeString(
                    building,
                    "an index build started here and has not finished; delete this folder to"
                            + " build it again\n");
            Int8Encoder encoder =
                    p.storage() == Storage.INT8
                            ? Int8Encoder.fit(vectors, Math.min(p.dims(), vectors.cols()))
                            : null;
            write(dir, vectors, p, encoder);
            if (encoder != null) {
                Npy.write(dir.resolve(PROJECTION_FILE), encoder.toMatrix(), false);
            }
            Files.writeString(
                    dir.resolve(SOURCE_FILE),
                    String.format(
                            Locale.ROOT,
                            "# the vectors this index was built from%nrows=%d%ncols=%d%nfingerprint=%s%n",
                            vectors.rows(),
                            vectors.cols(),
                            fingerprint(vectors)));
            Layout.of(p.storage(), vectors.cols(), encoder).write(dir);
            Files.delete(building);
            return new HnswIndex(dir, p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build HNSW index in " + dir, e);
        }
    }

    /**
     * The index of {@code vectors} in {@code dir}: opened when {@code dir} holds one (which must
     * have been built from these rows, see {@link #staleFor}, and with {@code p}'s storage and
     * dims), built with {@code p} when {@code dir} is absent or empty. {@code source} names the
     * file the rows came from in the error message.
     */
    public static HnswIndex openOrBuild(Path dir, Matrix vectors, HnswParams p, Path source) {
        boolean built = false;
        if (Files.isDirectory(dir)) {
            try (var entries = Files.list(dir)) {
                built = entries.findAny().isPresent();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (!built) {
            return build(dir, vectors, p);
        }
        refuseUnfinished(dir);
        String stale = staleFor(dir, vectors);
        if (stale != null) {
            throw new IllegalArgumentException(
                    "the HNSW index "
                            + dir
                            + " is not an index of "
                            + source
                            + ": "
                            + stale
                            + ". Searching it would return rows of other vectors; delete "
                            + dir
                            + " to rebuild it, or pass --index-dir with a new directory");
        }
        return open(dir, p);
    }

    /**
     * Opens an index written by {@link #build}. Only the search-time fields of {@code p} apply, but
     * its storage and dims must be those the index was built with (as for build, dims 0 or at least
     * the width means the full width): a mismatch is an error rather than a silent switch of query
     * path.
     */
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

    private static void write(Path dir, Matrix vectors, HnswParams p, Int8Encoder encoder)
            throws IOException {
        int threads = p.threads();
        // Lucene rejects an executor when merging on one thread, so only make one for several.
        ExecutorService exec = threads > 1 ? Executors.newFixedThreadPool(threads) : null;
        try {
            // The plain HNSW format stores exactly the vectors it is given, our int8 codes, and
            // nothing else; the scalar-quantised one keeps the floats beside its own codes.
            KnnVectorsFormat format =
                    encoder != null
                            ? new Lucene99HnswVectorsFormat(
                                    p.maxConn(), p.beamWidth(), threads, exec)
                            : new Lucene99HnswScalarQuantizedVectorsFormat(
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
                            .setCodec(new VectorsCodec(format))
                            .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                            .setUseCompoundFile(false)
                            .setMergePolicy(mergePolicy)
                            .setRAMBufferSizeMB(ramBufferMb());
            try (MMapDirectory d = new MMapDirectory(dir);
                    IndexWriter writer = new IndexWriter(d, config)) {
                addAll(writer, vectors, encoder, threads, exec);
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
            IndexWriter writer,
            Matrix vectors,
            Int8Encoder encoder,
            int threads,
            ExecutorService exec)
            throws IOException {
        int n = vectors.rows();
        if (exec == null) {
            addRange(writer, vectors, encoder, 0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            futures.add(
                    exec.submit(
                            () -> {
                                addRange(writer, vectors, encoder, from, to);
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

    private static void addRange(
            IndexWriter writer, Matrix vectors, Int8Encoder encoder, int from, int to)
            throws IOException {
        for (int i = from; i < to; i++) {
            Document doc = new Document();
            doc.add(
                    encoder != null
                            ? new KnnByteVectorField(
                                    VECTOR_FIELD,
                                    encoder.encode(vectors.data(), vectors.offset(i)),
                                    VectorSimilarityFunction.EUCLIDEAN)
                            : new KnnFloatVectorField(
                                    VECTOR_FIELD,
                                    vectors.row(i),
                                    VectorSimilarityFunction.DOT_PRODUCT));
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

    /**
     * A CRC-32C of the vectors' float bits: cheap next to reading them, and any edit changes it.
     */
    public static String fingerprint(Matrix vectors) {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : vectors.data()) {
            if (!buf.hasRemaining()) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
            buf.putInt(Float.floatToRawIntBits(v));
        }
        buf.flip();
        crc.update(buf);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    /**
     * Why the index in {@code dir} does not index {@code vectors} (other rows or values than it was
     * built from, or no record of them), or null when it does.
     */
    public static String staleFor(Path dir, Matrix vectors) {
        Path file = dir.resolve(SOURCE_FILE);
        if (!Files.exists(file)) {
            return "it has no record of the vectors it was built from ("
                    + SOURCE_FILE
                    + "): its build did not finish, or it is not an npid index";
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String rows = props.getProperty("rows");
        String cols = props.getProperty("cols");
        String print = props.getProperty("fingerprint");
        String now = fingerprint(vectors);
        if (String.valueOf(vectors.rows()).equals(rows)
                && String.valueOf(vectors.cols()).equals(cols)
                && now.equals(print)) {
            return null;
        }
        return "it was built from "
                + rows
                + " x "
                + cols
                + " vectors with fingerprint "
                + print
                + ", but these are "
                + vectors.rows()
                + " x "
                + vectors.cols()
                + " with fingerprint "
                + now;
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
            if (encoder != null) {
                return searchInt8(query, candidates, k);
            }
            TopDocs top =
                    searcher.search(
                            new KnnFloatVectorQuery(VECTOR_FIELD, query, candidates), candidates);
            return params.rescore() ? rescore(query, top.scoreDocs, k) : convert(top.scoreDocs, k);
        } catch (IOException e) {
            throw new UncheckedIOException("search failed in " + dir, e);
        }
    }

    /** {@link #search} for every query, in parallel: the searcher is thread-safe. */
    @Override
    public Neighbours searchAll(Matrix queries, int k) {
        if (queries.cols() != dim) {
            throw new IllegalArgumentException(
                    "queries have " + queries.cols() + " columns but the index has dim " + dim);
        }
        return Neighbours.of(
                IntStream.range(0, queries.rows())
                        .parallel()
                        .mapToObj(q -> search(queries.row(q), k))
                        .toList());
    }

    /**
     * Encodes the query like the rows, then turns Lucene's byte score back into the squared
     * distance of the codes and that into a cosine. Lucene 9.12 scores byte EUCLIDEAN as {@code 1 /
     * (1 + squareDistance)} (VectorSimilarityFunction.EUCLIDEAN.compare and the Java 21
     * MemorySegment scorer alike). The encoder normalises the query, so its norm is multiplied back
     * in to keep the score an inner product, as {@link Hit#score()} promises.
     */
    private List<Hit> searchInt8(float[] query, int candidates, int k) throws IOException {
        byte[] code = encoder.encode(query, 0);
        float norm = (float) Math.sqrt(ExactIndex.dot(query, 0, query, 0, dim));
        TopDocs top =
                searcher.search(new KnnByteVectorQuery(VECTOR_FIELD, code, candidates), candidates);
        List<Hit> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            // The distance is an integer; rounding removes the float division's error, which stays
            // far below 0.5 for any distance two 128-d byte codes can have.
            long squareDistance = Math.round(1.0 / sd.score - 1.0);
            out.add(new Hit(docToRow[sd.doc], norm * encoder.cosine(squareDistance)));
        }
        return firstK(out, k);
    }

    /** Lucene scores DOT_PRODUCT as (1 + dot) / 2 to keep scores positive; undo that. */
    private List<Hit> convert(ScoreDoc[] docs, int k) {
        List<Hit> out = new ArrayList<>(docs.length);
        for (ScoreDoc sd : docs) {
            out.add(new Hit(docToRow[sd.doc], 2f * sd.score - 1f));
        }
        return firstK(out, k);
    }

    /**
     * Lucene breaks score ties by document, which is not row order after a multi-threaded build;
     * integer int8 distances tie often, so re-sort by the {@link VectorIndex} order before cutting.
     */
    private static List<Hit> firstK(List<Hit> hits, int k) {
        hits.sort(Comparator.comparingDouble((Hit h) -> -h.score()).thenComparingInt(Hit::id));
        return new ArrayList<>(hits.subList(0, Math.min(k, hits.size())));
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

    /**
     * Row ids, the projection (INT8) and the mapped files a search reads: for QUANTIZED_FLOAT the
     * quantised vectors and graph, plus the floats when rescoring; for INT8 the byte vectors and
     * graph.
     */
    @Override
    public long bytesInMemory() {
        long bytes = (long) docToRow.length * Integer.BYTES;
        List<String> hotExtensions = HOT_EXTENSIONS;
        boolean raw = params.rescore();
        if (encoder != null) {
            bytes += encoder.heapBytes();
            hotExtensions = INT8_HOT_EXTENSIONS;
            raw = false;
        }
        for (Path f : files()) {
            String name = f.getFileName().toString();
            boolean hot = hotExtensions.stream().anyMatch(name::endsWith);
            if (hot || (raw && name.endsWith(RAW_EXTENSION))) {
                bytes += sizeOf(f);
            }
        }
        return bytes;
    }

    /** What the index directory records about its vectors. */
    Layout layout() {
        return layout;
    }

    /** How the vectors are stored, as recorded in the index directory. */
    public Storage storage() {
        return layout.storage();
    }

    /** Dimensions stored per vector: {@link #dim()}, or fewer after a PCA reduction. */
    public int storedDims() {
        return layout.dims();
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

    /**
     * What {@link #build} recorded in {@value #LAYOUT_FILE}.
     *
     * @param storage how the vectors are stored
     * @param dim query (input) dimension
     * @param dims stored dimension: dim, or the PCA's output for a reduced INT8 index
     * @param scale INT8 code scale ({@link Int8Encoder}); 0 for QUANTIZED_FLOAT
     */
    record Layout(Storage storage, int dim, int dims, float scale) {
        static Layout of(Storage storage, int dim, Int8Encoder encoder) {
            return encoder == null
                    ? new Layout(storage, dim, dim, 0f)
                    : new Layout(storage, dim, encoder.dims(), encoder.scale());
        }

        /**
         * The recorded layout, checked against the vector field. An index without the file is one
         * built before INT8 existed, so it is QUANTIZED_FLOAT if its vectors are floats.
         */
        static Layout read(Path dir, FieldInfo fi) throws IOException {
            Path file = dir.resolve(LAYOUT_FILE);
            VectorEncoding encoding = fi.getVectorEncoding();
            if (!Files.exists(file)) {
                if (encoding == VectorEncoding.FLOAT32) {
                    return new Layout(
                            Storage.QUANTIZED_FLOAT,
                            fi.getVectorDimension(),
                            fi.getVectorDimension(),
                            0f);
                }
                throw new IllegalArgumentException(
                        dir
                                + " has byte vectors but no "
                                + LAYOUT_FILE
                                + ";"
                                + " the build did not finish: delete "
                                + dir
                                + " and run again to rebuild it");
            }
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            }
            Layout layout;
            try {
                layout =
                        new Layout(
                                Storage.valueOf(required(props, "storage", file)),
                                Integer.parseInt(required(props, "dim", file)),
                                Integer.parseInt(required(props, "dims", file)),
                                Float.parseFloat(required(props, "scale", file)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        file + " is corrupt (" + e.getMessage() + "); rebuild the index", e);
            }
            Storage want = encoding == VectorEncoding.BYTE ? Storage.INT8 : Storage.QUANTIZED_FLOAT;
            if (layout.storage() != want || layout.dims() != fi.getVectorDimension()) {
                throw new IllegalArgumentException(
                        file
                                + " says storage "
                                + layout.storage()
                                + " with "
                                + layout.dims()
                                + " dims but the index holds "
                                + encoding
                                + " vectors of "
                                + fi.getVectorDimension()
                                + " dims; rebuild it");
            }
            return layout;
        }

        private static String required(Properties props, String key, Path file) {
            String v = props.getProperty(key);
            if (v == null) {
                throw new IllegalArgumentException("no '" + key + "' in " + file);
            }
            return v;
        }

        /** Refuses params whose storage or dims differ from the build's. */
        void check(HnswParams p, Path dir) {
            int wantDims = p.dims() == 0 ? dim : Math.min(p.dims(), dim);
            if (p.storage() != storage || wantDims != dims) {
                throw new IllegalArgumentException(
                        dir
                                + " was built with storage "
                                + storage
                                + " and dims "
                                + dims
                                + " (of "
                                + dim
                                + ") but the params ask for storage "
                                + p.storage()
                                + " and dims "
                                + wantDims
                                + "; open it with the settings it was built with, or rebuild it"
                                + " into an empty directory");
            }
        }

        /** The INT8 encoder: this scale and the stored mean and axes. */
        Int8Encoder encoder(Path dir) {
            Path file = dir.resolve(PROJECTION_FILE);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(
                        dir + " is an INT8 index without " + PROJECTION_FILE + "; rebuild it");
            }
            Matrix stored = Npy.read(file);
            if (stored.rows() != dims + 1 || stored.cols() != dim) {
                throw new IllegalArgumentException(
                        file
                                + " is "
                                + stored.rows()
                                + " x "
                                + stored.cols()
                                + ", not "
                                + (dims + 1)
                                + " x "
                                + dim
                                + " (mean and axes); rebuild the index");
            }
            return Int8Encoder.of(stored, scale);
        }

        /** Writes {@value #LAYOUT_FILE} atomically: a reader sees all of it or none. */
        void write(Path dir) throws IOException {
            String text =
                    String.format(
                            Locale.ROOT,
                            "# npid HNSW index layout; written last by HnswIndex.build%n"
                                    + "storage=%s%ndim=%d%ndims=%d%nscale=%s%n",
                            storage,
                            dim,
                            dims,
                            Float.toString(scale));
            // Durable before it becomes visible, like the Lucene files it describes.
            AtomicFile.writeString(dir.resolve(LAYOUT_FILE), text);
        }
    }

    /** The default codec with every vector field in the given (HNSW) format. */
    private static final class VectorsCodec extends Lucene912Codec {
        private final KnnVectorsFormat format;

        VectorsCodec(KnnVectorsFormat format) {
            this.format = format;
        }

        @Override
        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
            return format;
        }
    }
}
