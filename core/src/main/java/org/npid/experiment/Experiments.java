package org.npid.experiment;

import java.util.List;
import java.util.Map;
import org.npid.experiment.Experiment.Kind;
import org.npid.experiment.Experiment.Row;

/**
 * The paper's experiments at CPU scale. Every one starts from the {@code paper-cifar} recipe (the
 * official CIFAR-10 command: ResNet-18, exact softmax, τ 0.1, lr 0.03, batch 128, no flip) and
 * changes only what its {@link Scale} and its rows say, so a row differs from its neighbours in the
 * one setting the paper varies.
 */
public final class Experiments {
    private Experiments() {}

    /** Shrinks any experiment to seconds: for CI and for trying the command. */
    static final Map<String, String> QUICK =
            Map.ofEntries(
                    Map.entry("model.width", "0.125"),
                    Map.entry("train_images", "256"),
                    Map.entry("test_images", "200"),
                    Map.entry("epochs", "1"),
                    Map.entry("batch_size", "32"),
                    Map.entry("evaluation.k", "20"));

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new java.util.LinkedHashMap<>(a);
        out.putAll(b);
        return out;
    }

    private static Map<String, String> nce(int m) {
        // Table 1's NCE: m uniform noise samples per image, Z estimated once (Sec. 3.2).
        return Map.of(
                "objective.loss", "nce",
                "objective.nce_noise", Integer.toString(m),
                "objective.nce_z_momentum", "0",
                "objective.nce_scoring", "gather");
    }

    /** Table 1: parametric softmax, non-parametric softmax and NCE, CIFAR-10 ResNet-18. */
    public static Experiment table1() {
        return new Experiment(
                "table1",
                "Parametric softmax vs non-parametric softmax vs NCE (Table 1)",
                "CIFAR-10, ResNet-18, 200 epochs; linear SVM on the features and weighted kNN",
                List.of("paper linear SVM", "paper kNN"),
                Map.of(),
                QUICK,
                Kind.KNN_AND_PROBE,
                List.of(
                        new Row(
                                "parametric",
                                "parametric softmax",
                                Map.of("objective.loss", "parametric"),
                                new double[] {60.3, 63.0}),
                        new Row(
                                "softmax",
                                "non-parametric softmax",
                                Map.of("objective.loss", "softmax"),
                                new double[] {75.4, 80.8}),
                        new Row("nce-m1", "NCE m = 1", nce(1), new double[] {44.3, 42.5}),
                        new Row("nce-m10", "NCE m = 10", nce(10), new double[] {60.2, 63.4}),
                        new Row("nce-m512", "NCE m = 512", nce(512), new double[] {64.3, 78.4}),
                        new Row("nce-m4096", "NCE m = 4096", nce(4096), new double[] {70.2, 80.4}),
                        // Beyond the paper: the same NCE rows with Z as a moving average, to
                        // show whether the one-shot Z is what holds NCE back at short scales.
                        ncema(1),
                        ncema(10),
                        ncema(512),
                        ncema(4096)));
    }

    private static Row ncema(int m) {
        Map<String, String> s = new java.util.LinkedHashMap<>(nce(m));
        s.put("objective.nce_z_momentum", "0.99");
        return new Row(
                "nce-m" + m + "-maz",
                "NCE m = " + m + ", moving-average Z (beyond the paper)",
                s,
                new double[] {Double.NaN, Double.NaN});
    }

    /** Table 4: the embedding's dimension d. */
    public static Experiment table4() {
        return new Experiment(
                "table4",
                "Embedding size d (Table 4)",
                "ImageNet, ResNet-18, NCE m = 4096, 200 epochs; weighted kNN top-1",
                List.of("paper top-1"),
                Map.of(),
                QUICK,
                Kind.KNN,
                List.of(dim(32, 34.0), dim(64, 38.8), dim(128, 40.5), dim(256, 40.1)));
    }

    private static Row dim(int d, double paper) {
        return new Row(
                "d" + d,
                "d = " + d,
                Map.of("model.embedding_dim", Integer.toString(d)),
                new double[] {paper});
    }

    /**
     * Table 5: training-set size. Each row trains on a nested, seeded share of the reference
     * training set and is scored by kNN against the features of all of it, as the paper does.
     */
    public static Experiment table5() {
        return new Experiment(
                "table5",
                "Training-set size (Table 5)",
                "ImageNet, ResNet-18, NCE m = 4096, 200 epochs; weighted kNN against all of"
                        + " ImageNet's training features",
                List.of("paper top-1"),
                Map.of(),
                QUICK,
                Kind.KNN,
                List.of(
                        share("1", 0.01, 10.7),
                        share("10", 0.1, 23.1),
                        share("30", 0.3, 31.7),
                        share("100", 1.0, 40.5)));
    }

    private static Row share(String pct, double fraction, double paper) {
        return new Row(
                "images-" + pct + "pct",
                pct + " % of the training images",
                Map.of("train_fraction", Double.toString(fraction)),
                new double[] {paper});
    }

    /**
     * Figure 3: the proximal term λ‖v_i − V[i]‖² (Eq. 10) with NCE, whose positives get one
     * gradient per epoch, so the loss oscillates.
     */
    public static Experiment figure3() {
        return new Experiment(
                "figure3",
                "Proximal regularisation (Figure 3)",
                "ImageNet, ResNet-18, NCE m = 4096; the paper plots the training loss per"
                        + " iteration for λ = 0, 10, 30, 50",
                List.of(),
                Map.of(),
                QUICK,
                Kind.LOSS_CURVE,
                List.of(lambda(0), lambda(10), lambda(30), lambda(50)));
    }

    private static Row lambda(int l) {
        Map<String, String> s = new java.util.LinkedHashMap<>(nce(4096));
        s.put("objective.proximal_lambda", Integer.toString(l));
        return new Row("lambda" + l, "λ = " + l, s, new double[0]);
    }

    /**
     * Figure 6: fine-tuning the NPID network with a fraction of the labels, against the same
     * network trained from scratch on the same labels.
     */
    public static Experiment figure6() {
        return new Experiment(
                "figure6",
                "Semi-supervised learning (Figure 6)",
                "ImageNet, ResNet-18 pre-trained by NPID, fine-tuned with 1-20 % of the labels;"
                        + " the paper plots top-5 against the label fraction",
                List.of(),
                // 300 steps of 64 labelled images: 19,200 images a run, 10 runs.
                Map.of("finetune.steps", "300", "finetune.batch_size", "64"),
                with(QUICK, Map.of("finetune.steps", "3", "finetune.batch_size", "16")),
                Kind.SEMI_SUPERVISED,
                List.of(
                        new Row("pretrain", "NPID pre-training", Map.of(), new double[0]),
                        labels("1", 0.01),
                        labels("2", 0.02),
                        labels("4", 0.04),
                        labels("10", 0.1),
                        labels("20", 0.2)));
    }

    private static Row labels(String pct, double fraction) {
        return new Row(
                "labels-" + pct + "pct",
                pct + " % of the labels",
                Map.of("label_fraction", Double.toString(fraction)),
                new double[0]);
    }

    /** Every experiment, in the paper's order. */
    public static List<Experiment> all() {
        return List.of(table1(), table4(), table5(), figure3(), figure6());
    }

    /** The experiment called {@code name}, with the names there are when there is none. */
    public static Experiment named(String name) {
        return all().stream()
                .filter(e -> e.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "no experiment "
                                                + name
                                                + ": choose one of "
                                                + all().stream().map(Experiment::name).toList()));
    }
}
