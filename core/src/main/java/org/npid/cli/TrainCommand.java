package org.npid.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.RunConfigs;
import org.npid.config.TrainConfig;
import org.npid.machine.NativeHeap;
import org.npid.machine.RuntimeRecord;
import org.npid.train.EpochMetrics;
import org.npid.train.NpidTraining;
import org.npid.train.ProcessFaultException;
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
                    + " configuration reference in docs/GUIDE.md. Without --recipe or --config, the auto"
                    + " recipe: the paper's method for images of any size within a 10-minute budget,"
                    + " with pixel neighbours where a label-free check finds them meaningful.",
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

    @Option(
            names = "--time",
            paramLabel = "DURATION",
            description =
                    "A wall-time budget (90s, 10m, 1h30m): the epochs are chosen to fit it from a"
                            + " timed probe of this machine; printed at start.")
    String time;

    @Option(
            names = "--steps",
            paramLabel = "N",
            description = "A budget of SGD steps: the epochs are chosen to fit it.")
    Integer steps;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            description = "Epochs to train; replaces the recipe's budget.")
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
            names = "--validation",
            paramLabel = "SHARE",
            description =
                    "Score kNN on a share of the training images (10% or 0.1), held out per class"
                            + " (seeded) and not trained on, instead of the test split: for"
                            + " choosing settings.")
    String validation;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "Any config key, e.g. --set temperature=0.1 --set flip=true.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--resume", description = "Continue from RUN_DIR/last.ckpt.")
    boolean resume;

    @Option(
            names = "--overwrite",
            description =
                    "Start afresh in a RUN_DIR that holds a run, replacing its checkpoint and"
                            + " metrics.")
    boolean overwrite;

    @Option(names = "--quiet", description = "No progress bar; epoch lines only.")
    boolean quiet;

    /** Recipes bundled in the jar under recipes/NAME.yaml. */
    enum Recipe {
        auto("auto"),
        fmnist_short("fmnist-short"),
        cifar_short("cifar-short"),
        cifar_views("cifar-views"),
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
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        put(overrides, "data", data);
        put(overrides, "run_dir", runDir);
        put(overrides, "epochs", epochs);
        put(overrides, "time_budget", time);
        put(overrides, "step_budget", steps);
        boolean epochsGiven = epochs != null || set.containsKey("epochs");
        if (epochsGiven && (time != null || steps != null)) {
            throw new IllegalArgumentException(
                    "give --epochs or a budget (--time, --steps), not both");
        }
        if (epochsGiven) {
            // Epochs named on the command line replace the budget of a recipe or config.
            overrides.put("time_budget", "''");
            overrides.put("step_budget", "0");
        } else if (steps != null && time == null) {
            // A step budget on the command line replaces a recipe's time budget, and vice versa;
            // both together are left for TrainConfig to refuse.
            overrides.put("time_budget", "''");
        } else if (time != null && steps == null) {
            overrides.put("step_budget", "0");
        }
        put(overrides, "batch_size", batchSize);
        put(overrides, "lr", lr);
        put(overrides, "objective", objective);
        put(overrides, "seed", seed);
        put(overrides, "threads", threads);
        if (validation != null) {
            overrides.put("evaluation.validation", Double.toString(share(validation)));
        }
        overrides.putAll(set);
        TrainConfig stored = null;
        if (resume && config == null && recipe == null) {
            Path dir = Path.of(runDir != null ? runDir : TrainConfig.defaults().runDir());
            Path file = dir.resolve(Checkpoint.FILE);
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(
                        "--resume: no checkpoint at " + file + "; run without --resume to start");
            }
            stored = Checkpoint.readConfig(file);
        }
        RunConfigs.Resolved resolved =
                RunConfigs.resolve(recipe == null ? null : recipe.file, config, stored, overrides);
        if (resolved.defaultRecipe()) {
            spec.commandLine()
                    .getOut()
                    .println(
                            "# no --recipe or --config: the "
                                    + RunConfigs.DEFAULT_RECIPE
                                    + " recipe, for images of any size within a time budget"
                                    + " (--recipe or --config to choose another)");
        }
        TrainConfig cfg = resolved.config();
        Path existing = Path.of(cfg.runDir()).resolve(Checkpoint.FILE);
        if (!resume && !overwrite && Files.exists(existing)) {
            throw new IllegalArgumentException(
                    "--run-dir "
                            + cfg.runDir()
                            + " already holds a run ("
                            + existing
                            + "): add --resume to continue it, --overwrite to start over (its"
                            + " checkpoint and metrics are replaced), or choose another --run-dir");
        }
        RuntimeRecord.setThreads(cfg.threads());
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        // The config is printed once, by the progress listener, after the run has made its
        // choices (auto, the budget's epochs): the printed config is the one that runs.
        ProgressBar progress = new ProgressBar(out, err, cfg.epochs(), cfg.batchSize(), quiet);
        StopSignal.install(progress::requestStop);
        TrainResult result;
        try {
            result = NpidTraining.run(cfg, resume, overwrite, progress);
        } catch (ProcessFaultException fault) {
            Integer code = restart(fault, err);
            if (code == null) {
                throw fault;
            }
            return code;
        }
        double[] carried = FaultRestart.baselines(System.getenv(FaultRestart.ENV));
        if (!result.history().isEmpty()) {
            EpochMetrics first = result.history().get(0);
            EpochMetrics last = result.last();
            if (!Double.isNaN(last.recomputedTop1()) && last.epoch() > 0) {
                // A run restarted after a process fault prints the first process's baselines.
                double raw =
                        Double.isNaN(result.rawPixelsTop1()) ? carried[0] : result.rawPixelsTop1();
                double untrained = first.epoch() == 0 ? first.recomputedTop1() : carried[1];
                out.printf(
                        java.util.Locale.ROOT,
                        "weighted kNN top-1 (%s features%s): raw pixels %s, untrained %s,"
                                + " trained %.2f%%%n",
                        cfg.evaluation().features().name().toLowerCase(java.util.Locale.ROOT),
                        cfg.evaluation().onValidation() ? ", validation split" : "",
                        percent(raw),
                        percent(untrained),
                        100 * last.recomputedTop1());
                boolean belowRaw = last.recomputedTop1() < raw;
                boolean belowUntrained = last.recomputedTop1() < untrained;
                if (belowRaw || belowUntrained) {
                    out.println(
                            "warning: the trained features score below "
                                    + (belowRaw && belowUntrained
                                            ? "the raw pixels and the untrained network"
                                            : belowRaw ? "the raw pixels" : "the untrained network")
                                    + ". The run was too short for this data: the paper's loss"
                                    + " spends its first epochs in a plateau (on CIFAR-10-like"
                                    + " photos, several epochs of 50,000 images). Give it more"
                                    + " time (--time 1h, or --epochs) or more images.");
                }
            }
        }
        out.println(
                (result.interrupted() ? "stopped; continue with --resume. " : "done; ")
                        + "checkpoint "
                        + result.checkpoint());
        return 0;
    }

    /**
     * Resumes the run in a new process after a process fault ({@link FaultRestart}) and returns its
     * exit code; null when this process is itself such a restart or its command line cannot be
     * read, and the fault's message then ends the run.
     */
    private Integer restart(ProcessFaultException fault, java.io.PrintWriter err)
            throws java.io.IOException, InterruptedException {
        if (FaultRestart.isRestart()) {
            return null;
        }
        List<String> original = spec.root().commandLine().getParseResult().originalArgs();
        List<String> resumeArgs = FaultRestart.resumeArguments(original);
        var command = FaultRestart.command(ProcessHandle.current().info(), original, resumeArgs);
        if (command.isEmpty()) {
            return null;
        }
        err.println("npid: " + FlagNames.apply(fault.getMessage()));
        err.println(
                "npid: resuming the run in a new process, once: npid "
                        + String.join(" ", resumeArgs));
        err.flush();
        // This process waits for the new one: give back what it no longer needs.
        System.gc();
        NativeHeap.releaseKeptMemory();
        return FaultRestart.run(command.get(), fault);
    }

    private static String percent(double share) {
        return Double.isNaN(share)
                ? "n/a"
                : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * share);
    }

    private static void put(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    /** "10%" or "0.1" as a share of the training images. */
    static double share(String text) {
        String t = text.trim();
        try {
            return t.endsWith("%")
                    ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
                    : Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--validation takes a share of the training images, as 10% or 0.1, got '"
                            + text
                            + "'",
                    e);
        }
    }
}
