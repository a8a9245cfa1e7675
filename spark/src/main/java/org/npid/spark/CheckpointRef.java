package org.npid.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.JobArtifactSet;
import org.apache.spark.JobArtifactState;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import org.npid.checkpoint.Checkpoint;

/**
 * How executors find the checkpoint: embedded Spark reads the driver's file where it is; a cluster
 * gets a copy on every executor through {@code SparkContext.addFile}.
 *
 * <p>Spark 4 isolates each session's files: a query of a session ships to executors only the files
 * added under that session's state, into a folder named by the session's id under the executor's
 * files folder, while {@link SparkFiles#get} in a task thread looks in the files folder itself (it
 * knows the session only on the driver). So the file is added under the session's state, and the
 * copy is looked for in both folders.
 */
final class CheckpointRef implements Serializable {
    private static final long serialVersionUID = 1L;

    private final boolean shipped;
    private final String location;
    private final String session;

    private CheckpointRef(boolean shipped, String location, String session) {
        this.shipped = shipped;
        this.location = location;
        this.session = session;
    }

    /** {@code checkpoint} (a file, or a run directory's last.ckpt) made visible to executors. */
    static CheckpointRef share(SparkSession spark, Path checkpoint) {
        Path file = Checkpoint.file(checkpoint).toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "no checkpoint at "
                            + checkpoint
                            + ": pass a run directory or its last.ckpt (npid train writes them)");
        }
        if (spark.sparkContext().isLocal()) {
            return new CheckpointRef(false, file.toString(), null);
        }
        if (spark instanceof org.apache.spark.sql.classic.SparkSession classic) {
            JobArtifactState state = classic.artifactManager().state();
            JobArtifactSet.withActiveJobArtifactState(
                    state,
                    () -> {
                        spark.sparkContext().addFile(file.toString());
                        return null;
                    });
            return new CheckpointRef(true, file.getFileName().toString(), state.uuid());
        }
        spark.sparkContext().addFile(file.toString());
        String session = null;
        return new CheckpointRef(true, file.getFileName().toString(), session);
    }

    /** The checkpoint file on this executor. */
    String path() {
        if (!shipped) {
            return location;
        }
        Path plain = Path.of(SparkFiles.get(location));
        if (Files.isRegularFile(plain) || session == null) {
            return plain.toString();
        }
        Path isolated = Path.of(SparkFiles.getRootDirectory(), session, location);
        if (Files.isRegularFile(isolated)) {
            return isolated.toString();
        }
        String seen;
        try (var files = Files.walk(Path.of(SparkFiles.getRootDirectory()), 3)) {
            seen = files.map(Path::toString).toList().toString();
        } catch (java.io.IOException e) {
            seen = e.toString();
        }
        throw new IllegalStateException(
                seen
                        + " the checkpoint Spark shipped to this executor is neither at "
                        + plain
                        + " nor at "
                        + isolated
                        + ": check the executor's log for a failed fetch, or put the checkpoint"
                        + " on storage every executor reads (hdfs://, s3a://)");
    }
}
