package org.npid.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.npid.data.ImageDataset;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.KnnResult;
import org.npid.eval.LabelledSplits;
import org.npid.eval.TrainedModel;
import org.npid.index.ExactIndex;
import org.npid.index.Hit;
import org.npid.index.Matrix;
import org.npid.index.Neighbours;
import org.npid.index.Pca;
import org.npid.train.EpochMetrics;
import org.npid.train.NpidTraining;

/**
 * Turns a run directory into one self-contained HTML page: loss and kNN against the epoch (the
 * paper's Fig. 4), best and worst retrievals (Fig. 5), a 2-D map of the embeddings, per-class kNN
 * accuracy, the confusion matrix, and the run's config and provenance. Plots are PNG from XChart,
 * inlined, so the page is a single file that can be mailed or archived.
 */
public final class RunReport {
    private static final int GRID_ROWS = 5;
    private static final int NEIGHBOURS = 10;
    private static final int CANDIDATE_QUERIES = 1000;

    /** Exact t-SNE is O(n²) a step: 2,000 points map in about half a minute on 2 cores. */
    private static final int MAP_POINTS = 2000;

    private static final int MIN_TSNE_POINTS = 10;
    private static final double TSNE_PERPLEXITY = 30;

    private RunReport() {}

    /** Writes the report for {@code runDir}, evaluated on {@code data}; returns the HTML path. */
    public static Path write(Path runDir, Path data, Path html) {
        return write(runDir, data, html, w -> {});
    }

