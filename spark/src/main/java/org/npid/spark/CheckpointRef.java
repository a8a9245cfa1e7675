package org.npid.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import org.npid.checkpoint.Checkpoint;

/**
 * How executors find the checkpoint: embedded Spark reads the driver's file where it is; a cluster
 * gets a copy on every executor through {@code SparkContext.addFile}.
 */
final class CheckpointRef implements Serializable {
    private static final long serialVersionUID = 1L;

    private final boolean shipped;
    private final String location;

    private CheckpointRef(boolean shipped, String location) {
        this.shipped = shipped;
        this.location = location;
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
            return new CheckpointRef(false, file.toString());
        }
        spark.sparkContext().addFile(file.toString());
        return new CheckpointRef(true, file.getFileName().toString());
    }

    /** The checkpoint file on this executor. */
    String path() {
        return shipped ? SparkFiles.get(location) : location;
    }
}
