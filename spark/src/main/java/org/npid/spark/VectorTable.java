package org.npid.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * A table of embeddings the kNN and neighbour jobs search: an {@code npid-spark embed} Parquet
 * table, or a folder of images embedded on the fly with a checkpoint. Rows are numbered by path
 * order, so ids are the same on every run over the same images.
 */
final class VectorTable implements AutoCloseable {
    private final Dataset<Row> rows;
    private final JavaPairRDD<Row, Long> numbered;

    private VectorTable(Dataset<Row> rows) {
        this.rows = rows;
        SparkRuntime.step(rows.sparkSession(), "number the rows in path order");
        this.numbered =
                rows.select("path", "class", "vector")
                        .orderBy("path")
                        .javaRDD()
                        .zipWithIndex()
                        .persist(StorageLevel.MEMORY_AND_DISK());
    }

    /**
     * {@code input}: a finished Parquet table (its {@code _SUCCESS} marker present), or a folder of
     * images, embedded with {@code checkpoint} (which must then be given).
     */
    static VectorTable open(SparkSession spark, String input, Path checkpoint, int batchSize) {
        if (isTable(spark, input)) {
            OutputDir.requireFinished(spark, input);
            return new VectorTable(spark.read().parquet(input));
        }
        if (checkpoint == null) {
            throw new IllegalArgumentException(
                    input
                            + " is a folder of images: pass --checkpoint to embed them, or give the"
                            + " Parquet table npid-spark embed wrote");
        }
        Dataset<Row> embedded =
                EmbedJob.embed(spark, List.of(input), checkpoint, batchSize)
                        .table()
                        .persist(StorageLevel.MEMORY_AND_DISK());
        return new VectorTable(embedded);
    }

    /** A folder holding Parquet files or Spark's marker is a table (finished or not). */
    private static boolean isTable(SparkSession spark, String input) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(input);
        try {
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) {
                throw new IllegalArgumentException(input + " does not exist: check the path");
            }
            if (!fs.getFileStatus(p).isDirectory()) {
                return p.getName().endsWith(".parquet");
            }
            for (FileStatus f : fs.listStatus(p)) {
                String name = f.getPath().getName();
                if (name.equals(OutputDir.SUCCESS) || name.endsWith(".parquet")) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + input + ": " + e.getMessage(), e);
        }
    }

    /** The classes named in the table, in name order. */
    List<String> classNames() {
        List<String> names =
                new ArrayList<>(
                        rows.select("class")
                                .distinct()
                                .as(org.apache.spark.sql.Encoders.STRING())
                                .collectAsList());
        names.remove("");
        Collections.sort(names);
        return names;
    }

    /** The rows with their ids, labelled by their class's place in {@code classes} (-1: none). */
    JavaRDD<VectorRow> vectors(List<String> classes) {
        return numbered.map(
                t -> {
                    Row r = t._1();
                    int label = Collections.binarySearch(classes, r.getString(1));
                    List<Float> v = r.getList(2);
                    float[] vector = new float[v.size()];
                    for (int i = 0; i < vector.length; i++) {
                        vector[i] = v.get(i);
                    }
                    return new VectorRow(t._2(), Math.max(label, -1), vector);
                });
    }

    /** Each row's id and path. */
    JavaPairRDD<Long, String> paths() {
        return numbered.mapToPair(t -> new scala.Tuple2<>(t._2(), t._1().getString(0)));
    }

    @Override
    public void close() {
        numbered.unpersist(false);
        rows.unpersist(false);
    }
}
