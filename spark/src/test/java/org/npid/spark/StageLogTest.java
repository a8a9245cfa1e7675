package org.npid.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

class StageLogTest {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkTests.local();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Lines of {@code log} once one matches {@code last}; the listener bus runs on its own. */
    static List<String> until(List<String> log, String last) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (log.stream().noneMatch(l -> l.matches(last))) {
            assertThat(System.nanoTime())
                    .as("no line matching %s within 2 minutes; got %s", last, log)
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
        return new ArrayList<>(log);
    }

    @Test
    void everyTaskLineCountsTowardsTheStagesTotalAndTheStageLineNamesItsJobsStages()
            throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        // A clock that moves a minute per reading: every finished task is worth a progress line.
        AtomicLong clock = new AtomicLong();
        StageLog stageLog =
                new StageLog(
                        Duration.ofSeconds(30),
                        () -> clock.addAndGet(Duration.ofMinutes(1).toNanos()),
                        log::add);
        spark.sparkContext().addSparkListener(stageLog);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<Integer> numbers = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                numbers.add(i);
            }
            // Two stages: 8 map tasks, then 3 reduce tasks after the shuffle.
            long groups =
                    sc.parallelize(numbers, 8)
                            .mapToPair(i -> new Tuple2<>(i % 7, i))
                            .reduceByKey(Integer::sum, 3)
                            .count();
            assertThat(groups).isEqualTo(7);
            List<String> lines = until(log, "stage \\d+ \\(.*\\): 3/3 tasks.*");

            Pattern progress =
                    Pattern.compile(
                            "stage (\\d+) running: (\\d+)/8 tasks done \\((\\d+) %\\), (\\d+) s so"
                                    + " far, about (\\d+) s left");
            List<Integer> done = new ArrayList<>();
            for (String l : lines) {
                Matcher m = progress.matcher(l);
                if (m.matches()) {
                    int n = Integer.parseInt(m.group(2));
                    done.add(n);
                    assertThat(Integer.parseInt(m.group(3))).isEqualTo(Math.round(100f * n / 8));
                    // A minute per clock reading, linear: the time left is (8 - n)/n of the spent.
                    long spent = Long.parseLong(m.group(4));
                    assertThat(Long.parseLong(m.group(5)))
                            .isBetween((spent * (8 - n) / n) - 1, (spent * (8 - n) / n) + 1);
                }
            }
            // One line per finished map task but the last, which the stage's own line reports.
            assertThat(done).containsExactly(1, 2, 3, 4, 5, 6, 7);
            assertThat(lines)
                    .anyMatch(
                            l ->
                                    l.matches(
                                            "stage \\d+ \\(.*\\): 8/8 tasks, .*; job \\d+: 1 of up to 2 stages done"))
                    .anyMatch(
                            l ->
                                    l.matches(
                                            "stage \\d+ \\(.*\\): 3/3 tasks, .*; job \\d+: 2 of 2 stages done"));
        } finally {
            spark.sparkContext().removeSparkListener(stageLog);
        }
    }

    @Test
    void aSlowClockGivesOnlyTheStageLine() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        StageLog stageLog = new StageLog(Duration.ofSeconds(30), () -> 0L, log::add);
        spark.sparkContext().addSparkListener(stageLog);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            assertThat(sc.parallelize(List.of(1, 2, 3, 4, 5), 5).count()).isEqualTo(5);
            List<String> lines = until(log, "stage \\d+ \\(.*\\): 5/5 tasks.*");
            assertThat(lines).noneMatch(l -> l.contains("running"));
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .matches("stage \\d+ \\(.*\\): 5/5 tasks, .*; job \\d+: 1 of 1 stages done");
        } finally {
            spark.sparkContext().removeSparkListener(stageLog);
        }
    }
}
