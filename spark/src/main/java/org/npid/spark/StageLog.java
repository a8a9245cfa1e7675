package org.npid.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.StageInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A log line per finished Spark stage: what it ran, its tasks, time and records. */
final class StageLog extends SparkListener {
    private static final Logger LOG = LoggerFactory.getLogger(StageLog.class);

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
        StageInfo stage = completed.stageInfo();
        long ms =
                stage.submissionTime().isDefined() && stage.completionTime().isDefined()
                        ? (Long) stage.completionTime().get() - (Long) stage.submissionTime().get()
                        : -1;
        String name = stage.name();
        if (stage.failureReason().isDefined()) {
            LOG.warn(
                    "stage {} ({}) failed after {} ms: {}",
                    stage.stageId(),
                    name,
                    ms,
                    stage.failureReason().get());
            return;
        }
        var metrics = stage.taskMetrics();
        LOG.info(
                "stage {} ({}): {} tasks, {} ms, {} records read, {} written, {} shuffled",
                stage.stageId(),
                name,
                stage.numTasks(),
                ms,
                metrics.inputMetrics().recordsRead() + metrics.shuffleReadMetrics().recordsRead(),
                metrics.outputMetrics().recordsWritten(),
                metrics.shuffleWriteMetrics().recordsWritten());
    }
}
