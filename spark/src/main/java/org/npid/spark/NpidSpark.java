package org.npid.spark;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.EvaluationConfig;
import org.npid.machine.RuntimeRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code npid-spark}: npid's embedding, kNN evaluation and neighbour search as Spark jobs, embedded
 * in this process by default ({@code local[*]}), or on a cluster with {@code --master} or {@code
 * spark-submit}.
 */
@Command(
        name = "npid-spark",
        mixinStandardHelpOptions = true,
        version = "npid-spark 0.1.0",
        description = {
            "npid's embed, kNN and neighbour jobs on Apache Spark: embedded (local[*]) unless"
                    + " --master or spark-submit says otherwise. Progress: the Spark UI (its address"
                    + " is logged at start) and a log line per stage."
        },
        subcommands = {
            NpidSpark.Embed.class,
            NpidSpark.Knn.class,
            NpidSpark.Neighbours.class,
            CommandLine.HelpCommand.class
        })
public final class NpidSpark implements Runnable {
    @Spec CommandSpec spec;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description =
                    "Spark master: local[N], spark://host:7077, yarn, k8s://… (default: the one"
                            + " spark-submit set, else local[*], every core of this machine).")
    String master;

    @Option(
            names = "--ui-port",
            defaultValue = "0",
            paramLabel = "PORT",
            description = "Port of the Spark UI (default 4040, or the next free one).")
    int uiPort;

    @Option(
            names = "--conf",
            paramLabel = "KEY=VALUE",
            description =
                    "A Spark setting, as spark-submit's --conf; repeatable. On a cluster whose"
                            + " executors lack npid's classes: spark.jars=… or"
                            + " spark.executor.extraClassPath=… (docs/GUIDE.md).")
    Map<String, String> conf = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns its exit code (used by tests). */
    public static int execute(String... args) {
        // The one runtime record: built and applied before any job touches a tensor.
        RuntimeRecord.fromEnvironment().apply();
        Locale.setDefault(Locale.ROOT);
        CommandLine cli =
                new CommandLine(new NpidSpark()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(
                (e, commandLine, parseResult) -> {
                    String m = e.getMessage() == null ? e.toString() : e.getMessage();
                    commandLine.getErr().println("npid-spark: " + m);
                    if (Boolean.getBoolean("npid.debug")) {
                        e.printStackTrace(commandLine.getErr());
                    }
                    return 1;
                });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --batch-size} of the jobs that run the network. */
    static final class Batch {
        @Option(
                names = "--batch-size",
                paramLabel = "N",
                defaultValue = "256",
                description = "Images per forward pass (default ${DEFAULT-VALUE}).")
        int size;
    }

    SparkSession open(String app) {
        return SparkRuntime.open(app, master, uiPort, conf);
    }

    @Command(
            name = "embed",
            mixinStandardHelpOptions = true,
            description = {
                "Embed every image under the folders (any Hadoop path; class folders give labels)"
                        + " with a trained checkpoint and the test transform of npid embed; write a"
                        + " Parquet table (path, label, class, vector), and a .npy and .tsv beside"
                        + " it when the result fits on this machine."
            })
    static final class Embed implements Callable<Integer> {
        @ParentCommand NpidSpark parent;
        @Spec CommandSpec spec;

        @Option(
                names = "--data",
                required = true,
                arity = "1..*",
                paramLabel = "FOLDER",
                description = "Folders of images (root/<class>/*.jpg or root/*.jpg); repeatable.")
        List<String> data;

        @Option(
                names = "--checkpoint",
                required = true,
                paramLabel = "FILE",
                description = "last.ckpt or its run directory.")
        Path checkpoint;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "The Parquet table to write; never an input folder or one above it.")
        String out;

        @Option(
                names = "--overwrite",
                description =
                        "Replace an earlier output of npid-spark at OUT (one with _SUCCESS), and"
                                + " files beside it that npid did not write.")
        boolean overwrite;

        @Mixin Batch batch;

        @Option(
                names = "--npy",
                defaultValue = "auto",
                description =
                        "auto, always or never: also write OUT.npy and OUT.tsv (auto: when the"
                                + " table is on this machine and fits a quarter of the heap).")
        LocalCopy.Mode npy;

        @Override
        public Integer call() throws java.io.IOException {
            try (SparkSession spark = parent.open("embed")) {
                EmbedJob.Result r =
                        EmbedJob.run(spark, data, checkpoint, out, batch.size, npy, overwrite);
                spec.commandLine()
                        .getOut()
                        .printf(
                                "embedded %d images (d=%d) in %.1f s, %.0f images/s; %d corrupt"
                                        + " skipped%nwrote %s%s%n",
                                r.rows(),
                                r.dim(),
                                r.seconds(),
                                r.imagesPerSecond(),
                                r.corrupt(),
                                r.parquet(),
                                r.npy() == null ? "" : " and " + r.npy());
            }
            return 0;
        }
    }

    @Command(
            name = "knn",
            mixinStandardHelpOptions = true,
            description = {
                "Weighted kNN top-1 of a test set against a training set (Parquet tables from"
                        + " embed, or image folders with --checkpoint), exact."
            })
    static final class Knn implements Callable<Integer> {
        @ParentCommand NpidSpark parent;
        @Spec CommandSpec spec;

        @Option(names = "--train", required = true, paramLabel = "TABLE|FOLDER")
        String train;

        @Option(names = "--test", required = true, paramLabel = "TABLE|FOLDER")
        String test;

        @Option(
                names = "--checkpoint",
                paramLabel = "FILE",
                description = "Embeds image folders; gives k and τ defaults.")
        Path checkpoint;

        @Option(
                names = "--k",
                description = "Neighbours that vote (default: the run's evaluation.k, else 200).")
        Integer k;

        @Option(
                names = "--temperature",
                description =
                        "Vote weight exp(s/τ) (default: the run's evaluation.temperature, else 0.07).")
        Float temperature;

        @Mixin Batch batch;

        @Override
        public Integer call() throws java.io.IOException {
            EvaluationConfig eval =
                    checkpoint == null ? null : Checkpoint.readConfig(checkpoint).evaluation();
            int kk = k != null ? k : eval != null ? eval.k() : 200;
            float tau =
                    temperature != null ? temperature : eval != null ? eval.temperature() : 0.07f;
            try (SparkSession spark = parent.open("knn")) {
                KnnJob.Result r = KnnJob.run(spark, train, test, checkpoint, kk, tau, batch.size);
                spec.commandLine()
                        .getOut()
                        .printf(
                                "kNN (k=%d, τ=%s) over %d test rows against %d: top-1 %.2f %%, top-5"
                                        + " %.2f %%, nearest neighbour %.2f %%, %.1f s%n",
                                r.k(),
                                r.temperature(),
                                r.queries(),
                                r.base(),
                                100 * r.top1(),
                                100 * r.top5(),
                                100 * r.nn1(),
                                r.seconds());
            }
            return 0;
        }
    }

    @Command(
            name = "neighbours",
            mixinStandardHelpOptions = true,
            description = {
                "Every image's k nearest other images (exact, blocked all-pairs join; approximate"
                        + " with --cells and --probes) as a Parquet"
                        + " table (id, path, neighbours, scores), plus the text table npid train"
                        + " reads (objective.neighbour_table) when it fits on this machine."
            })
    static final class Neighbours implements Callable<Integer> {
        @ParentCommand NpidSpark parent;
        @Spec CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "TABLE|FOLDER")
        String data;

        @Option(
                names = "--checkpoint",
                paramLabel = "FILE",
                description = "Embeds an image folder.")
        Path checkpoint;

        @Option(
                names = "--k",
                defaultValue = "20",
                description = "Neighbours per image (default ${DEFAULT-VALUE}).")
        int k;

        @Option(names = "--out", required = true, paramLabel = "DIR")
        String out;

        @Option(
                names = "--overwrite",
                description =
                        "Replace an earlier output of npid-spark at OUT (one with _SUCCESS), and"
                                + " files beside it that npid did not write.")
        boolean overwrite;

        @Mixin Batch batch;

        @Option(
                names = "--block-rows",
                defaultValue = "65536",
                description =
                        "Most rows of the base a task holds at once (about 512 bytes each at d ="
                                + " 128): bounds each task's memory (default ${DEFAULT-VALUE}).")
        int blockRows;

        @Option(
                names = "--table",
                defaultValue = "auto",
                description =
                        "auto, always or never: also write OUT.neighbours.tsv for npid train.")
        LocalCopy.Mode table;

        @Option(
                names = "--cells",
                defaultValue = "0",
                paramLabel = "C",
                description =
                        "Approximate: k-means cells (about √n); each image is compared only with"
                                + " the images of its --probes nearest cells (default 0: exact,"
                                + " every pair).")
        int cells;

        @Option(
                names = "--probes",
                defaultValue = "0",
                paramLabel = "P",
                description = "Cells each image searches, 1 to C; P = C is exact (default: C/8).")
        int probes;

        @Option(
                names = "--seed",
                defaultValue = "1",
                description = "Seeds the k-means sample (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws java.io.IOException {
            if (cells == 0 && probes != 0) {
                throw new IllegalArgumentException(
                        "--probes needs --cells: pass --cells C (about the square root of the"
                                + " number of images) as well, or neither for the exact search");
            }
            CellSearch.Settings approximate =
                    cells == 0
                            ? null
                            : new CellSearch.Settings(
                                    cells, probes == 0 ? Math.max(1, cells / 8) : probes, seed);
            try (SparkSession spark = parent.open("neighbours")) {
                NeighboursJob.Result r =
                        NeighboursJob.run(
                                spark,
                                data,
                                checkpoint,
                                k,
                                out,
                                batch.size,
                                blockRows,
                                table,
                                overwrite,
                                approximate);
                spec.commandLine()
                        .getOut()
                        .printf(
                                "found the %d nearest neighbours of %d images in %.1f s%nwrote %s%s%n",
                                r.k(),
                                r.rows(),
                                r.seconds(),
                                r.parquet(),
                                r.table() == null ? "" : " and " + r.table());
            }
            return 0;
        }
    }
}
