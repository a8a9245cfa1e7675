package org.npid.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code npid-spark neighbours}: every image's k nearest other images across the whole set (cosine
 * of the embeddings, exact, by the blocked all-pairs join), as a Parquet table of {@code id},
 * {@code path}, {@code neighbours} (ids, best first) and {@code scores}; ids number the images in
 * path order. When it fits on this machine, also the text table that {@code npid train} reads as
 * its neighbourhood loss's neighbours ({@code objective.neighbour_table}).
 */
public final class NeighboursJob {
    private static final Logger LOG = LoggerFactory.getLogger(NeighboursJob.class);

    /** The table's columns. */
    public static final StructType SCHEMA =
            new StructType()
                    .add("id", DataTypes.LongType, false)
                    .add("path", DataTypes.StringType, false)
                    .add("neighbours", DataTypes.createArrayType(DataTypes.LongType, false), false)
                    .add("scores", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** What a run wrote. */
    public record Result(long rows, int k, double seconds, String parquet, Path table) {}

    private NeighboursJob() {}

    /**
     * Finds the {@code k} nearest neighbours of every row of {@code input} (a Parquet table, or a
     * folder of images embedded with {@code checkpoint}) and writes them to {@code out}.
     */
    public static Result run(
            SparkSession spark,
            String input,
            Path checkpoint,
            int k,
            String out,
            int batchSize,
            int blockRows,
            LocalCopy.Mode text) {
        return run(spark, input, checkpoint, k, out, batchSize, blockRows, text, false);
    }

    /** As above; {@code overwrite} lets an earlier output of ours at {@code out} be replaced. */
    public static Result run(
            SparkSession spark,
            String input,
            Path checkpoint,
            int k,
            String out,
            int batchSize,
            int blockRows,
            LocalCopy.Mode text,
            boolean overwrite) {
        return run(spark, input, checkpoint, k, out, batchSize, blockRows, text, overwrite, null);
    }

    /**
     * As above; {@code cells}, when not null, searches each row's nearest k-means cells only
     * (approximate) instead of every row.
     */
    public static Result run(
            SparkSession spark,
            String input,
            Path checkpoint,
            int k,
            String out,
            int batchSize,
            int blockRows,
            LocalCopy.Mode text,
            boolean overwrite,
            CellSearch.Settings cells) {
        OutputDir.checkTarget(spark, out, List.of(input), overwrite);
        if (text != LocalCopy.Mode.NEVER) {
            LocalCopy.checkBeside(beside(out), List.of(input), overwrite, "--table");
        }
        long t0 = System.nanoTime();
        spark.sparkContext().setJobDescription("npid neighbours: " + input + " to " + out);
        try (VectorTable table = VectorTable.open(spark, input, checkpoint, batchSize)) {
            JavaRDD<VectorRow> rows = table.vectors(List.of());
            int threads = SparkRuntime.threadsPerTask(spark);
            if (cells != null) {
                JavaPairRDD<Long, Tuple2<long[], float[]>> lists =
                        CellSearch.search(rows, k, cells, threads)
                                .mapToPair(
                                        t ->
                                                new Tuple2<>(
                                                        t._1(),
                                                        new Tuple2<>(
                                                                t._2().ids(), t._2().scores())));
                write(spark, table, lists, input, out, overwrite);
            } else {
                try (BlockedTopK.Search search =
                        BlockedTopK.search(rows, rows, k, true, blockRows, threads)) {
                    write(
                            spark,
                            table,
                            search.lists().flatMapToPair(t -> perQuery(t._2())),
                            input,
                            out,
                            overwrite);
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        SparkRuntime.step(spark, "count the rows written");
        Dataset<Row> written = spark.read().parquet(out);
        long n = written.count();
        if (cells != null) {
            long shortLists =
                    written.where(
                                    org.apache
                                            .spark
                                            .sql
                                            .functions
                                            .size(written.col("neighbours"))
                                            .lt(Math.min(k, n - 1)))
                            .count();
            if (shortLists > 0) {
                LOG.warn(
                        "{} of {} images have fewer than {} neighbours: their {} probed cells hold"
                                + " too few images; raise --probes or lower --cells",
                        shortLists,
                        n,
                        k,
                        cells.probes());
            }
        }
        Path tsv = writeTable(written, out, n, k, text, input, overwrite);
        LOG.info(
                "found {} neighbours of each of {} images in {} s",
                k,
                n,
                String.format("%.1f", seconds));
        return new Result(n, k, seconds, out, tsv);
    }

    /** Each row's list joined with its path, in id order, written whole to {@code out}. */
    private static void write(
            SparkSession spark,
            VectorTable table,
            JavaPairRDD<Long, Tuple2<long[], float[]>> lists,
            String input,
            String out,
            boolean overwrite) {
        JavaRDD<Row> found =
                lists.join(table.paths())
                        .map(
                                t ->
                                        RowFactory.create(
                                                t._1(),
                                                t._2()._2(),
                                                t._2()._1()._1(),
                                                t._2()._1()._2()));
        SparkRuntime.step(spark, "search, merge, write " + out);
        Dataset<Row> result = spark.createDataFrame(found, SCHEMA).orderBy("id");
        OutputDir.replace(
                spark,
                out,
                List.of(input),
                overwrite,
                tmp -> result.write().mode(SaveMode.ErrorIfExists).parquet(tmp));
    }

    private static Iterator<Tuple2<Long, Tuple2<long[], float[]>>> perQuery(Candidates c) {
        List<Tuple2<Long, Tuple2<long[], float[]>>> out = new ArrayList<>(c.queries());
        for (int q = 0; q < c.queries(); q++) {
            int n = c.found(q);
            long[] ids = new long[n];
            float[] scores = new float[n];
            System.arraycopy(c.ids, q * c.k, ids, 0, n);
            System.arraycopy(c.scores, q * c.k, scores, 0, n);
            out.add(new Tuple2<>(c.queryIds[q], new Tuple2<>(ids, scores)));
        }
        return out.iterator();
    }

    /** The first line of the text table. */
    static final String TABLE_HEAD = "id\tsource\tneighbours\n";

    /** The text table written beside table {@code out} (on this machine), or none. */
    static List<LocalCopy.Beside> beside(String out) {
        Path local = LocalCopy.local(out);
        return local == null
                ? List.of()
                : List.of(new LocalCopy.Beside(tableOf(local), TABLE_HEAD));
    }

    /** Where the text table of table {@code out} goes: beside it, {@code .parquet} dropped. */
    static Path tableOf(Path out) {
        Path npy = NpyExport.npyOf(out);
        String name = npy.getFileName().toString();
        return npy.resolveSibling(name.substring(0, name.length() - 4) + ".neighbours.tsv");
    }

    /**
     * The neighbours as {@code npid train} reads them: a line per image, {@code id}, its file and
     * its neighbours' ids, comma-separated, best first.
     */
    private static Path writeTable(
            Dataset<Row> table,
            String out,
            long rows,
            int k,
            LocalCopy.Mode mode,
            String input,
            boolean overwrite) {
        Path local = LocalCopy.target(out, rows * k * 8L, mode, "OUT.neighbours.tsv", "--table");
        if (local == null) {
            return null;
        }
        LocalCopy.checkBeside(beside(out), List.of(input), overwrite, "--table");
        SparkRuntime.step(table.sparkSession(), "gather the rows for the text table");
        Path file = tableOf(local);
        LocalCopy.writeText(
                file,
                w -> {
                    w.write(TABLE_HEAD);
                    Iterator<Row> it = table.orderBy("id").toLocalIterator();
                    while (it.hasNext()) {
                        Row r = it.next();
                        w.write(r.getLong(0) + "\t" + LocalCopy.localPath(r.getString(1)) + "\t");
                        List<Long> nb = r.getList(2);
                        for (int j = 0; j < nb.size(); j++) {
                            w.write(j == 0 ? "" : ",");
                            w.write(Long.toString(nb.get(j)));
                        }
                        w.write("\n");
                    }
                });
        return file;
    }
}
