package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.npid.config.EvaluationConfig.Features;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.KnnResult;
import org.npid.eval.LabelledSplits;
import org.npid.eval.TrainedModel;
import org.npid.fixtures.Dependency;
import org.npid.fixtures.NearTies;
import org.npid.fixtures.ReferenceKnn;
import org.npid.fixtures.TinyRun;

/**
 * The Spark kNN against {@code npid knn}: on exact vectors bit for bit, and on real images
 * (Fashion-MNIST's first 1,200 training and 400 test images where Debian's dataset-fashion-mnist is
 * installed, else the synthetic textures, or a failure where NPID_REQUIRE names fashion-mnist) up
 * to the queries rounding can decide.
 */
class KnnJobTest {
    @TempDir static Path tmp;
    static SparkSession spark;
    static Path data;
    static Path checkpoint;

    @BeforeAll
    static void setUp() throws Exception {
        data =
                Dependency.FASHION_MNIST.available(
                                Files.isDirectory(ImageFolders.FASHION_MNIST),
                                "no directory " + ImageFolders.FASHION_MNIST)
                        ? ImageFolders.fromIdx(
                                ImageFolders.FASHION_MNIST, tmp.resolve("fm"), 1200, 400)
                        : ImageFolders.synthetic(tmp.resolve("synthetic"), 40, 20);
        checkpoint = TinyRun.run(data, tmp.resolve("run"), 1).checkpoint();
        spark = SparkTests.local();
    }

    @AfterAll
    static void stop() {
        // Null when setUp failed first, as where NPID_REQUIRE names a missing data set.
        if (spark != null) {
            spark.stop();
        }
    }

