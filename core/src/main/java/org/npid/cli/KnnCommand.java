package org.npid.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.EvaluationConfig;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.KnnResult;
import org.npid.eval.LabelledSplits;
import org.npid.eval.RawPixels;
import org.npid.eval.TrainedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                    + " exp(s/τ)-weighted votes of its k most similar training images. A run"
                    + " trained with --validation is scored on its own validation split.",
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
            description = "Neighbours (default: the run's evaluation.k; 200 for --raw-pixels).")
    Integer k;

    @Option(
            names = "--temperature",
            description =
                    "Vote weight exp(s/τ) (default: the run's evaluation.temperature; 0.07 for"
                            + " --raw-pixels).")
    Float temperature;

    @Option(
            names = "--probes",
            description =
                    "0 = exact neighbours; P > 0 = approximate, by inverted lists: each query"
                            + " scores only the bank rows of its P nearest of --lists cells"
                            + " (default: the run's evaluation.probes).")
    Integer probes;

    @Option(
            names = "--lists",
            description = "Cells of the inverted lists (default: the run's evaluation.lists).")
    Integer lists;

    @Mixin NativeThreads threads;

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
        threads.apply();
        if (rawPixels == (checkpoint != null)) {
            throw new ParameterException(
                    spec.commandLine(), "give either --checkpoint or --raw-pixels");
        }
        EvaluationConfig settings = settings();
        KnnResult r;
        if (rawPixels) {
            r = RawPixels.knn(data, settings.k(), settings.temperature());
        } else {
            TrainConfig run = Checkpoint.readConfig(checkpoint);
            LabelledSplits splits =
                    settings.onValidation() ? validation(run) : LabelledSplits.open(data, "kNN");
            try (TrainedModel model = TrainedModel.load(checkpoint, splits.train().channels())) {
                r = model.knn(splits, KnnEvaluation.of(settings, 2));
            }
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "%sweighted kNN (k=%d, τ=%s, %s): top-1 %.2f%%  top-5 %.2f%%  1-NN %.2f%%%n",
                        rawPixels
                                ? "raw pixels, "
                                : settings.features().name().toLowerCase(Locale.ROOT)
                                        + (settings.onValidation() ? ", validation split" : "")
                                        + ", ",
                        settings.k(),
                        settings.temperature(),
                        settings.probes() == 0 || rawPixels
                                ? "exact"
                                : "inverted lists, "
                                        + settings.probes()
                                        + " of "
                                        + settings.lists()
                                        + " cells",
                        100 * r.top1(),
                        100 * r.top5(),
                        100 * r.nn1());
        return 0;
    }

    /**
     * The run's validation split, drawn as the run drew it: the same share of each class of the
     * training folder with the run's seed, the run's {@code train_images} from the rest as the
     * bank.
     */
    private LabelledSplits validation(TrainConfig run) {
        ImageDataset all = Datasets.open(data, Split.TRAIN);
        Subset.HeldOut split = Subset.holdOut(all, run.evaluation().validation(), run.seed());
        ImageDataset bank =
                run.trainImages() > 0
                        ? Subset.random(split.rest(), run.trainImages(), run.seed())
                        : split.rest();
        return new LabelledSplits(bank, split.held());
    }

    /**
     * The run's own evaluation settings, so that `npid knn` reproduces the run's final figure, with
     * any flag given on top; the defaults for the raw-pixel baseline.
     */
    private EvaluationConfig settings() {
        TrainConfig base =
                checkpoint == null ? TrainConfig.defaults() : Checkpoint.readConfig(checkpoint);
        try {
            if (k != null) {
                base = base.with("evaluation.k", k.toString());
            }
            if (temperature != null) {
                base = base.with("evaluation.temperature", temperature.toString());
            }
            if (lists != null) {
                base = base.with("evaluation.lists", lists.toString());
            }
            if (probes != null) {
                base = base.with("evaluation.probes", probes.toString());
            }
            if (features != null) {
                base = base.with("evaluation.features", features);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return base.evaluation();
    }
}
