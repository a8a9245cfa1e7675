package org.npid.spark;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;
import org.npid.index.Neighbours;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code npid-spark knn}: the paper's weighted kNN classifier (top k = 200 neighbours by cosine,
 * votes weighted exp(s/τ)) of a test set against a training set, with the neighbours found by the
 * exact blocked join, so the figures equal {@code npid knn}'s on the same embeddings.
 */
public final class KnnJob {
    private static final Logger LOG = LoggerFactory.getLogger(KnnJob.class);

    /** What the classifier scored. */
    public record Result(
            long queries,
            long base,
            int k,
            float temperature,
            double top1,
            double top5,
            double nn1,
            double seconds) {}

    /** Hits of one query block: counts, so blocks add up exactly. */
    private record Hits(long queries, long top1, long top5, long nn1)
            implements java.io.Serializable {
        Hits plus(Hits o) {
            return new Hits(queries + o.queries, top1 + o.top1, top5 + o.top5, nn1 + o.nn1);
        }
    }

    private KnnJob() {}

    /**
     * Classifies every row of {@code test} by its {@code k} nearest rows of {@code train} (each a
     * Parquet table, or a folder of images embedded with {@code checkpoint}).
     */
    public static Result run(
            SparkSession spark,
            String train,
            String test,
            Path checkpoint,
            int k,
            float temperature,
            int batchSize) {
        // Checks k and τ here, before any work; each task builds its own (it is not serializable).
        new KnnClassifier(k, temperature);
        long t0 = System.nanoTime();
        spark.sparkContext().setJobDescription("npid knn: " + test + " against " + train);
        try (VectorTable base = VectorTable.open(spark, train, checkpoint, batchSize);
                VectorTable queries = VectorTable.open(spark, test, checkpoint, batchSize)) {
            SparkRuntime.step(spark, "number the rows, list the classes");
            List<String> classes = base.classNames();
            if (classes.isEmpty()) {
                throw new IllegalArgumentException(
                        train
                                + " has no classes: kNN needs images in class folders (root/<class>/…)");
            }
            JavaRDD<VectorRow> b = base.vectors(classes);
            JavaRDD<VectorRow> q = queries.vectors(classes);
            long unlabelled = b.filter(r -> r.label() < 0).count();
            if (unlabelled > 0) {
                throw new IllegalArgumentException(
                        train
                                + " has "
                                + unlabelled
                                + " images outside class folders; kNN needs a label for every training image");
            }
            int numClasses = classes.size();
            long baseRows = b.count();
            try (BlockedTopK.Search search =
                    BlockedTopK.search(
                            q,
                            b,
                            k,
                            false,
                            BlockedTopK.BLOCK_ROWS,
                            SparkRuntime.threadsPerTask(spark))) {
                SparkRuntime.step(spark, "search the block pairs, merge, vote");
                Hits hits =
                        search.lists()
                                .map(
                                        t ->
                                                hits(
                                                        new KnnClassifier(k, temperature),
                                                        t._2(),
                                                        numClasses))
                                .reduce(Hits::plus);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Result r =
                        new Result(
                                hits.queries(),
                                baseRows,
                                k,
                                temperature,
                                (double) hits.top1() / hits.queries(),
                                (double) hits.top5() / hits.queries(),
                                (double) hits.nn1() / hits.queries(),
                                seconds);
                LOG.info(
                        "kNN top-1 {} % over {} queries against {} rows (k = {}, τ = {}) in {} s",
                        String.format("%.2f", 100 * r.top1()),
                        r.queries(),
                        baseRows,
                        k,
                        temperature,
                        String.format("%.1f", seconds));
                return r;
            }
        }
    }

    /** The vote of one query block, as counts; a query with no class is an error. */
    private static Hits hits(KnnClassifier classifier, Candidates c, int numClasses) {
        int m = c.queries();
        int found = c.k;
        for (int q = 0; q < m; q++) {
            found = Math.min(found, c.found(q));
            if (c.queryLabels[q] < 0) {
                throw new IllegalArgumentException(
                        "a test image (row "
                                + c.queryIds[q]
                                + ") is outside the training set's class folders; kNN needs its class");
            }
        }
        float[] scores = new float[m * found];
        int[] ids = new int[m * found];
        int[] labels = new int[m * found];
        for (int q = 0; q < m; q++) {
            for (int j = 0; j < found; j++) {
                int at = q * found + j;
                scores[at] = c.scores[q * c.k + j];
                labels[at] = c.labels[q * c.k + j];
                ids[at] = at;
            }
        }
        KnnResult r =
                classifier.vote(
                        new Neighbours(found, scores, ids), labels, c.queryLabels, numClasses);
        return new Hits(
                m, Math.round(r.top1() * m), Math.round(r.top5() * m), Math.round(r.nn1() * m));
    }
}
