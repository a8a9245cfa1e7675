package org.npid.spark;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A log line per finished Spark stage (what it ran, its tasks, time and records, and how many of
 * its job's stages are done) and, while a long stage runs, a line at most every {@link #EVERY} with
 * the tasks done out of the stage's total and a linear guess of the time left: enough to tell how
 * far a job of a million images is without the Spark UI.
 */
final class StageLog extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(StageLog.class);

    /** The least time between two progress lines of one stage. */
    static final Duration EVERY = Duration.ofSeconds(30);

    /** A running stage attempt: its tasks, those done, when it began and last logged. */
    private static final class Running {
        final int tasks;
        final long started;
        int done;
        long logged;

        Running(int tasks, long started) {
            this.tasks = tasks;
            this.started = started;
            this.logged = started;
        }
    }

    /** A running job: its stages (some may be skipped, their output already computed) and done. */
    private static final class Job {
        final int id;
        final int stages;
        int done;

        Job(int id, int stages) {
            this.id = id;
            this.stages = stages;
        }
    }

    private final long everyNanos;
    private final LongSupplier nanoClock;
    private final Consumer<String> info;

    // Spark calls a listener from its one listener-bus thread: no locking needed.
    private final Map<String, Running> running = new HashMap<>();
    private final Map<Integer, Job> jobOfStage = new HashMap<>();

    StageLog() {
        this(EVERY, System::nanoTime, LOG::info);
    }

    /** Progress lines at most every {@code every} by {@code nanoClock}, given to {@code info}. */
    StageLog(Duration every, LongSupplier nanoClock, Consumer<String> info) {
        this.everyNanos = every.toNanos();
        this.nanoClock = nanoClock;
        this.info = info;
    }

    private static String key(int stage, int attempt) {
        return stage + "." + attempt;
    }

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        Job job = new Job(start.jobId(), start.stageInfos().size());
        scala.collection.Iterator<StageInfo> it = start.stageInfos().iterator();
        while (it.hasNext()) {
            jobOfStage.put(it.next().stageId(), job);
        }
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
        jobOfStage.values().removeIf(j -> j.id == end.jobId());
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        StageInfo stage = submitted.stageInfo();
        running.put(
                key(stage.stageId(), stage.attemptNumber()),
                new Running(stage.numTasks(), nanoClock.getAsLong()));
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        Running r = running.get(key(end.stageId(), end.stageAttemptId()));
        if (r == null || !end.taskInfo().successful()) {
            return;
        }
        r.done++;
        long now = nanoClock.getAsLong();
        if (r.done >= r.tasks || now - r.logged < everyNanos) {
            return;
        }
        r.logged = now;
        double seconds = (now - r.started) / 1e9;
        double left = seconds * (r.tasks - r.done) / r.done;
        info.accept(
                String.format(
                        Locale.ROOT,
                        "stage %d running: %d/%d tasks done (%.0f %%), %.0f s so far, about %.0f s"
                                + " left",
                        end.stageId(),
                        r.done,
                        r.tasks,
                        100.0 * r.done / r.tasks,
                        seconds,
                        left));
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
        StageInfo stage = completed.stageInfo();
        Running r = running.remove(key(stage.stageId(), stage.attemptNumber()));
        long ms =
                stage.submissionTime().isDefined() && stage.completionTime().isDefined()
                        ? (Long) stage.completionTime().get() - (Long) stage.submissionTime().get()
                        : -1;
        String name = stage.name();
        if (stage.failureReason().isDefined()) {
            LOG.warn(
                    "stage {} ({}) failed after {} ms, {} of {} tasks done: {}",
                    stage.stageId(),
                    name,
                    ms,
                    r == null ? "?" : r.done,
                    stage.numTasks(),
                    stage.failureReason().get());
            return;
        }
        Job job = jobOfStage.get(stage.stageId());
        String ofJob = "";
        if (job != null) {
            job.done++;
            ofJob =
                    String.format(
                            Locale.ROOT,
                            "; job %d: %d of %s%d stages done",
                            job.id,
                            job.done,
                            job.done < job.stages ? "up to " : "",
                            job.stages);
        }
        var metrics = stage.taskMetrics();
        info.accept(
                String.format(
                        Locale.ROOT,
                        "stage %d (%s): %d/%d tasks, %d ms, %d records read, %d written, %d"
                                + " shuffled%s",
                        stage.stageId(),
                        name,
                        r == null ? stage.numTasks() : r.done,
                        stage.numTasks(),
                        ms,
                        metrics.inputMetrics().recordsRead()
                                + metrics.shuffleReadMetrics().recordsRead(),
                        metrics.outputMetrics().recordsWritten(),
                        metrics.shuffleWriteMetrics().recordsWritten(),
                        ofJob));
    }
}
