package org.npid.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.KnnResult;
import org.npid.eval.LabelledSplits;
import org.npid.eval.Probe;
import org.npid.eval.TrainedModel;
import org.npid.finetune.FineTune;
import org.npid.finetune.FineTuneConfig;
import org.npid.finetune.FineTuneResult;
import org.npid.storage.AtomicFile;
import org.npid.train.NpidTraining;
import org.npid.train.TrainListener;
import org.npid.train.TrainResult;

/**
 * Runs an {@link Experiment}'s rows one after the other under {@code out/rows/ID/}, scores each,
 * and writes the table ({@code results.md}, {@code results.json}, and a chart where the paper has a
 * figure) after every row. A row whose {@code result.json} exists is skipped, and a row stopped
 * part-way resumes from its checkpoint, so an interrupted experiment continues where it stopped.
 */
public final class ExperimentRunner {
    /** The file that marks a row as done. */
    public static final String RESULT = "result.json";

    /** The settings the rows of an output directory were measured with. */
    static final String SETTINGS = "settings.txt";

    /** The file of a row's per-step training loss, for the loss-curve experiment. */
    public static final String LOSSES = "losses.csv";

    static final ObjectMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /**
     * How to run an experiment.
     *
     * @param data labelled images with train and test splits
     * @param out where rows and tables go
     * @param scale how large every row is
     * @param quick shrink every row to seconds
     * @param overrides config keys applied to every row (before the row's own)
     * @param rows the ids of the rows to run now (empty: all); the others keep what they have
     * @param command the command line that ran it, for the table
     */
    public record Options(
            Path data,
            Path out,
            Scale scale,
            boolean quick,
            Map<String, String> overrides,
            List<String> rows,
            String command) {
        public Options {
            if (scale == null) {
                throw new IllegalArgumentException("scale is needed: small, laptop or paper");
            }
            overrides = Map.copyOf(overrides);
            rows = List.copyOf(rows);
        }
    }

    /** What the experiment reports as it goes; also the training listener of each row. */
    public interface Listener extends TrainListener {
        /** Called before each row; {@code done} rows are skipped. */
        default void onRow(int index, int rows, Experiment.Row row, boolean done) {}

        /** Called after each row with what it measured. */
        default void onRowResult(RowResult result) {}
    }

    /** The rows measured (all of them unless a stop request ended the experiment early). */
    public record Result(List<RowResult> rows, boolean interrupted, Path table) {}

    private final Experiment experiment;
    private final Options options;
    private final Listener listener;

    private ExperimentRunner(Experiment experiment, Options options, Listener listener) {
        this.experiment = experiment;
        this.options = options;
        this.listener = listener;
    }

    /** Runs (or continues) {@code experiment}. */
    public static Result run(Experiment experiment, Options options, Listener listener) {
        return new ExperimentRunner(experiment, options, listener).run();
    }

    private Result run() {
        if (!Files.isDirectory(options.data()) && !Files.isRegularFile(options.data())) {
            throw new IllegalArgumentException(
                    "no data at "
                            + options.data()
                            + ": the data (data) must be CIFAR-10 (e.g. the JPEG folders extracted from"
                            + " cifar10-jpg.tar.gz) or Fashion-MNIST");
        }
        TrainConfig base = config(Map.of(), "base");
        ImageDataset all = Datasets.open(options.data(), Split.TRAIN);
        if (!all.labeled()) {
            throw new IllegalArgumentException(
                    options.data() + " has no labels: the experiments score with labelled kNN");
        }
        ImageDataset reference =
                base.trainImages() > 0 ? Subset.random(all, base.trainImages(), base.seed()) : all;
        ImageDataset test = Datasets.open(options.data(), Split.TEST, all.channels());
        if (base.testImages() > 0) {
            test = Subset.random(test, base.testImages(), base.seed());
        }
        LabelledSplits splits = new LabelledSplits(reference, test);
        claimOut();
        List<RowResult> done = new ArrayList<>();
        boolean interrupted = false;
        List<Experiment.Row> rows = experiment.rows();
        options.rows().forEach(experiment::row); // an unknown id is an error before any work
        for (int i = 0; i < rows.size() && !interrupted; i++) {
            Experiment.Row row = rows.get(i);
            Path dir = rowDir(row);
            RowResult saved = read(dir.resolve(RESULT));
            if (saved == null && !options.rows().isEmpty() && !options.rows().contains(row.id())) {
                listener.onMessage(
                        "row "
                                + (i + 1)
                                + "/"
                                + rows.size()
                                + ": "
                                + row.id()
                                + ", not in --rows:"
                                + " left for a later run");
                continue;
            }
            listener.onRow(i, rows.size(), row, saved != null);
            if (saved != null) {
                done.add(saved);
                continue;
            }
            RowResult result = runRow(row, dir, reference.size(), splits);
            if (result == null) {
                interrupted = true;
            } else {
                write(dir.resolve(RESULT), toJson(result));
                done.add(result);
                listener.onRowResult(result);
            }
            writeTables(base, done, reference.size(), test.size());
        }
        Path table = writeTables(base, done, reference.size(), test.size());
        return new Result(done, interrupted, table);
    }

