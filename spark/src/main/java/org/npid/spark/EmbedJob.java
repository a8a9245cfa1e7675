package org.npid.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.npid.data.EncodedImages;
import org.npid.eval.TrainedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code npid-spark embed}: every image under some folders embedded by a trained network, with the
 * same test transform as {@code npid embed}, into a Parquet table of {@code path}, {@code label},
 * {@code class} and {@code vector}. Each executor loads the network once; each task embeds its
 * images in batches.
 */
public final class EmbedJob {
    private static final Logger LOG = LoggerFactory.getLogger(EmbedJob.class);

    /** The table's columns. */
    public static final StructType SCHEMA =
            new StructType()
                    .add("path", DataTypes.StringType, false)
                    .add("label", DataTypes.IntegerType, false)
                    .add("class", DataTypes.StringType, false)
                    .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** Corrupt images named in the driver's log; the rest are only counted there. */
    private static final int NAMED = 20;

    /** What a run wrote. */
    public record Result(
            long rows, long corrupt, int dim, double seconds, String parquet, Path npy) {
        public double imagesPerSecond() {
            return (rows + corrupt) / seconds;
        }
    }

    /** The images' embeddings, still to be computed, and the counters the computation fills. */
    public record Embedded(
            Dataset<Row> table, LongAccumulator corrupt, CollectionAccumulator<String> named) {}

    private EmbedJob() {}

    /**
     * Embeds every image under {@code inputs} with {@code checkpoint}'s network, {@code batchSize}
     * images per forward pass. Lazy: nothing runs until the table is used.
     */
    public static Embedded embed(
            SparkSession spark, List<String> inputs, Path checkpoint, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        ImageInput images = ImageInput.of(spark, inputs);
        CheckpointRef ref = CheckpointRef.share(spark, checkpoint);
        // Spark lists the folders when the files are read: once, for the classes and the embedding.
        Dataset<Row> files = images.files(spark);
        List<String> classes = images.classNames(spark, files);
        LongAccumulator corrupt = spark.sparkContext().longAccumulator("corrupt images");
        CollectionAccumulator<String> named =
                spark.sparkContext().collectionAccumulator("corrupt image paths");
        Partition embed =
                new Partition(
                        images,
                        classes,
                        ref,
                        batchSize,
                        SparkRuntime.threadsPerTask(spark),
                        corrupt,
                        named);
        Dataset<Row> table =
                files.select("path", "content").mapPartitions(embed, Encoders.row(SCHEMA));
        return new Embedded(table, corrupt, named);
    }

    /**
     * Embeds and writes the Parquet table to {@code out} (replacing it whole), and, when {@code
     * npy} allows, the same rows in path order as {@code .npy} plus a {@code .tsv} sidecar beside
     * it.
     */
    public static Result run(
            SparkSession spark,
            List<String> inputs,
            Path checkpoint,
            String out,
            int batchSize,
            LocalCopy.Mode npy) {
        return run(spark, inputs, checkpoint, out, batchSize, npy, false);
    }

    /** As above; {@code overwrite} lets an earlier output of ours at {@code out} be replaced. */
    public static Result run(
            SparkSession spark,
            List<String> inputs,
            Path checkpoint,
            String out,
            int batchSize,
            LocalCopy.Mode npy,
            boolean overwrite) {
        OutputDir.checkTarget(spark, out, inputs, overwrite);
        if (npy != LocalCopy.Mode.NEVER) {
            LocalCopy.checkBeside(NpyExport.beside(out), inputs, overwrite, "--npy");
        }
        long t0 = System.nanoTime();
        Embedded e = embed(spark, inputs, checkpoint, batchSize);
        spark.sparkContext().setJobDescription("npid embed: images to " + out);
        SparkRuntime.step(spark, "embed the images, write " + out);
        OutputDir.replace(
                spark,
                out,
                inputs,
                overwrite,
                tmp -> e.table().write().mode(SaveMode.ErrorIfExists).parquet(tmp));
        double seconds = (System.nanoTime() - t0) / 1e9;
        long corrupt = e.corrupt().value();
        if (corrupt > 0) {
            List<String> paths = e.named().value();
            LOG.warn(
                    "skipped {} corrupt images (not JPEG or PNG, or truncated), among them: {}",
                    corrupt,
                    paths.subList(0, Math.min(NAMED, paths.size())));
        }
        SparkRuntime.step(spark, "count the rows written");
        Dataset<Row> written = spark.read().parquet(out);
        long rows = written.count();
        int dim = rows == 0 ? 0 : written.select("vector").first().getList(0).size();
        Path npyFile = NpyExport.write(spark, written, out, rows, dim, npy, inputs, overwrite);
        LOG.info(
                "embedded {} images (d = {}) in {} s, {} images/s; {} corrupt skipped",
                rows,
                dim,
                String.format("%.1f", seconds),
                String.format("%.0f", (rows + corrupt) / seconds),
                corrupt);
        return new Result(rows, corrupt, dim, seconds, out, npyFile);
    }

    /** One task's images, embedded a batch at a time. */
    static final class Partition implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;

        private final ImageInput images;
        private final List<String> classes;
        private final CheckpointRef checkpoint;
        private final int batchSize;
        private final int threads;
        private final LongAccumulator corrupt;
        private final CollectionAccumulator<String> named;

        Partition(
                ImageInput images,
                List<String> classes,
                CheckpointRef checkpoint,
                int batchSize,
                int threads,
                LongAccumulator corrupt,
                CollectionAccumulator<String> named) {
            this.images = images;
            this.classes = classes;
            this.checkpoint = checkpoint;
            this.batchSize = batchSize;
            this.threads = threads;
            this.corrupt = corrupt;
            this.named = named;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> files) {
            TrainedModel model = ExecutorModels.get(checkpoint.path(), threads);
            int channels = model.network().config().inChannels();
            return new Iterator<>() {
                private Iterator<Row> batch = List.<Row>of().iterator();

                @Override
                public boolean hasNext() {
                    while (!batch.hasNext() && files.hasNext()) {
                        batch = embedBatch(files, model, channels).iterator();
                    }
                    return batch.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return batch.next();
                }
            };
        }

        private List<Row> embedBatch(Iterator<Row> files, TrainedModel model, int channels) {
            List<String> paths = new ArrayList<>(batchSize);
            List<byte[]> bytes = new ArrayList<>(batchSize);
            while (paths.size() < batchSize && files.hasNext()) {
                Row r = files.next();
                paths.add(r.getString(0));
                bytes.add((byte[]) r.get(1));
            }
            int[] labels = new int[paths.size()];
            for (int i = 0; i < labels.length; i++) {
                int found = Collections.binarySearch(classes, images.classOf(paths.get(i)));
                labels[i] = found < 0 ? -1 : found;
            }
            EncodedImages batch =
                    EncodedImages.decode(
                            paths,
                            bytes,
                            labels,
                            classes,
                            channels,
                            (path, error) -> {
                                LOG.warn("skipping {}: {}", path, error.getMessage());
                                corrupt.add(1);
                                named.add(path);
                            });
            List<Row> out = new ArrayList<>(batch.size());
            if (batch.size() == 0) {
                return out;
            }
            float[] v = model.embed(batch, batch.size(), 0);
            int d = v.length / batch.size();
            for (int i = 0; i < batch.size(); i++) {
                float[] row = new float[d];
                System.arraycopy(v, i * d, row, 0, d);
                int label = batch.label(i);
                out.add(
                        RowFactory.create(
                                batch.source(i), label, label < 0 ? "" : classes.get(label), row));
            }
            return out;
        }
    }
}
