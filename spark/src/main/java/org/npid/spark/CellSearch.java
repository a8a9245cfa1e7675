package org.npid.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.npid.index.ExactIndex;
import org.npid.index.InvertedLists;
import org.npid.index.Matrix;
import org.npid.index.Neighbours;
import scala.Tuple2;

/**
 * Approximate all-pairs neighbours by inverted lists, as {@code npid knn --probes} does on one
 * machine: spherical k-means cells trained on a seeded sample of the rows, every row put in its
 * nearest cell, and every query scored only against the rows of its {@code probes} nearest cells,
 * as a Spark join on the cell. Within the probed cells the search is exact, ties to the lower id as
 * in {@link BlockedTopK}; with {@code probes = cells} every row is scored and the result is the
 * exact one. Cost: about n · n/cells · probes dot products instead of n².
 */
public final class CellSearch {
    /** Sampled rows per cell for k-means, as {@link InvertedLists} takes. */
    static final int SAMPLE_PER_CELL = 64;

    /** The approximate search's settings. */
    public record Settings(int cells, int probes, long seed) implements Serializable {
        public Settings {
            if (cells < 1) {
                throw new IllegalArgumentException("--cells must be >= 1, got " + cells);
            }
            if (probes < 1 || probes > cells) {
                throw new IllegalArgumentException(
                        "--probes must be in [1, --cells = " + cells + "], got " + probes);
            }
        }
    }

    /** One query's list: ids best first, their scores. */
    // Made once per query and only read after: the arrays are never shared out to be changed.
    @SuppressWarnings("ArrayRecordComponent")
    record Found(long[] ids, float[] scores) implements Serializable {}

    private CellSearch() {}

    /**
     * Each row's {@code k} nearest other rows among those of its probed cells, keyed by the row's
     * id. A row whose probed cells hold fewer than k other rows gets a shorter list.
     */
    static JavaPairRDD<Long, Found> search(
            JavaRDD<VectorRow> rows, int k, Settings s, int threads) {
        if (k < 1) {
            throw new IllegalArgumentException("--k must be >= 1, got " + k);
        }
        SparkSession spark = SparkSession.active();
        SparkRuntime.step(spark, "sample the rows, train the cells");
        long n = rows.count();
        int cells = (int) Math.min(s.cells(), Math.max(1, n));
        int probes = Math.min(s.probes(), cells);
        int want = (int) Math.min(n, (long) cells * SAMPLE_PER_CELL);
        List<VectorRow> sample = new ArrayList<>(rows.takeSample(false, want, s.seed()));
        Matrix centroids =
                sample.isEmpty()
                        ? new Matrix(0, 0, new float[0])
                        : InvertedLists.trainCentroids(
                                VectorBlock.of(sample).matrix(), cells, s.seed()); // id order
        Broadcast<float[]> c =
                JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(centroids.data());
        int d = centroids.cols();
        SparkRuntime.step(spark, "put the rows in cells, search each cell, merge");
        JavaPairRDD<Integer, VectorRow> base =
                rows.mapToPair(r -> new Tuple2<>(nearest(c.value(), d, r.vector(), 1)[0], r));
        JavaPairRDD<Integer, VectorRow> queries =
                rows.flatMapToPair(
                        r -> {
                            List<Tuple2<Integer, VectorRow>> out = new ArrayList<>(probes);
                            for (int cell : nearest(c.value(), d, r.vector(), probes)) {
                                out.add(new Tuple2<>(cell, r));
                            }
                            return out.iterator();
                        });
        int partitions = Math.max(rows.getNumPartitions(), rows.context().defaultParallelism());
        return base.cogroup(queries, partitions)
                .flatMapToPair(g -> searchCell(g._2()._1(), g._2()._2(), k, threads))
                .reduceByKey((a, b) -> merge(a, b, k));
    }

    /**
     * The {@code count} cells of {@code centroids} (row-major, {@code d} columns) most similar to
     * {@code v}, best first, ties to the lower cell.
     */
    static int[] nearest(float[] centroids, int d, float[] v, int count) {
        int cells = centroids.length / d;
        float[] score = new float[cells];
        for (int c = 0; c < cells; c++) {
            float s = 0;
            for (int j = 0; j < d; j++) {
                s += centroids[c * d + j] * v[j];
            }
            score[c] = s;
        }
        int[] best = new int[Math.min(count, cells)];
        boolean[] taken = new boolean[cells];
        for (int i = 0; i < best.length; i++) {
            int b = -1;
            for (int c = 0; c < cells; c++) {
                if (!taken[c] && (b < 0 || score[c] > score[b])) {
                    b = c;
                }
            }
            taken[b] = true;
            best[i] = b;
        }
        return best;
    }

    /** The queries that probe one cell, scored exactly against its rows, a block at a time. */
    private static Iterator<Tuple2<Long, Found>> searchCell(
            Iterable<VectorRow> cellRows, Iterable<VectorRow> cellQueries, int k, int threads) {
        List<Tuple2<Long, Found>> out = new ArrayList<>();
        VectorBlock base = VectorBlock.of(cellRows);
        if (base.rows() == 0) {
            return out.iterator();
        }
        ExecutorModels.configureThreads(threads);
        List<VectorRow> all = new ArrayList<>();
        cellQueries.forEach(all::add);
        int kk = Math.min(base.rows(), k + 1);
        try (ExactIndex index = new ExactIndex(base.matrix(), threads)) {
            for (int from = 0; from < all.size(); from += BlockedTopK.QUERY_ROWS) {
                VectorBlock q =
                        VectorBlock.of(
                                all.subList(
                                        from, Math.min(all.size(), from + BlockedTopK.QUERY_ROWS)));
                Neighbours found = index.searchAll(q.matrix(), kk);
                Candidates c = Candidates.of(q, base, found, k, true);
                for (int i = 0; i < c.queries(); i++) {
                    int m = c.found(i);
                    long[] ids = new long[m];
                    float[] scores = new float[m];
                    System.arraycopy(c.ids, i * k, ids, 0, m);
                    System.arraycopy(c.scores, i * k, scores, 0, m);
                    out.add(new Tuple2<>(c.queryIds[i], new Found(ids, scores)));
                }
            }
        }
        return out.iterator();
    }

    /**
     * The best {@code k} of two lists of disjoint rows (different cells), in the exact search's
     * order: higher score first, then lower id.
     */
    static Found merge(Found a, Found b, int k) {
        int n = Math.min(k, a.ids().length + b.ids().length);
        long[] ids = new long[n];
        float[] scores = new float[n];
        int i = 0;
        int j = 0;
        for (int o = 0; o < n; o++) {
            boolean takeA =
                    j >= b.ids().length
                            || (i < a.ids().length
                                    && Candidates.before(
                                            a.scores()[i], a.ids()[i], b.scores()[j], b.ids()[j]));
            if (takeA) {
                ids[o] = a.ids()[i];
                scores[o] = a.scores()[i++];
            } else {
                ids[o] = b.ids()[j];
                scores[o] = b.scores()[j++];
            }
        }
        return new Found(ids, scores);
    }
}
