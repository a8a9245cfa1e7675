package org.npid.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The images under one or more folders on any Hadoop file system, read with Spark's {@code
 * binaryFile} source, and their classes: as in {@code npid}'s image folders, an image's class is
 * the first folder below the input folder it was found in ({@code root/<class>/…}), and labels
 * number the classes of all inputs in name order. Images directly in an input folder have no label
 * (-1).
 */
final class ImageInput implements Serializable {
    private static final long serialVersionUID = 1L;

    /** File names {@code npid}'s image folders read. */
    static final String IMAGE_GLOB =
            "*.{jpg,jpeg,png,bmp,gif,webp,tif,tiff,JPG,JPEG,PNG,BMP,GIF,WEBP,TIF,TIFF}";

    private final List<String> roots;

    private ImageInput(List<String> roots) {
        this.roots = roots;
    }

    /** The folders {@code inputs}, each checked to exist. */
    static ImageInput of(SparkSession spark, List<String> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("give at least one folder of images");
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<String> roots = new ArrayList<>();
        for (String input : inputs) {
            Path p = new Path(input);
            try {
                FileSystem fs = p.getFileSystem(conf);
                if (!fs.exists(p)) {
                    throw new IllegalArgumentException(
                            "no folder at "
                                    + input
                                    + ": give a folder of images (root/<class>/*.jpg or"
                                    + " root/*.jpg), on any file system Hadoop reads");
                }
                roots.add(fs.makeQualified(p).toString());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + input + ": " + e.getMessage(), e);
            }
        }
        return new ImageInput(List.copyOf(roots));
    }

    /**
     * Every image: the columns {@code path}, {@code modificationTime}, {@code length}, {@code
     * content}.
     */
    Dataset<Row> files(SparkSession spark) {
        return spark.read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .option("pathGlobFilter", IMAGE_GLOB)
                .load(roots.toArray(String[]::new));
    }

    /** The class of the image at {@code path} (as Spark names it), or "" when it has none. */
    String classOf(String path) {
        for (String root : roots) {
            String prefix = root.endsWith("/") ? root : root + "/";
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                return slash < 0 ? "" : rest.substring(0, slash);
            }
        }
        return "";
    }

    /**
     * The classes of the images in {@code files} (this input's {@link #files}), in name order:
     * label i is class i.
     */
    List<String> classNames(SparkSession spark, Dataset<Row> files) {
        ImageInput self = this;
        SparkRuntime.step(spark, "list the images and their classes");
        List<String> names =
                new ArrayList<>(
                        files.select("path")
                                .map(
                                        (MapFunction<Row, String>)
                                                r -> self.classOf(r.getString(0)),
                                        Encoders.STRING())
                                .distinct()
                                .collectAsList());
        names.remove("");
        names.sort(null);
        return List.copyOf(names);
    }
}
