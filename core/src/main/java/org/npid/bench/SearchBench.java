package org.npid.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.npid.index.ExactIndex;
import org.npid.index.Hit;
import org.npid.index.HnswIndex;
import org.npid.index.HnswParams;
import org.npid.index.Matrix;
import org.npid.index.Neighbours;
import org.npid.index.Npy;
import org.npid.index.UnitVectors;
import org.npid.index.VectorIndex;

/**
 * Measures {@link HnswIndex} against {@link ExactIndex}: the figures quoted in the docs.
 *
 * <p>{@link #main} is a runner for those figures, not part of the library API; it is the only place
 * in this package that prints.
 */
public final class SearchBench {
    private SearchBench() {}

    /**
     * @param rows indexed vectors
     * @param dim their dimension
     * @param queries number of queries
     * @param k neighbours per query
     * @param params HNSW settings
     * @param threads search threads
     * @param buildSeconds HNSW build wall time, including the merge to one segment
     * @param bytesOnDisk HNSW index directory size
     * @param bytesInMemory what a search keeps mapped (see {@link HnswIndex#bytesInMemory})
     * @param recall fraction of the exact top-k found by HNSW, over all queries
     * @param hnswQps HNSW queries per second on {@code threads} threads
     * @param exactQps exact (brute force) queries per second on {@code threads} threads
     */
    public record Result(
            int rows,
            int dim,
            int queries,
            int k,
            HnswParams params,
            int threads,
            double buildSeconds,
            long bytesOnDisk,
            long bytesInMemory,
            double recall,
            double hnswQps,
            double exactQps) {

        /** One line of JSON, for docs and scripts. */
        public String toJson() {
            return String.format(
                    Locale.ROOT,
                    "{\"rows\": %d, \"dim\": %d, \"queries\": %d, \"k\": %d, \"maxConn\": %d,"
                            + " \"beamWidth\": %d, \"efSearch\": %d, \"storage\": \"%s\","
                            + " \"dims\": %d, \"bits\": %d,"
                            + " \"rescore\": %b, \"buildThreads\": %d, \"searchThreads\": %d,"
                            + " \"buildSeconds\": %.1f, \"bytesOnDisk\": %d,"
                            + " \"bytesInMemory\": %d, \"recall\": %.4f, \"hnswQps\": %.0f,"
                            + " \"exactQps\": %.1f}",
                    rows,
                    dim,
                    queries,
                    k,
                    params.maxConn(),
                    params.beamWidth(),
                    params.efSearch(),
                    params.storage(),
                    params.dims() == 0 ? dim : Math.min(params.dims(), dim),
                    params.bits(),
                    // INT8 ignores rescore; say what actually ran.
                    params.storage() == HnswParams.Storage.QUANTIZED_FLOAT && params.rescore(),
                    params.threads(),
                    threads,
                    buildSeconds,
                    bytesOnDisk,
                    bytesInMemory,
                    recall,
                    hnswQps,
                    exactQps);
        }
    }

    /** Builds an index of {@code base} in the empty directory {@code dir} and measures it. */
    public static Result run(
            Matrix base, Matrix queries, int k, HnswParams p, Path dir, int threads) {
        Exact exact = Exact.measure(base, queries, k, threads);
        Neighbours truth = exact.neighbours();
        double exactQps = exact.qps();
        long t0 = System.nanoTime();
        try (HnswIndex hnsw = HnswIndex.build(dir, base, p)) {
            double buildSeconds = seconds(t0);
            // One untimed pass so that JIT compilation and page faults do not count.
            searchParallel(hnsw, queries, k, threads);
            long t1 = System.nanoTime();
            Neighbours found = searchParallel(hnsw, queries, k, threads);
            double qps = queries.rows() / seconds(t1);
            return new Result(
                    base.rows(),
                    base.cols(),
                    queries.rows(),
                    k,
                    p,
                    threads,
                    buildSeconds,
                    hnsw.bytesOnDisk(),
                    hnsw.bytesInMemory(),
                    recall(truth, found),
                    qps,
                    exactQps);
        }
    }