    /** As above; {@code warnings} hears about rows of metrics.jsonl that were left out. */
    public static Path write(
            Path runDir, Path data, Path html, java.util.function.Consumer<String> warnings) {
        List<EpochMetrics> history = readMetrics(runDir.resolve(NpidTraining.METRICS), warnings);
        LabelledSplits splits = LabelledSplits.open(data, "the report");
        ImageDataset train = splits.train();
        ImageDataset test = splits.test();
        List<String> classes = train.classNames();
        float[] trainFeatures;
        float[] testFeatures;
        int d;
        KnnResult knn;
        int[] testLabels = test.labels();
        try (TrainedModel model = TrainedModel.load(runDir, train.channels())) {
            trainFeatures = model.embed(train, KnnEvaluation.BATCH, 2);
            testFeatures = model.embed(test, KnnEvaluation.BATCH, 2);
            d = trainFeatures.length / train.size();
            // The run's own evaluation, so the report's top-1 is the run's final figure.
            knn =
                    KnnEvaluation.of(model.config().evaluation(), 2)
                            .evaluate(
                                    model.network(),
                                    model.manager(),
                                    splits,
                                    model.testTransform(),
                                    trainFeatures,
                                    testFeatures);
        }
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>npid report: ")
                .append(escape(runDir.getFileName().toString()))
                .append("</title><style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}")
                .append(
                        "table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}")
                .append(
                        "pre{background:#f6f6f6;padding:1em;overflow:auto}.grid{display:flex;flex-wrap:wrap;gap:1em}")
                .append("</style></head><body>");
        h.append("<h1>npid run <code>").append(escape(runDir.toString())).append("</code></h1>");
        h.append(
                String.format(
                        Locale.ROOT,
                        "<p>Weighted kNN on <code>%s</code> with recomputed training features: <b>top-1 %.2f %%</b>, top-5 %.2f %%, 1-NN %.2f %% (%d test images against %d training images).</p>",
                        escape(data.toString()),
                        100 * knn.top1(),
                        100 * knn.top5(),
                        100 * knn.nn1(),
                        test.size(),
                        train.size()));

        h.append("<h2>Training curves</h2><div class=\"grid\">");
        if (history.isEmpty()) {
            h.append("<p>No completed epoch yet (no metrics.jsonl).</p>");
        } else {
            double[] epochs = history.stream().mapToDouble(EpochMetrics::epoch).toArray();
            h.append(
                    img(
                            Charts.png(
                                    Charts.lines(
                                            "Training loss",
                                            "loss",
                                            epochs,
                                            List.of("loss"),
                                            List.of(
                                                    history.stream()
                                                            .mapToDouble(EpochMetrics::loss)
                                                            .toArray()))),
                            "loss against epoch"));
            h.append(
                    img(
                            Charts.png(
                                    Charts.lines(
                                            "Weighted kNN top-1",
                                            "top-1",
                                            epochs,
                                            List.of("memory bank", "recomputed features"),
                                            List.of(
                                                    history.stream()
                                                            .mapToDouble(EpochMetrics::bankTop1)
                                                            .toArray(),
                                                    history.stream()
                                                            .mapToDouble(
                                                                    EpochMetrics::recomputedTop1)
                                                            .toArray()))),
                            "kNN accuracy against epoch"));
        }
        h.append("</div>");

        h.append("<h2>Retrieval: test queries and their ")
                .append(NEIGHBOURS)
                .append(" nearest training images</h2>");
        h.append(
                        "<p>Blue: the query. Green: same class. Red: another class. Queries ranked by how many of their neighbours share their class, among the first ")
                .append(Math.min(CANDIDATE_QUERIES, test.size()))
                .append(" test images.</p>");
        appendRetrieval(h, train, test, trainFeatures, testFeatures, d);

        int m = Math.min(MAP_POINTS, test.size());
        float[] sample = new float[m * d];
        System.arraycopy(testFeatures, 0, sample, 0, m * d);
        // t-SNE needs a few neighbours a point; below that (tiny data) the PCA plane stands in.
        boolean tsne = m >= MIN_TSNE_POINTS;
        float[] map =
                tsne
                        ? TSne.embed(
                                new Matrix(m, d, sample),
                                new TSne.Settings(
                                        Math.min(TSNE_PERPLEXITY, (m - 1) / 3.0),
                                        TSne.Settings.defaults().iterations(),
                                        TSne.Settings.defaults().exaggeratedIterations(),
                                        TSne.Settings.defaults().exaggeration(),
                                        0))
                        : Pca.fit(new Matrix(m, d, sample), 2, true)
                                .project(new Matrix(m, d, sample))
                                .data();
        h.append("<h2>2-D map of the test embeddings (")
                .append(tsne ? "t-SNE" : "PCA")
                .append(")</h2>");
        double[][] xy = new double[2][m];
        for (int i = 0; i < m; i++) {
            xy[0][i] = map[2 * i];
            xy[1][i] = map[2 * i + 1];
        }
        int[] sampleLabels = java.util.Arrays.copyOf(testLabels, m);
        h.append(
                img(
                        Charts.png(
                                Charts.scatter(
                                        tsne
                                                ? "t-SNE of the first "
                                                        + m
                                                        + " test embeddings, coloured by class"
                                                : "First two principal components, coloured by"
                                                        + " class",
                                        classes,
                                        xy[0],
                                        xy[1],
                                        sampleLabels)),
                        "embedding map"));

        h.append("<h2>Per-class kNN accuracy</h2>");
        h.append(
                img(
                        Charts.png(
                                Charts.bars(
                                        "Weighted kNN top-1 per class",
                                        classes,
                                        knn.perClassTop1(testLabels))),
                        "per-class accuracy"));
        h.append("<h2>Confusion matrix</h2><p>Rows: true class. Columns: kNN prediction.</p>");
        appendConfusion(h, classes, knn.confusion(testLabels));

        h.append("<h2>Config</h2><pre>")
                .append(escape(read(runDir.resolve("config.yaml"))))
                .append("</pre>");
        h.append("<h2>Provenance</h2><pre>")
                .append(escape(read(runDir.resolve("provenance.json"))))
                .append("</pre>");
        h.append("</body></html>\n");
        try {
            Files.writeString(html, h.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + html + ": " + e.getMessage(), e);
        }
        return html;
    }

