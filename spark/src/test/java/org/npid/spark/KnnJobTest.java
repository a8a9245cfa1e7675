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
import org.npid.fixtures.TinyRun;

/**
 * The Spark kNN against {@code npid knn}'s own evaluation on the same images: Fashion-MNIST's first
 * 1,200 training and 400 test images where Debian's dataset-fashion-mnist is installed, else the
 * synthetic textures (a failure instead where NPID_REQUIRE names fashion-mnist).
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
        checkpoint = TinyRun.checkpoint(data, tmp.resolve("run"));
        spark = SparkTests.local();
    }

    @AfterAll
    static void stop() {
        // Null when setUp failed first, as where NPID_REQUIRE names a missing data set.
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void topOneEqualsNpidKnnOnTheSameImages() {
        int k = 50;
        float tau = 0.07f;
        KnnResult npid;
        try (TrainedModel model = TrainedModel.load(checkpoint)) {
            npid =
                    model.knn(
                            LabelledSplits.open(data, "kNN"),
                            new KnnEvaluation(new KnnClassifier(k, tau), Features.EMBEDDING, 1));
        }
        // Image folders embedded on the fly, and the same through Parquet tables.
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

        for (KnnJob.Result r : new KnnJob.Result[] {folders, tables}) {
            assertThat(r.top1()).isEqualTo(npid.top1());
            assertThat(r.top5()).isEqualTo(npid.top5());
            assertThat(r.nn1()).isEqualTo(npid.nn1());
        }
        assertThat(npid.top1()).isGreaterThan(0.3);
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