    /**
     * Fraction of the true neighbours ({@code truth}, from an exact index) that {@code found} also
     * holds, pooled over all queries.
     */
    public static double recall(Neighbours truth, Neighbours found) {
        if (truth.queries() != found.queries()) {
            throw new IllegalArgumentException(
                    "truth has "
                            + truth.queries()
                            + " queries but found has "
                            + found.queries()
                            + "; search the same queries");
        }
        long hits = 0;
        for (int q = 0; q < truth.queries(); q++) {
            Set<Integer> want = new HashSet<>();
            for (int j = 0; j < truth.k(); j++) {
                want.add(truth.ids()[q * truth.k() + j]);
            }
            for (int j = 0; j < found.k(); j++) {
                hits += want.contains(found.ids()[q * found.k() + j]) ? 1 : 0;
            }
        }
        long total = (long) truth.queries() * truth.k();
        return total == 0 ? 1.0 : (double) hits / total;
    }

    /** One search per query spread over {@code threads} threads, as a server would see them. */
    static Neighbours searchParallel(VectorIndex index, Matrix queries, int k, int threads) {
        List<List<Hit>> out = new ArrayList<>(queries.rows());
        for (int i = 0; i < queries.rows(); i++) {
            out.add(null);
        }
        AtomicInteger next = new AtomicInteger();
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(
                        exec.submit(
                                () -> {
                                    for (int q; (q = next.getAndIncrement()) < queries.rows(); ) {
                                        out.set(q, index.search(queries.row(q), k));
                                    }
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during benchmark", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("search failed", e.getCause());
        } finally {
            exec.shutdownNow();
        }
        return Neighbours.of(out);
    }

    /** The exact neighbours every recall is measured against, and how fast they came. */
    private record Exact(Neighbours neighbours, double qps) {
        static Exact measure(Matrix base, Matrix queries, int k, int threads) {
            try (ExactIndex exact = new ExactIndex(base, threads)) {
                long t0 = System.nanoTime();
                Neighbours n = exact.searchAll(queries, k);
                return new Exact(n, queries.rows() / seconds(t0));
            }
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /**
     * Runner: {@code key=value} arguments n, dim, queries, k, seed, base (random|lowrank), rank,
     * noise, queryMode (random|perturbed|both|none; a lowrank base always adds held-out queries
     * from its own distribution), dir, threads, maxConn, beamWidth, efSearch (comma list allowed:
     * one build, several search settings), storage (int8|quantized_float), dims (int8 only; 0 =
     * keep all), bits, rescore (quantized_float only), buildThreads; base=npy with file=X.npy and
     * queryFile=Y.npy searches real embeddings written by {@code npid embed} (the first n rows of X
     * when n is given). storage and dims default to {@link HnswParams#defaults()}'s.
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        int n = Integer.parseInt(a.getOrDefault("n", "100000"));
        int dim = Integer.parseInt(a.getOrDefault("dim", "128"));
        int nq = Integer.parseInt(a.getOrDefault("queries", "1000"));
        int k = Integer.parseInt(a.getOrDefault("k", "10"));
        long seed = Long.parseLong(a.getOrDefault("seed", "42"));
        int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
        HnswParams.Storage storage =
                a.containsKey("storage")
                        ? HnswParams.Storage.valueOf(a.get("storage").toUpperCase(Locale.ROOT))
                        : HnswParams.defaults().storage();
        int defaultDims = storage == HnswParams.Storage.INT8 ? HnswParams.defaults().dims() : 0;
        HnswParams p =
                new HnswParams(
                        Integer.parseInt(
                                a.getOrDefault(
                                        "maxConn",
                                        Integer.toString(HnswParams.defaults().maxConn()))),
                        Integer.parseInt(a.getOrDefault("beamWidth", "100")),
                        100,
                        storage,
                        Integer.parseInt(a.getOrDefault("dims", Integer.toString(defaultDims))),
                        Integer.parseInt(a.getOrDefault("bits", "7")),
                        Boolean.parseBoolean(a.getOrDefault("rescore", "true")),
                        Integer.parseInt(a.getOrDefault("buildThreads", "2")));
        String[] efs = a.getOrDefault("efSearch", "100").split(",");
        Path dir = Path.of(a.getOrDefault("dir", "target/bench-index"));
        if (Files.exists(dir)) {
            throw new IllegalArgumentException(dir + " exists; pass dir=<new path>");
        }

        String baseKind = a.getOrDefault("base", "random");
        int rank = Integer.parseInt(a.getOrDefault("rank", "16"));
        float noise = Float.parseFloat(a.getOrDefault("noise", "0.5"));
        boolean lowRank = baseKind.equals("lowrank");
        boolean fromFile = baseKind.equals("npy");
        Matrix base =
                fromFile
                        ? firstRows(Npy.read(Path.of(a.get("file"))), a.get("n"))
                        : lowRank
                                ? UnitVectors.lowRank(n, dim, rank, noise, seed, seed + 3)
                                : UnitVectors.random(n, dim, seed);
        String mode = a.getOrDefault("queryMode", fromFile ? "none" : "both");
        Map<String, Matrix> querySets = new java.util.LinkedHashMap<>();
        if (fromFile) {
            // Real embeddings (npid embed): queries are the first rows of another split's file.
            Matrix q = Npy.read(Path.of(a.get("queryFile")));
            int rows = Math.min(nq, q.rows());
            float[] head = java.util.Arrays.copyOf(q.data(), rows * q.cols());
            querySets.put("embeddings " + a.get("queryFile"), new Matrix(rows, q.cols(), head));
        }
        if (lowRank) {
            querySets.put(
                    "heldout-lowrank(rank=" + rank + ",noise=" + noise + ")",
                    UnitVectors.lowRank(nq, dim, rank, noise, seed, seed + 4));
        }
        if (mode.equals("random") || mode.equals("both")) {
            querySets.put("random", UnitVectors.random(nq, dim, seed + 1));
        }
        if (mode.equals("perturbed") || mode.equals("both")) {
            querySets.put(
                    "perturbed(noise=" + noise + ")",
                    UnitVectors.perturbed(base, nq, noise, seed + 2));
        }

        String firstName = querySets.keySet().iterator().next();
        HnswParams first = p.withEfSearch(Integer.parseInt(efs[0].trim()));
        Result built = run(base, querySets.get(firstName), k, first, dir, threads);
        System.out.println("queries=" + firstName + " " + built.toJson());
        for (Map.Entry<String, Matrix> e : querySets.entrySet()) {
            sweep(base, e.getValue(), e.getKey(), k, p, dir, threads, efs, built);
        }
    }

    /** The first {@code n} rows of {@code m} (all of them when {@code n} is null). */
    private static Matrix firstRows(Matrix m, String n) {
        int rows = n == null ? m.rows() : Math.min(m.rows(), Integer.parseInt(n));
        return rows == m.rows()
                ? m
                : new Matrix(rows, m.cols(), java.util.Arrays.copyOf(m.data(), rows * m.cols()));
    }

    /** Re-opens the built index with each efSearch (and QUANTIZED_FLOAT rescore) setting. */
    private static void sweep(
            Matrix base,
            Matrix queries,
            String name,
            int k,
            HnswParams p,
            Path dir,
            int threads,
            String[] efs,
            Result built) {
        Exact exact = Exact.measure(base, queries, k, threads);
        Neighbours truth = exact.neighbours();
        double exactQps = exact.qps();
        boolean[] rescores =
                p.storage() == HnswParams.Storage.INT8
                        ? new boolean[] {false}
                        : new boolean[] {false, true};
        for (boolean rescore : rescores) {
            for (String ef : efs) {
                HnswParams q = p.withEfSearch(Integer.parseInt(ef.trim())).withRescore(rescore);
                try (HnswIndex idx = HnswIndex.open(dir, q)) {
                    searchParallel(idx, queries, k, threads);
                    long t0 = System.nanoTime();
                    Neighbours found = searchParallel(idx, queries, k, threads);
                    double qps = queries.rows() / seconds(t0);
                    Result r =
                            new Result(
                                    built.rows(),
                                    built.dim(),
                                    queries.rows(),
                                    k,
                                    q,
                                    threads,
                                    built.buildSeconds(),
                                    idx.bytesOnDisk(),
                                    idx.bytesInMemory(),
                                    recall(truth, found),
                                    qps,
                                    exactQps);
                    System.out.println("queries=" + name + " " + r.toJson());
                } catch (UncheckedIOException e) {
                    throw new IllegalStateException("sweep failed for " + q, e);
                }
            }
        }
    }
}