    /**
     * The settings that fix the numbers of this output directory's rows: the experiment, the data,
     * --quick and every override but the thread counts, which change the time and not the result.
     */
    private String identity() {
        Map<String, String> o = new java.util.TreeMap<>(options.overrides());
        o.keySet().removeAll(List.of("threads", "workers"));
        StringBuilder b = new StringBuilder();
        b.append("experiment=").append(experiment.name()).append('\n');
        b.append("data=").append(options.data().toAbsolutePath().normalize()).append('\n');
        // Folders written before there was a choice of scale are small-scale ones.
        if (options.scale() != Scale.SMALL) {
            b.append("scale=").append(options.scale().label()).append('\n');
        }
        b.append("quick=").append(options.quick()).append('\n');
        o.forEach((k, v) -> b.append("set ").append(k).append('=').append(v).append('\n'));
        return b.toString();
    }

    /**
     * Records this run's settings in the output directory, or refuses when the directory holds rows
     * of other settings: skipping those rows would put their numbers under this run's command in
     * the table.
     */
    private void claimOut() {
        Path file = options.out().resolve(SETTINGS);
        String mine = identity();
        if (Files.exists(file)) {
            String theirs;
            try {
                theirs = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            if (!theirs.equals(mine)) {
                throw new IllegalArgumentException(
                        options.out()
                                + " holds rows measured with other settings:\n"
                                + theirs
                                + "this run asks for:\n"
                                + mine
                                + "mixing them would report the old numbers under the new settings:"
                                + " write to another output directory, or rerun with the same"
                                + " data and overrides");
            }
            return;
        }
        String other = otherFile(options.out());
        if (other != null) {
            throw new IllegalArgumentException(
                    options.out()
                            + " holds files that are not an experiment's results (e.g. "
                            + other
                            + ", and no "
                            + SETTINGS
                            + "), so nothing is written there: choose a new or empty output"
                            + " directory (--out)");
        }
        write(file, mine);
    }

    /** The names an experiment writes into its output directory. */
    private static final List<String> OURS =
            List.of(SETTINGS, "rows", "results.json", "results.md", "labels.png", "loss.png");

    /** A file of {@code dir} that an experiment does not write, or null. */
    private static String otherFile(Path dir) {
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) {
                throw new IllegalArgumentException(
                        dir
                                + " is a file, not a folder: choose a new or empty output directory"
                                + " (--out)");
            }
            return null;
        }
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(
                            n ->
                                    !OURS.contains(
                                            n.endsWith(".tmp")
                                                    ? n.substring(0, n.length() - 4)
                                                    : n))
                    .sorted()
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** Trains and scores one row; null when a stop request ended its training. */
    private RowResult runRow(
            Experiment.Row row, Path dir, int referenceSize, LabelledSplits splits) {
        long start = System.nanoTime();
        if (row.settings().containsKey("label_fraction")) {
            return fineTune(row, start);
        }
        Map<String, String> settings = new LinkedHashMap<>(row.settings());
        String share = settings.remove("train_fraction");
        if (share != null) {
            int n = (int) Math.max(1, Math.round(Double.parseDouble(share) * referenceSize));
            settings.put("train_images", Integer.toString(n));
        }
        TrainConfig config = config(settings, row.id());
        boolean resume = Files.exists(dir.resolve(Checkpoint.FILE));
        LossRecorder losses =
                experiment.kind() == Experiment.Kind.LOSS_CURVE
                        ? new LossRecorder(dir.resolve(LOSSES), listener)
                        : null;
        TrainResult trained = NpidTraining.run(config, resume, losses == null ? listener : losses);
        if (losses != null) {
            losses.flush();
        }
        if (trained.interrupted()) {
            return null;
        }
        Map<String, Double> ours = new LinkedHashMap<>();
        try (TrainedModel model = TrainedModel.load(trained.checkpoint())) {
            listener.onMessage(
                    "scoring " + row.id() + ": kNN against " + referenceSize + " images");
            KnnResult knn =
                    model.knn(splits, KnnEvaluation.of(config.evaluation(), config.workers()));
            if (experiment.kind() == Experiment.Kind.KNN_AND_PROBE) {
                listener.onMessage("scoring " + row.id() + ": linear probes");
                List<Probe.StageResult> probes =
                        Probe.run(
                                model,
                                splits.train(),
                                splits.test(),
                                new Probe.Settings(
                                        options.quick() ? 1 : 5, 0.1f, 1e-4f, 256, config.seed()));
                ours.put("linear (last stage)", 100 * probes.get(probes.size() - 2).top1());
                ours.put("linear (embedding)", 100 * probes.get(probes.size() - 1).top1());
            }
            ours.put("kNN", 100 * knn.top1());
        }
        references(trained).forEach(ours::put);
        if (losses != null) {
            double[] last = LossRecorder.lastEpoch(dir.resolve(LOSSES));
            ours.put("last-epoch loss", LossRecorder.mean(last));
            ours.put("last-epoch loss std", LossRecorder.std(last));
        }
        return new RowResult(
                row.id(),
                row.label(),
                row.paper(),
                ours,
                config.trainImages() > 0
                        ? Math.min(config.trainImages(), referenceSize)
                        : referenceSize,
                referenceSize,
                splits.test().size(),
                config.epochs(),
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * Fine-tunes the pre-training row's network with the row's share of the labels, and trains the
     * same architecture from scratch on the same labels and steps (Figure 6).
     */
    private RowResult fineTune(Experiment.Row row, long start) {
        Path pretrained = rowDir(experiment.rows().get(0)).resolve(Checkpoint.FILE);
        double fraction = Double.parseDouble(row.settings().get("label_fraction"));
        Map<String, String> s = settings();
        TrainConfig base = config(Map.of(), "base");
        FineTuneConfig ft =
                new FineTuneConfig(
                        fraction,
                        Integer.parseInt(s.getOrDefault("finetune.steps", "300")),
                        Integer.parseInt(s.getOrDefault("finetune.batch_size", "64")),
                        base.optimiser().lr(),
                        base.optimiser().momentum(),
                        base.optimiser().weightDecay(),
                        base.seed(),
                        base.threads(),
                        base.workers(),
                        false,
                        base.testImages());
        listener.onMessage(
                "fine-tuning the pre-trained network with "
                        + row.label()
                        + ", "
                        + ft.steps()
                        + " steps");
        FineTuneResult tuned = FineTune.run(pretrained, options.data(), ft);
        listener.onMessage("training the same network from scratch on the same labels");
        FineTuneResult scratch = FineTune.run(pretrained, options.data(), ft.withScratch(true));
        Map<String, Double> ours = new LinkedHashMap<>();
        ours.put("fine-tuned", 100 * tuned.top1());
        ours.put("from scratch", 100 * scratch.top1());
        return new RowResult(
                row.id(),
                row.label(),
                row.paper(),
                ours,
                tuned.labelledImages(),
                0,
                tuned.testImages(),
                0,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The reference points the row's training measured before its first step, where its scale asks
     * for them ({@code evaluation.at_start}): the untrained network's recomputed kNN, against the
     * same reference images as the row's own score, and the raw pixels'. A row's gain is only
     * readable beside them: a trained row below its untrained network has learnt nothing useful.
     */
    static Map<String, Double> references(TrainResult trained) {
        Map<String, Double> out = new LinkedHashMap<>();
        trained.history().stream()
                .filter(m -> m.epoch() == 0 && !Double.isNaN(m.recomputedTop1()))
                .findFirst()
                .ifPresent(m -> out.put("untrained kNN", 100 * m.recomputedTop1()));
        if (!Double.isNaN(trained.rawPixelsTop1())) {
            out.put("raw pixels kNN", 100 * trained.rawPixelsTop1());
        }
        return out;
    }

    /** The row's config: recipe, scale, --quick, the user's overrides, then the row's settings. */
    TrainConfig config(Map<String, String> rowSettings, String id) {
        Map<String, String> o = settings();
        o.keySet().removeIf(k -> k.startsWith("finetune."));
        o.putAll(rowSettings);
        o.put("data", options.data().toString());
        o.put("run_dir", rowDir(id).toString());
        try (InputStream in =
                ExperimentRunner.class.getResourceAsStream("/recipes/paper-cifar.yaml")) {
            return TrainConfig.resolve(in, o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scale, the experiment's own settings, then --quick's, then the user's overrides. */
    private Map<String, String> settings() {
        Map<String, String> o = new LinkedHashMap<>(options.scale().settings());
        o.putAll(experiment.extra());
        if (options.quick()) {
            o.putAll(experiment.quick());
        }
        o.putAll(options.overrides());
        return o;
    }

    private Path rowDir(Experiment.Row row) {
        return rowDir(row.id());
    }

    private Path rowDir(String id) {
        return options.out().resolve("rows").resolve(id);
    }

    private Path writeTables(TrainConfig base, List<RowResult> done, int reference, int test) {
        ExperimentTable table =
                new ExperimentTable(
                        experiment,
                        base,
                        done,
                        reference,
                        test,
                        options.command(),
                        options.quick());
        write(options.out().resolve("results.json"), table.json());
        Path md = options.out().resolve("results.md");
        write(md, table.markdown());
        table.charts(options.out());
        return md;
    }

    private static RowResult read(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), RowResult.class);
        } catch (IOException e) {
            throw new IllegalStateException(
                    file
                            + " is unreadable ("
                            + e.getMessage()
                            + "): delete it to run the row again",
                    e);
        }
    }

    /** Writes {@code text} to {@code file} through a temporary file and an atomic move. */
    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write " + file + " (" + e.getMessage() + "): is the disk full?", e);
        }
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String percent(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
    }
}
