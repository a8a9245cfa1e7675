package org.npid.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.npid.experiment.Experiment;
import org.npid.experiment.ExperimentRunner;
import org.npid.experiment.Experiments;
import org.npid.experiment.RowResult;
import org.npid.experiment.Scale;
import org.npid.train.EpochMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code npid experiment}: one of the paper's tables or figures, row by row, resumable. */
@Command(
        name = "experiment",
        mixinStandardHelpOptions = true,
        description = {
            "Run one of the paper's experiments at CPU scale: table1 (parametric vs"
                    + " non-parametric softmax vs NCE), table4 (embedding size), table5"
                    + " (training-set size), figure3 (proximal term), figure6 (semi-supervised)."
                    + " Writes results.md and results.json beside the paper's numbers after every"
                    + " row; run the same command again to continue after an interruption (rows"
                    + " already done are skipped). docs/PAPER.md has the measured tables."
        })
final class ExperimentCommand implements Callable<Integer> {
    /** {@code --scale}: the names in lower case, as the help prints them. */
    static final class ScaleConverter implements ITypeConverter<Scale> {
        @Override
        public Scale convert(String value) {
            for (Scale s : Scale.values()) {
                if (s.label().equals(value.toLowerCase(java.util.Locale.ROOT))) {
                    return s;
                }
            }
            throw new TypeConversionException(
                    "no scale " + value + ": choose small, laptop or paper");
        }
    }

    @Spec CommandSpec spec;

    @Parameters(
            arity = "0..1",
            paramLabel = "NAME",
            description = "table1, table4, table5, figure3 or figure6; omit with --list.")
    String name;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description = "Labelled images with train and test splits (CIFAR-10 or Fashion-MNIST).")
    Path data;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where rows and tables go (default experiments/NAME, or NAME-quick).")
    Path out;

    @Option(
            names = "--quick",
            description = "Shrink every row to seconds: a smoke test, not a measurement.")
    boolean quick;

    @Option(
            names = "--scale",
            defaultValue = "small",
            paramLabel = "SCALE",
            converter = ScaleConverter.class,
            description =
                    "small (10,000 images, quarter width, 12 epochs: minutes a row, too short to"
                            + " learn), laptop (25,000 images, eighth width, 15 epochs: about 25 minutes a row) or paper"
                            + " (the paper's full CIFAR-10 command, for a GPU); default"
                            + " ${DEFAULT-VALUE}. docs/PAPER.md has what each gave.")
    Scale scale;

    @Option(
            names = "--rows",
            split = ",",
            paramLabel = "ID",
            description =
                    "Run only these rows now (ids from --list); the table keeps the rows already"
                            + " done. For doing an experiment in pieces.")
    List<String> rows = new ArrayList<>();

    @Option(names = "--list", description = "List the experiments and their rows, then exit.")
    boolean list;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description = "A config key for every row, e.g. --set epochs=40.")
    Map<String, String> set = new LinkedHashMap<>();

    @Mixin NativeThreads threads;

    @Override
    public Integer call() {
        PrintWriter printer = spec.commandLine().getOut();
        if (list || name == null) {
            for (Experiment e : Experiments.all()) {
                printer.println(e.name() + ": " + e.title());
                e.rows()
                        .forEach(
                                r ->
                                        printer.println(
                                                "    "
                                                        + r.id()
                                                        + ": "
                                                        + r.label()
                                                        + " "
                                                        + r.settings()));
            }
            return 0;
        }
        if (data == null) {
            throw new IllegalArgumentException("--data PATH is needed: the images to run on");
        }
        Experiment experiment = Experiments.named(name);
        Map<String, String> overrides = new LinkedHashMap<>(set);
        if (threads.threads > 0) {
            overrides.put("threads", Integer.toString(threads.threads));
        }
        threads.apply();
        Path dir =
                out != null
                        ? out
                        : Path.of(
                                "experiments",
                                name
                                        + (scale == Scale.SMALL ? "" : "-" + scale.label())
                                        + (quick ? "-quick" : ""));
        StringBuilder cmd = new StringBuilder("npid experiment " + name + " --data " + data);
        if (scale != Scale.SMALL) {
            cmd.append(" --scale ").append(scale.label());
        }
        if (quick) {
            cmd.append(" --quick");
        }
        set.forEach((k, v) -> cmd.append(" --set ").append(k).append('=').append(v));
        AtomicBoolean stop = new AtomicBoolean();
        StopSignal.install(() -> stop.set(true));
        ExperimentRunner.Result result =
                ExperimentRunner.run(
                        experiment,
                        new ExperimentRunner.Options(
                                data, dir, scale, quick, overrides, rows, cmd.toString()),
                        new Progress(printer, stop));
        printer.println(
                (result.interrupted()
                                ? "stopped; run the same command again to continue. "
                                : "done; ")
                        + "table: "
                        + result.table());
        return 0;
    }

    /** One line per row and per epoch. */
    private static final class Progress implements ExperimentRunner.Listener {
        private final PrintWriter out;
        private final AtomicBoolean stop;

        Progress(PrintWriter out, AtomicBoolean stop) {
            this.out = out;
            this.stop = stop;
        }

        @Override
        public void onRow(int index, int rows, Experiment.Row row, boolean done) {
            out.printf(
                    Locale.ROOT,
                    "== row %d/%d: %s%s%n",
                    index + 1,
                    rows,
                    row.label(),
                    done ? " (done before: skipped)" : "");
            out.flush();
        }

        @Override
        public void onRowResult(RowResult r) {
            StringBuilder sb = new StringBuilder("   ");
            r.ours().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.2f;", k, v)));
            sb.append(String.format(Locale.ROOT, " %.1f min", r.seconds() / 60));
            out.println(sb);
            out.flush();
        }

        @Override
        public void onEpoch(EpochMetrics m) {
            out.println("   " + EpochLine.format(m));
            out.flush();
        }

        @Override
        public void onMessage(String message) {
            out.println("   " + FlagNames.apply(message));
            out.flush();
        }

        @Override
        public boolean stopRequested() {
            return stop.get();
        }
    }
}
