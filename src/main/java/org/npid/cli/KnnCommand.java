package org.npid.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;
import org.npid.train.Checkpoint;
import org.npid.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code npid knn}: weighted kNN of a checkpoint with recomputed training features. */
@Command(
        name = "knn",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a checkpoint by weighted kNN: embed the training and test images with the"
                    + " trained network (test transform), then classify each test image by the"
                    + " exp(s/τ)-weighted votes of its k most similar training images."
        })
final class KnnCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description = "A last.ckpt file, or the run directory holding it.")
    Path checkpoint;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "Labelled data with a train and a test split.")
    Path data;

    @Option(
            names = "--k",
            defaultValue = "200",
            description = "Neighbours (default ${DEFAULT-VALUE}).")
    int k;

    @Option(
            names = "--temperature",
            defaultValue = "0.07",
            description = "Vote weight exp(s/τ) (default ${DEFAULT-VALUE}).")
    float temperature;

    @Option(
            names = "--probes",
            defaultValue = "0",
            description =
                    "0 = exact neighbours (default); P > 0 = approximate, by inverted lists: each"
                            + " query scores only the bank rows of its P nearest of --lists cells.")
    int probes;

    @Option(
            names = "--lists",
            defaultValue = "128",
            description = "Cells of the inverted lists (default ${DEFAULT-VALUE}).")
    int lists;

    @Option(names = "--threads", defaultValue = "0", description = "Native threads (0 = all).")
    int threads;

    @Option(
            names = "--features",
            paramLabel = "KIND",
            description =
                    "embedding (the paper's 128-d v) or backbone (layer4 pooled, before the"
                            + " head); default: the run's knn_features.")
    String features;

    @Option(
            names = "--raw-pixels",
            description =
                    "The baseline: kNN on the images' own pixels (cosine), no network; no"
                            + " --checkpoint.")
    boolean rawPixels;

    @Override
    public Integer call() {
        Threads.configure(threads);
        if (rawPixels == (checkpoint != null)) {
            throw new ParameterException(
                    spec.commandLine(), "give either --checkpoint or --raw-pixels");
        }
        KnnResult r =
                rawPixels
                        ? Evaluation.rawPixelKnn(data, k, temperature)
                        : Evaluation.knn(checkpoint, data, classifier(), 2, features());
        spec.commandLine()
                .getOut()
                .printf(
                        "%sweighted kNN (k=%d, τ=%s, %s): top-1 %.2f%%  top-5 %.2f%%  1-NN %.2f%%%n",
                        rawPixels
                                ? "raw pixels, "
                                : features().name().toLowerCase(Locale.ROOT) + ", ",
                        k,
                        temperature,
                        probes == 0 || rawPixels
                                ? "exact"
                                : "inverted lists, " + probes + " of " + lists + " cells",
                        100 * r.top1(),
                        100 * r.top5(),
                        100 * r.nn1());
        return 0;
    }

    private KnnClassifier classifier() {
        KnnClassifier exact = new KnnClassifier(k, temperature);
        if (probes == 0) {
            return exact;
        }
        try {
            return exact.withInvertedLists(lists, probes);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Evaluation.Features features() {
        if (features == null) {
            // What the run's own monitor scored, so `npid knn` reproduces its final figure.
            return checkpoint == null
                    ? Evaluation.Features.EMBEDDING
                    : Checkpoint.readConfig(Checkpoint.file(checkpoint)).knnFeatures();
        }
        try {
            return Evaluation.Features.valueOf(features.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--features: expected embedding or backbone, got '" + features + "'");
        }
    }
}
