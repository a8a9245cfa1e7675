package org.npid.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.npid.config.TrainConfig;
import org.npid.machine.Cpu;

/**
 * An experiment's results beside the paper's: a Markdown table for people, the same as JSON for
 * programs, and the figure's chart where the paper has one (the training loss per step for the
 * proximal term, top-1 against the label fraction for semi-supervised learning).
 */
final class ExperimentTable {
    private final Experiment experiment;
    private final TrainConfig base;
    private final List<RowResult> rows;
    private final int referenceImages;
    private final int testImages;
    private final String command;
    private final boolean quick;

    ExperimentTable(
            Experiment experiment,
            TrainConfig base,
            List<RowResult> rows,
            int referenceImages,
            int testImages,
            String command,
            boolean quick) {
        this.experiment = experiment;
        this.base = base;
        this.rows = rows;
        this.referenceImages = referenceImages;
        this.testImages = testImages;
        this.command = command;
        this.quick = quick;
    }

    /** Our columns: the union of what the rows measured, in first-seen order. */
    private List<String> ourColumns() {
        Set<String> cols = new LinkedHashSet<>();
        rows.forEach(r -> cols.addAll(r.ours().keySet()));
        return new ArrayList<>(cols);
    }

    /** The setting of the rows that the experiment does not vary, in one line. */
    String setting() {
        var m = base.model();
        return String.format(
                Locale.ROOT,
                "%s (%s stem, width %s), d = %d, %s, τ %s, batch %d, %d epochs, lr %s %s,"
                        + " %d training images (seeded), %d test images",
                m.arch().name().toLowerCase(Locale.ROOT),
                m.stem().name().toLowerCase(Locale.ROOT),
                m.width(),
                m.embeddingDim(),
                base.objective().loss().name().toLowerCase(Locale.ROOT),
                base.objective().temperature(),
                base.batchSize(),
                base.epochs(),
                base.optimiser().lr(),
                base.optimiser().schedule().name().toLowerCase(Locale.ROOT),
                referenceImages,
                testImages);
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(experiment.title()).append("\n\n");
        if (quick) {
            sb.append("**--quick: a smoke test, not a measurement.**\n\n");
        }
        sb.append("- Paper: ").append(experiment.paperSetting()).append(".\n");
        sb.append("- Here: ").append(setting()).append("; each row changes only its setting.\n");
        sb.append("- Data: ").append(base.data()).append(".\n");
        sb.append("- Machine: ")
                .append(Cpu.current())
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(LocalDate.now(ZoneOffset.UTC))
                .append(".\n");
        sb.append("- Command: `").append(command).append("`\n\n");
        List<String> ours = ourColumns();
        sb.append("| row |");
        experiment.paperColumns().forEach(c -> sb.append(' ').append(c).append(" |"));
        ours.forEach(c -> sb.append(' ').append(c).append(" |"));
        sb.append(" trained on | minutes |\n|---|");
        sb.append("---:|".repeat(experiment.paperColumns().size() + ours.size() + 2));
        sb.append('\n');
        for (Experiment.Row row : experiment.rows()) {
            RowResult r =
                    rows.stream().filter(x -> x.id().equals(row.id())).findFirst().orElse(null);
            sb.append("| ").append(row.label()).append(" |");
            for (double p : row.paper()) {
                sb.append(' ').append(ExperimentRunner.percent(p)).append(" |");
            }
            for (String c : ours) {
                Double v = r == null ? null : r.ours().get(c);
                sb.append(' ').append(v == null ? "" : number(c, v)).append(" |");
            }
            if (r == null) {
                sb.append(" not run yet | |\n");
            } else {
                sb.append(
                        String.format(
                                Locale.ROOT, " %,d | %.1f |%n", r.trainImages(), r.seconds() / 60));
            }
        }
        return sb.toString();
    }

    private static String number(String column, double v) {
        return column.contains("loss")
                ? String.format(Locale.ROOT, "%.3f", v)
                : column.contains("images")
                        ? String.format(Locale.ROOT, "%,d", Math.round(v))
                        : ExperimentRunner.percent(v);
    }

    String json() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("experiment", experiment.name());
        out.put("title", experiment.title());
        out.put("paper_setting", experiment.paperSetting());
        out.put("setting", setting());
        out.put("quick", quick);
        out.put("machine", Cpu.current().toString());
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("command", command);
        out.put("paper_columns", experiment.paperColumns());
        out.put("rows", rows);
        return ExperimentRunner.toJson(out);
    }

    /** Writes the figure's chart into {@code dir}, where the experiment has one. */
    void charts(Path dir) {
        if (experiment.kind() == Experiment.Kind.LOSS_CURVE) {
            lossChart(dir);
        } else if (experiment.kind() == Experiment.Kind.SEMI_SUPERVISED) {
            labelChart(dir);
        }
    }

    /** Top-1 against the share of labels, fine-tuned and from scratch, like the paper's plot. */
    private void labelChart(Path dir) {
        List<RowResult> tuned =
                rows.stream().filter(r -> r.ours().containsKey("fine-tuned")).toList();
        if (tuned.isEmpty()) {
            return;
        }
        double[] x = new double[tuned.size()];
        double[] ft = new double[tuned.size()];
        double[] sc = new double[tuned.size()];
        for (int i = 0; i < x.length; i++) {
            RowResult r = tuned.get(i);
            x[i] =
                    100
                            * Double.parseDouble(
                                    experiment.row(r.id()).settings().get("label_fraction"));
            ft[i] = r.ours().get("fine-tuned");
            sc[i] = r.ours().get("from scratch");
        }
        XYChart c =
                new XYChartBuilder()
                        .width(800)
                        .height(450)
                        .title(experiment.title())
                        .xAxisTitle("labelled images (%)")
                        .yAxisTitle("test top-1 (%)")
                        .build();
        c.getStyler().setXAxisLogarithmic(x.length > 1);
        c.addSeries("fine-tuned from NPID", x, ft);
        c.addSeries("from scratch", x, sc);
        save(c, dir.resolve("labels.png"));
    }

    private static void save(XYChart c, Path file) {
        try {
            BitmapEncoder.saveBitmap(c, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void lossChart(Path dir) {
        XYChart c =
                new XYChartBuilder()
                        .width(800)
                        .height(450)
                        .title(experiment.title())
                        .xAxisTitle("step")
                        .yAxisTitle("training loss")
                        .build();
        c.getStyler().setMarkerSize(0);
        int series = 0;
        for (RowResult r : rows) {
            double[] loss =
                    LossRecorder.read(
                            dir.resolve("rows").resolve(r.id()).resolve(ExperimentRunner.LOSSES));
            if (loss.length < 2) {
                continue;
            }
            double[] x = new double[loss.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            c.addSeries(r.label(), x, loss).setMarker(SeriesMarkers.NONE);
            series++;
        }
        if (series > 0) {
            save(c, dir.resolve("loss.png"));
        }
    }
}
