package org.npid.cli;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.train.EpochMetrics;
import org.npid.train.NpidTraining;
import org.npid.train.TrainResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid train}: resolve the config, print it, train, print kNN before/after. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train NPID on a folder of images, CIFAR-10 binaries or IDX files (MNIST,"
                    + " Fashion-MNIST). Labels are never used for training; when the data has"
                    + " them, weighted kNN accuracy is reported after every epoch.",
            "",
            "Settings come from the defaults, then --recipe or --config (YAML, snake_case keys),"
                    + " then the flags below, then --set key=value. Every key is listed in the"
                    + " README's configuration reference. Without --recipe or --config, IDX data"
                    + " (MNIST, Fashion-MNIST) trains with fmnist-short and CIFAR-10 binaries with"
                    + " cifar-short.",
            "Ctrl-C finishes the current step, saves a checkpoint and exits; --resume continues."
        })
final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "Training images: an image folder (root/<class>/*.jpg, or root/train and"
                            + " root/test), a CIFAR-10 binary folder, or an IDX folder.")
    String data;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "A YAML config file.")
    Path config;

    @Option(
            names = "--recipe",
            paramLabel = "NAME",
            description = "A bundled recipe: ${COMPLETION-CANDIDATES}.")
    Recipe recipe;

    @Option(
            names = "--run-dir",
            paramLabel = "DIR",
            description = "Where checkpoints and metrics go.")
    String runDir;

    @Option(names = "--epochs", paramLabel = "N")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "RATE")
    Double lr;

    @Option(names = "--objective", paramLabel = "NAME", description = "softmax (exact) or nce.")
    String objective;

    @Option(names = "--seed", paramLabel = "N")
    Long seed;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Native threads for the step (default: all cores).")
    Integer threads;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Any config key, e.g. --set temperature=0.1 --set flip=true.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--resume", description = "Continue from RUN_DIR/last.ckpt.")
    boolean resume;

    @Option(names = "--quiet", description = "No progress bar; epoch lines only.")
    boolean quiet;

    /** Recipes bundled in the jar under recipes/NAME.yaml. */
    enum Recipe {
        fmnist_short("fmnist-short"),
        cifar_short("cifar-short"),
        paper_cifar("paper-cifar"),
        paper_cifar_nce("paper-cifar-nce"),
        paper("paper");

        final String file;

        Recipe(String file) {
            this.file = file;
        }

        @Override
        public String toString() {
            return file;
        }

        /**
         * The recipe for data given without --recipe or --config: the short recipe measured on that
         * kind of small image (docs/RESULTS.md), or none for image folders, whose image sizes are
         * not known before they are read.
         */
        static Recipe forData(String data) {
            if (data == null) {
                return null;
            }
            return switch (Datasets.format(Path.of(data))) {
                case IDX -> fmnist_short;
                case CIFAR_BINARY -> cifar_short;
                case IMAGE_FOLDER -> null;
            };
        }
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, "data", data);
        put(overrides, "run_dir", runDir);
        put(overrides, "epochs", epochs);
        put(overrides, "batch_size", batchSize);
        put(overrides, "lr", lr);
        put(overrides, "objective", objective);
        put(overrides, "seed", seed);
        put(overrides, "threads", threads);
        overrides.putAll(set);
        TrainConfig cfg;
        if (recipe != null && config != null) {
            throw new IllegalArgumentException("give --recipe or --config, not both");
        }
        Recipe chosen = recipe != null ? recipe : config == null ? Recipe.forData(data) : null;
        if (resume && config == null && recipe == null) {
            Path dir = Path.of(runDir != null ? runDir : TrainConfig.defaults().runDir());
            Path file = dir.resolve(Checkpoint.FILE);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(
                        "--resume: no checkpoint at " + file + "; run without --resume to start");
            }
            cfg = withOverrides(Checkpoint.readConfig(file), overrides);
        } else if (chosen != null) {
            if (recipe == null) {
                spec.commandLine()
                        .getOut()
                        .println(
                                "# no --recipe or --config: the "
                                        + chosen
                                        + " recipe, measured best on this kind of data (--recipe"
                                        + " or --config to choose another)");
            }
            try (InputStream in =
                    TrainCommand.class.getResourceAsStream("/recipes/" + chosen.file + ".yaml")) {
                cfg = TrainConfig.resolve(in, overrides);
            }
        } else {
            cfg = TrainConfig.resolve(config, overrides);
        }
        Threads.configure(cfg.threads());
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        out.println("# resolved config");
        out.print(cfg.toYaml());
        out.flush();
        ProgressBar progress = new ProgressBar(out, err, cfg.epochs(), cfg.batchSize(), quiet);
        StopSignal.install(progress::requestStop);
        TrainResult result = NpidTraining.run(cfg, resume, progress);
        if (!result.history().isEmpty()) {
            EpochMetrics first = result.history().get(0);
            EpochMetrics last = result.last();
            if (!Double.isNaN(last.recomputedTop1())) {
                out.printf(
                        "kNN top-1 (recomputed %s features): %s -> %.2f%%%n",
                        cfg.evaluation().features().name().toLowerCase(java.util.Locale.ROOT),
                        Double.isNaN(first.recomputedTop1()) || first == last
                                ? "n/a"
                                : String.format("%.2f%%", 100 * first.recomputedTop1()),
                        100 * last.recomputedTop1());
            }
        }
        out.println(
                (result.interrupted() ? "stopped; continue with --resume. " : "done; ")
                        + "checkpoint "
                        + result.checkpoint());
        return 0;
    }

    private static TrainConfig withOverrides(TrainConfig base, Map<String, String> overrides) {
        try (InputStream in =
                new java.io.ByteArrayInputStream(
                        base.toYaml().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return TrainConfig.resolve(in, overrides);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }
}