    /**
     * The vote itself, bit for bit: vectors on a grid of eighths make every dot product exact in
     * float whatever the kernel or block shape (products are multiples of 1/64, sums of a few of
     * them), and ties go to the lower id in both searches, so Spark's blocked join and npid's index
     * find the same neighbours in the same order and add the same weights. Both must also equal a
     * double-precision reference on every query that is not an exact tie.
     */
    @Test
    void votesEqualNpidKnnBitForBitOnExactVectors() {
        int n = 600;
        int m = 200;
        int d = 8;
        int classes = 5;
        int k = 20;
        float tau = 0.1f;
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        float[][] centres = new float[classes][d];
        for (float[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = (rng.nextInt(9) - 4) / 8f;
            }
        }
        int[] bankLabels = new int[n];
        int[] queryLabels = new int[m];
        float[] bank = gridVectors(centres, bankLabels, rng);
        float[] queries = gridVectors(centres, queryLabels, rng);
        String train = table("exact-train", bank, bankLabels, d);
        String test = table("exact-test", queries, queryLabels, d);

        KnnResult npid;
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            npid =
                    new KnnClassifier(k, tau)
                            .evaluate(manager, bank, bankLabels, queries, queryLabels, classes);
        }
        KnnJob.Result r = KnnJob.run(spark, train, test, null, k, tau, 64);
        assertThat(r.queries()).isEqualTo(m);
        assertThat(r.top1()).isEqualTo(npid.top1());
        assertThat(r.top5()).isEqualTo(npid.top5());
        assertThat(r.nn1()).isEqualTo(npid.nn1());
        // Exact scores: only exact ties of two classes' totals are fragile, and they are rare.
        ReferenceKnn.of(bank, bankLabels, queries, queryLabels, classes, k, tau, 0)
                .assertAgrees(npid, 0.05);
        // Chance is 20 %: the vote found the classes, so a mislabelled row would show.
        assertThat(npid.top1()).isGreaterThan(0.6);
    }

    /** {@code labels.length} rows of eighths near their class's centre, labels drawn in turn. */
    private static float[] gridVectors(
            float[][] centres, int[] labels, java.util.SplittableRandom rng) {
        int d = centres[0].length;
        float[] v = new float[labels.length * d];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % centres.length;
            for (int j = 0; j < d; j++) {
                v[i * d + j] = centres[labels[i]][j] + (rng.nextInt(7) - 3) / 8f;
            }
        }
        return v;
    }

    /** A table in {@code npid-spark embed}'s layout whose row ids (path order) are i. */
    private static String table(String name, float[] v, int[] labels, int d) {
        java.util.List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            rows.add(
                    org.apache.spark.sql.RowFactory.create(
                            String.format("file:/%s/c%d/%04d.png", name, labels[i], i),
                            labels[i],
                            "c" + labels[i],
                            java.util.Arrays.copyOfRange(v, i * d, (i + 1) * d)));
        }
        String out = tmp.resolve(name + ".parquet").toString();
        OutputDir.replace(
                spark,
                out,
                o ->
                        spark.createDataFrame(rows, EmbedJob.SCHEMA)
                                .repartition(3)
                                .write()
                                .mode(org.apache.spark.sql.SaveMode.ErrorIfExists)
                                .parquet(o));
        return out;
    }

    /**
     * Real images end to end. Spark embeds in batches of 64 and scores by its blocked join; {@code
     * npid knn} embeds in batches of 256 and scores by a oneDNN product, so their scores differ by
     * rounding (one query of 400 voted differently on a Zen 4). Agreement is therefore: the folder
     * path equals the table path (the same embedding code on the same partitions), Spark's vectors
     * equal npid's to rounding, and npid's figures are a double-precision reference's on every
     * query rounding cannot flip, with Spark's counts within the fragile queries of it. The tiny
     * run's embeddings are nearly parallel (a query's 50 best cosines within 1e-4 of each other),
     * so most queries are fragile here; the exact-vector test above pins the vote itself.
     */
    @Test
    void realImagesAgreeWithNpidKnnExceptWhereRoundingDecides() {
        int k = 50;
        float tau = 0.07f;
        LabelledSplits splits = LabelledSplits.open(data, "kNN");
        float[] trainRows;
        float[] testRows;
        KnnResult npid;
        try (TrainedModel model = TrainedModel.load(checkpoint)) {
            trainRows = model.embed(splits.train(), KnnEvaluation.BATCH, 1);
            testRows = model.embed(splits.test(), KnnEvaluation.BATCH, 1);
            npid =
                    model.knn(
                            splits,
                            new KnnEvaluation(new KnnClassifier(k, tau), Features.EMBEDDING, 1));
        }
        KnnJob.Result folders =
                KnnJob.run(
                        spark,
                        data.resolve("train").toString(),
                        data.resolve("test").toString(),
                        checkpoint,
                        k,
                        tau,
                        64);
        String train = tmp.resolve("train.parquet").toString();
        String test = tmp.resolve("test.parquet").toString();
        EmbedJob.run(
                spark,
                java.util.List.of(data.resolve("train").toString()),
                checkpoint,
                train,
                64,
                LocalCopy.Mode.NEVER);
        EmbedJob.run(
                spark,
                java.util.List.of(data.resolve("test").toString()),
                checkpoint,
                test,
                64,
                LocalCopy.Mode.NEVER);
        KnnJob.Result tables = KnnJob.run(spark, train, test, null, k, tau, 64);
        assertThat(folders.top1()).isEqualTo(tables.top1());
        assertThat(folders.top5()).isEqualTo(tables.top5());
        assertThat(folders.nn1()).isEqualTo(tables.nn1());

        // Spark's vectors are npid's to rounding (6e-8 measured on a Zen 3), so no cosine moves
        // by more than 2·√d·1e-5 plus the scoring's own rounding.
        int d = trainRows.length / splits.train().size();
        assertThat(largestDifference(train, splits.train(), trainRows, d)).isLessThan(1e-5);
        assertThat(largestDifference(test, splits.test(), testRows, d)).isLessThan(1e-5);
        double delta = 2 * Math.sqrt(d) * 1e-5 + NearTies.SCORE_TOLERANCE;
        ReferenceKnn reference =
                ReferenceKnn.of(
                        trainRows,
                        splits.train().labels(),
                        testRows,
                        splits.test().labels(),
                        splits.classes(),
                        k,
                        tau,
                        delta);
        reference.assertAgrees(npid, 1.0);
        assertThat(tables.queries()).isEqualTo(reference.queries());
        reference.assertCounts(tables.top1(), tables.top5(), tables.nn1(), 1.0);
    }

    /** The largest coordinate difference between a Parquet table's vectors and npid's rows. */
    private static double largestDifference(
            String table, org.npid.data.ImageDataset images, float[] rows, int d) {
        java.util.Map<String, Integer> rowOf = new java.util.HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            rowOf.put(Path.of(images.source(i)).toAbsolutePath().toString(), i);
        }
        double largest = 0;
        for (org.apache.spark.sql.Row row : spark.read().parquet(table).collectAsList()) {
            Integer i = rowOf.get(LocalCopy.localPath(row.getString(0)));
            assertThat(i).as(row.getString(0)).isNotNull();
            java.util.List<Float> v = row.getList(3);
            for (int j = 0; j < d; j++) {
                largest = Math.max(largest, Math.abs(v.get(j) - rows[i * d + j]));
            }
        }
        return largest;
    }

    @Test
    void anUnfinishedTableIsRefused() throws Exception {
        Path half = tmp.resolve("half.parquet");
        Files.createDirectories(half);
        Files.write(half.resolve("part-00000.parquet"), new byte[] {1, 2, 3});
        assertThatThrownBy(
                        () ->
                                KnnJob.run(
                                        spark,
                                        half.toString(),
                                        half.toString(),
                                        null,
                                        5,
                                        0.07f,
                                        64))
                .hasMessageContaining("_SUCCESS")
                .hasMessageContaining("run it again");
    }
}
