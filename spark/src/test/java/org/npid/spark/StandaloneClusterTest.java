package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.npid.fixtures.TinyRun;

/**
 * The jobs on a real standalone cluster (a master and two workers, each its own JVM, on the
 * loopback address) give what they give in {@code local[2]}, and a job that loses a worker midway
 * finishes through Spark's retries with every row written once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    static final int TRAIN_PER_CLASS = 8;
    static final int TEST_PER_CLASS = 4;
    static final int K = 5;

    @TempDir static Path tmp;
    static Path data;
    static Path checkpoint;
    static StandaloneCluster cluster;
    static SparkSession spark;

    // What local[2] gives: the reference.
    static String trainTable;
    static String testTable;
    static KnnJob.Result knn;
    static List<Row> neighbours;

    @BeforeAll
    static void referenceInLocalModeThenTheCluster() throws Exception {
        data = ImageFolders.synthetic(tmp.resolve("images"), TRAIN_PER_CLASS, TEST_PER_CLASS);
        checkpoint = TinyRun.checkpoint(data, tmp.resolve("run"));
        SparkSession local = SparkTests.local();
        try {
            trainTable = embed(local, "train", "local-train.parquet");
            testTable = embed(local, "test", "local-test.parquet");
            knn = KnnJob.run(local, trainTable, testTable, null, 10, 0.1f, 64);
            neighbours = neighbours(local, "local-nb.parquet");
        } finally {
            local.stop();
        }
        cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2);
        spark =
                SparkRuntime.open(
                        "cluster test", cluster.url(), 0, StandaloneCluster.driverSettings());
        // The driver and both workers' executors, so that every job below uses two JVMs.
        long deadline = System.nanoTime() + StandaloneCluster.START.toNanos();
        while (spark.sparkContext().getExecutorMemoryStatus().size() < 3) {
            assertThat(System.nanoTime())
                    .as("two executors within 3 minutes:%s", cluster.logs())
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    static String embed(SparkSession s, String split, String name) {
        String out = tmp.resolve(name).toString();
        EmbedJob.run(
                s,
                List.of(data.resolve(split).toString()),
                checkpoint,
                out,
                16,
                LocalCopy.Mode.NEVER);
        return out;
    }

    /** The reference table's neighbours, found by {@code s}, in id order. */
    static List<Row> neighbours(SparkSession s, String name) {
        String out = tmp.resolve(name).toString();
        NeighboursJob.run(s, trainTable, null, K, out, 64, 20, LocalCopy.Mode.NEVER);
        return s.read().parquet(out).orderBy("id").collectAsList();
    }

    static Map<String, float[]> vectors(SparkSession s, String table) {
        Map<String, float[]> out = new HashMap<>();
        for (Row r : s.read().parquet(table).collectAsList()) {
            List<Float> v = r.getList(3);
            float[] a = new float[v.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = v.get(i);
            }
            assertThat(out.put(r.getString(0), a)).as("row of %s twice", r.getString(0)).isNull();
        }
        return out;
    }

    /**
     * The same images, the same vectors: oneDNN may pick other kernels for another thread count (an
     * executor of this cluster runs 2 threads, a task of local[2] 1), so the last bits may differ;
     * a wrong image or transform moves a coordinate of a unit vector by 1e-2 or more.
     */
    static void assertSameVectors(Map<String, float[]> got, Map<String, float[]> want) {
        assertThat(got.keySet()).isEqualTo(want.keySet());
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] g = got.get(e.getKey());
            assertThat(g).as(e.getKey()).hasSameSizeAs(e.getValue());
            for (int j = 0; j < g.length; j++) {
                assertThat(g[j])
                        .as(e.getKey() + "[" + j + "]")
                        .isCloseTo(e.getValue()[j], within(1e-5f));
            }
        }
    }

    @Test
    @Order(1)
    void embedKnnAndNeighboursOnTheClusterEqualLocalMode() {
        assertThat(spark.sparkContext().master()).isEqualTo(cluster.url());
        String embedded;
        try {
            embedded = embed(spark, "train", "cluster-train.parquet");
        } catch (Exception e) { // Spark's own exceptions are checked, thrown unchecked
            throw new AssertionError("embed on the cluster failed:" + cluster.logs(), e);
        }
        SparkSession local = spark;
        assertSameVectors(vectors(local, embedded), vectors(local, trainTable));
        assertThat(vectors(local, trainTable)).hasSize(4 * TRAIN_PER_CLASS);

        // kNN and neighbours of the same tables: the same counts, the same ids.
        KnnJob.Result r = KnnJob.run(spark, trainTable, testTable, null, 10, 0.1f, 64);
        assertThat(r.queries()).isEqualTo(4 * TEST_PER_CLASS);
        assertThat(r.base()).isEqualTo(4 * TRAIN_PER_CLASS);
        assertThat(r.top1()).isEqualTo(knn.top1());
        assertThat(r.top5()).isEqualTo(knn.top5());
        assertThat(r.nn1()).isEqualTo(knn.nn1());

        List<Row> found = neighbours(spark, "cluster-nb.parquet");
        assertThat(found).hasSameSizeAs(neighbours).hasSize(4 * TRAIN_PER_CLASS);
        for (int i = 0; i < found.size(); i++) {
            Row g = found.get(i);
            Row w = neighbours.get(i);
            assertThat(g.getLong(0)).isEqualTo(w.getLong(0));
            assertThat(g.getString(1)).isEqualTo(w.getString(1));
            assertThat(g.<Long>getList(2)).as("neighbours of %d", i).isEqualTo(w.getList(2));
            List<Float> gs = g.getList(3);
            List<Float> ws = w.getList(3);
            for (int j = 0; j < K; j++) {
                assertThat(gs.get(j)).isCloseTo(ws.get(j), within(1e-6f));
            }
        }
    }

    /** Kills the worker of an executor that has just finished a task of the embedding stage. */
    static final class KillMidStage extends SparkListener {
        final AtomicBoolean killed = new AtomicBoolean();
        final AtomicInteger doneBefore = new AtomicInteger();
        final AtomicInteger doneAfter = new AtomicInteger();
        final AtomicInteger executorsLost = new AtomicInteger();
        final Set<Integer> longStages = new HashSet<>();
        final int after;
        volatile int killedWorker = -1;

        KillMidStage(int after) {
            this.after = after;
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted s) {
            // The stage that embeds and writes (SparkRuntime.step names it), not the listing's.
            if (s.stageInfo().name().startsWith("embed the images")
                    && s.stageInfo().numTasks() >= 4 * after) {
                longStages.add(s.stageInfo().stageId());
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (!longStages.contains(end.stageId()) || !end.taskInfo().successful()) {
                return;
            }
            if (killed.get()) {
                doneAfter.incrementAndGet();
            } else if (doneBefore.incrementAndGet() >= after) {
                String app = spark.sparkContext().applicationId();
                killedWorker = cluster.workerOf(app, end.taskInfo().executorId());
                if (killedWorker >= 0) {
                    cluster.kill(killedWorker);
                    killed.set(true);
                }
            }
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
            executorsLost.incrementAndGet();
        }
    }

    @Test
    @Order(2)
    void aWorkerLostMidEmbeddingCostsRetriesNotRows() throws Exception {
        // One image per task (each file costs its size plus spark.sql.files.openCostInBytes, 8 KB,
        // so no two fit in 8 KB): the stage has 32 tasks, and the kill comes after 6 of them.
        spark.conf().set("spark.sql.files.maxPartitionBytes", SparkRuntime.FILE_OPEN_COST);
        KillMidStage killer = new KillMidStage(6);
        spark.sparkContext().addSparkListener(killer);
        String out;
        try {
            out = embed(spark, "train", "cluster-train-lost-worker.parquet");
            // The driver may learn of the lost executor only after the last task: wait for it.
            long deadline = System.nanoTime() + StandaloneCluster.START.toNanos();
            while (killer.executorsLost.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } finally {
            spark.sparkContext().removeSparkListener(killer);
            spark.conf().unset("spark.sql.files.maxPartitionBytes");
        }
        assertThat(killer.killed).as("a worker was killed mid-stage:%s", cluster.logs()).isTrue();
        assertThat(cluster.alive(killer.killedWorker)).isFalse();
        assertThat(cluster.alive(1 - killer.killedWorker)).isTrue();
        // The job went on after the loss, on the other worker's executor.
        assertThat(killer.doneAfter.get()).isGreaterThan(0);
        assertThat(killer.executorsLost.get()).isGreaterThanOrEqualTo(1);
        // Every image once: the same paths as local mode, no row twice (vectors() checks).
        assertSameVectors(vectors(spark, out), vectors(spark, trainTable));
        assertThat(spark.read().parquet(out).count()).isEqualTo(4 * TRAIN_PER_CLASS);
    }
}