    private static void appendRetrieval(
            StringBuilder h,
            ImageDataset train,
            ImageDataset test,
            float[] trainF,
            float[] testF,
            int d) {
        int q = Math.min(CANDIDATE_QUERIES, test.size());
        float[] qf = new float[q * d];
        System.arraycopy(testF, 0, qf, 0, q * d);
        Neighbours all;
        try (ExactIndex index = new ExactIndex(new Matrix(train.size(), d, trainF))) {
            all = index.searchAll(new Matrix(q, d, qf), NEIGHBOURS);
        }
        List<Integer> order = new ArrayList<>();
        double[] agreement = new double[q];
        for (int i = 0; i < q; i++) {
            order.add(i);
            int same = 0;
            for (int j = 0; j < all.k(); j++) {
                same += train.label(all.ids()[i * all.k() + j]) == test.label(i) ? 1 : 0;
            }
            agreement[i] = same + all.scores()[all.nearest(i)] * 1e-3;
        }
        order.sort(Comparator.comparingDouble(i -> -agreement[i]));
        int rows = Math.min(GRID_ROWS, q);
        List<Integer> best = order.subList(0, rows);
        List<Integer> worst = new ArrayList<>(order.subList(q - rows, q));
        java.util.Collections.reverse(worst);
        h.append("<h3>Best</h3>")
                .append(
                        img(
                                RetrievalGrid.png(test, train, best, pick(all, best)),
                                "best retrievals"));
        h.append("<h3>Worst</h3>")
                .append(
                        img(
                                RetrievalGrid.png(test, train, worst, pick(all, worst)),
                                "worst retrievals"));
    }

    /** The ranked neighbours of the chosen queries, best first as the grid shows them. */
    private static List<List<Hit>> pick(Neighbours all, List<Integer> rows) {
        List<List<Hit>> out = new ArrayList<>();
        for (int r : rows) {
            out.add(all.hits(r));
        }
        return out;
    }

    private static void appendConfusion(StringBuilder h, List<String> classes, int[][] m) {
        h.append("<table><tr><th></th>");
        for (String c : classes) {
            h.append("<th>").append(escape(c)).append("</th>");
        }
        h.append("</tr>");
        for (int r = 0; r < m.length; r++) {
            int total = 0;
            for (int v : m[r]) {
                total += v;
            }
            h.append("<tr><th>").append(escape(classes.get(r))).append("</th>");
            for (int c = 0; c < m[r].length; c++) {
                double share = total == 0 ? 0 : (double) m[r][c] / total;
                int shade = (int) Math.round(255 - 155 * share);
                h.append(
                        String.format(
                                Locale.ROOT,
                                "<td style=\"background:rgb(%d,%d,255)\">%d</td>",
                                shade,
                                shade,
                                m[r][c]));
            }
            h.append("</tr>");
        }
        h.append("</table>");
    }

    private static String img(String src, String alt) {
        return "<img src=\"" + src + "\" alt=\"" + escape(alt) + "\">";
    }

    /**
     * The rows of a metrics file. A cut-off last row (a crash while it was appended) is left out
     * with a warning; a bad row before the last is an error that names it.
     */
    static List<EpochMetrics> readMetrics(Path file, java.util.function.Consumer<String> warnings) {
        ObjectMapper json =
                new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        String repair =
                "npid train --resume on the run rebuilds "
                        + file.getFileName()
                        + " from the checkpoint";
        try {
            List<EpochMetrics> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(file);
            int last = lines.size() - 1;
            while (last >= 0 && lines.get(last).isBlank()) {
                last--;
            }
            for (int i = 0; i <= last; i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(json.readValue(line, EpochMetrics.class));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    if (i < last) {
                        throw new IllegalArgumentException(
                                "line "
                                        + (i + 1)
                                        + " of "
                                        + file
                                        + " is not a metrics row ("
                                        + e.getOriginalMessage()
                                        + "): the file was damaged; "
                                        + repair
                                        + ", or restore the file from a copy",
                                e);
                    }
                    warnings.accept(
                            "warning: the last line of "
                                    + file
                                    + " (line "
                                    + (i + 1)
                                    + ") is cut off, as a crash while it was written leaves it;"
                                    + " the report shows the "
                                    + out.size()
                                    + " complete rows. "
                                    + repair
                                    + " (and continues the run if it has epochs left)");
                }
            }
            return out;
        } catch (java.nio.file.NoSuchFileException e) {
            // A run stopped inside its first epoch has a checkpoint but no metrics yet.
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(missing)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    static String escape(String s) {
        return s.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
