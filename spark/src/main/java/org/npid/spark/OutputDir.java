package org.npid.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * An output folder that appears whole or not at all. A job writes into a hidden sibling (Spark
 * readers skip names that start with a dot), and only a finished write, with Spark's {@code
 * _SUCCESS} marker in it, is renamed into place; a failed write leaves what was there whole, and a
 * reader that finds {@code _SUCCESS} knows the folder is complete. Only an earlier output of ours
 * (a folder with {@code _SUCCESS}) is ever replaced, and only when asked to: the target may be a
 * user's folder, a file, or the images being read, and a delete cannot be undone.
 */
final class OutputDir {
    /** The marker Spark's committer writes last into a finished output folder. */
    static final String SUCCESS = "_SUCCESS";

    private OutputDir() {}

    /**
     * Runs {@code write} into a temporary folder, then moves it to {@code out}, which must not
     * exist.
     */
    static void replace(SparkSession spark, String out, Consumer<String> write) {
        replace(spark, out, List.of(), false, write);
    }

    /**
     * Refuses {@code out} before any work is done: when it is one of {@code inputs} or a folder
     * above one, when it exists and is not an earlier output of ours, or when it is one and {@code
     * overwrite} is false.
     */
    static void checkTarget(
            SparkSession spark, String out, List<String> inputs, boolean overwrite) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            Path target = qualified(new Path(out), conf);
            for (String input : inputs) {
                Path in = qualified(new Path(input), conf);
                for (Path p = in; p != null; p = p.getParent()) {
                    if (p.equals(target)) {
                        throw new IllegalArgumentException(
                                "--out "
                                        + out
                                        + " holds the input "
                                        + input
                                        + ", which writing it would delete: choose an --out"
                                        + " outside the input folders");
                    }
                }
                for (Path p = target.getParent(); p != null; p = p.getParent()) {
                    if (p.equals(in)) {
                        throw new IllegalArgumentException(
                                "--out "
                                        + out
                                        + " is inside the input "
                                        + input
                                        + ": the output would be written among the data (and a"
                                        + " later run would find it there); choose an --out"
                                        + " outside the input folders");
                    }
                }
            }
            FileSystem fs = target.getFileSystem(conf);
            if (!fs.exists(target)) {
                return;
            }
            if (fs.getFileStatus(target).isFile() || !fs.exists(new Path(target, SUCCESS))) {
                throw new IllegalArgumentException(
                        "--out "
                                + out
                                + " exists and is not an output of npid-spark (no "
                                + SUCCESS
                                + " marker in it), so it is left alone: choose another --out,"
                                + " or move it away yourself");
            }
            if (!overwrite) {
                throw new IllegalArgumentException(
                        "--out "
                                + out
                                + " holds an earlier output: pass --overwrite to replace it, or"
                                + " choose another --out");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + out + ": " + e.getMessage(), e);
        }
    }

    private static Path qualified(Path p, Configuration conf) throws IOException {
        return p.getFileSystem(conf).makeQualified(p);
    }

    /**
     * Runs {@code write} into a temporary folder, then moves it to {@code out}, after {@link
     * #checkTarget} has allowed it (checked again here: the folder may have changed meanwhile).
     */
    static void replace(
            SparkSession spark,
            String out,
            List<String> inputs,
            boolean overwrite,
            Consumer<String> write) {
        checkTarget(spark, out, inputs, overwrite);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path target = new Path(out);
        try {
            FileSystem fs = target.getFileSystem(conf);
            target = fs.makeQualified(target);
            Path parent = target.getParent();
            if (parent != null && !fs.exists(parent)) {
                throw new IllegalArgumentException(
                        "--out " + out + ": the folder " + parent + " does not exist; create it");
            }
            Path tmp = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
            try {
                write.accept(tmp.toString());
                if (!fs.exists(new Path(tmp, SUCCESS))) {
                    throw new IllegalStateException(
                            "the write to "
                                    + tmp
                                    + " ended without Spark's "
                                    + SUCCESS
                                    + " marker");
                }
                checkTarget(spark, out, inputs, overwrite);
                if (fs.exists(target) && !fs.delete(target, true)) {
                    throw new IOException("cannot remove the previous " + target);
                }
                if (!fs.rename(tmp, target)) {
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            } finally {
                if (fs.exists(tmp)) {
                    fs.delete(tmp, true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a folder that a job did not finish writing: no {@code _SUCCESS} means a write that
     * was interrupted, or a folder some other tool made. A single file is accepted as it is.
     */
    static void requireFinished(SparkSession spark, String dir) {
        Path path = new Path(dir);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(path)) {
                throw new IllegalArgumentException(dir + " does not exist: check the path");
            }
            if (fs.getFileStatus(path).isFile()) {
                // A single Parquet file comes from another tool: there is no marker to look for.
                return;
            }
            if (!fs.exists(new Path(path, SUCCESS))) {
                throw new IllegalArgumentException(
                        dir
                                + " has no "
                                + SUCCESS
                                + " marker, so the job that wrote it did not finish: run it"
                                + " again");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }
}
