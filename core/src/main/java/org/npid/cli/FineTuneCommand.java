package org.npid.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.npid.finetune.FineTune;
import org.npid.finetune.FineTuneConfig;
import org.npid.finetune.FineTuneResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code npid finetune}: semi-supervised fine-tuning on a fraction of the labels (Figure 6). */
@Command(
        name = "finetune",
        mixinStandardHelpOptions = true,
        description = {
            "Fine-tune a checkpoint's network with a new linear classifier on a class-balanced"
                    + " fraction of the training labels (cross-entropy, SGD, cosine learning"
                    + " rate, the run's augmentation) and print its test top-1, like the paper's"
                    + " Figure 6. --scratch trains the same architecture from random weights on"
                    + " the same labels; --compare runs both."
        })
final class FineTuneCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin RequiredCheckpoint checkpoint;

    @Mixin NativeThreads threads;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "Labelled data with a train and a test split.")
    Path data;

    @Option(
            names = "--labels",
            split = ",",
            defaultValue = "0.01",
            paramLabel = "FRACTION",
            description =
                    "Share of each class's training labels used, in (0, 1]; a comma list runs"
                            + " each, e.g. 0.01,0.02,0.04,0.1,0.2 (default ${DEFAULT-VALUE}).")
    List<Double> labels;

    @Option(
            names = "--scratch",
            description =
                    "Train the checkpoint's architecture from random weights (the checkpoint still"
                            + " gives the input size, normalisation and augmentation).")
    boolean scratch;

    @Option(
            names = "--compare",
            description = "Run fine-tuned and from scratch for each fraction; print both.")
    boolean compare;

    @Option(
            names = "--steps",
            defaultValue = "500",
            description = "SGD steps per run (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--batch-size",
            defaultValue = "128",
            description = "Images per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--lr",
            defaultValue = "0.03",
            description = "Learning rate, cosine-decayed to 0 (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Chooses the labelled images, batches and new weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--test-images",
            defaultValue = "0",
            description =
                    "Evaluate on a seeded random N test images; 0 = all (default ${DEFAULT-VALUE}).")
    int testImages;

    @Override
    public Integer call() {
        if (scratch && compare) {
            throw new ParameterException(
                    spec.commandLine(), "give --scratch or --compare, not both");
        }
        FineTuneConfig base;
        List<FineTuneConfig> runs;
        try {
            base = config();
            // Every fraction is checked before the first run starts.
            runs = labels.stream().map(base::withLabelFraction).toList();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        threads.apply();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                "%d steps of %d images, lr %s, seed %d%n",
                base.steps(), base.batchSize(), base.lr(), base.seed());
        out.println(
                compare
                        ? "fraction  labelled  fine-tuned top-1  scratch top-1"
                        : "fraction  labelled  " + (scratch ? "scratch" : "fine-tuned") + " top-1");
        out.flush();
        for (FineTuneConfig c : runs) {
            FineTuneResult tuned = FineTune.run(checkpoint.file, data, c);
            if (compare) {
                FineTuneResult fromScratch =
                        FineTune.run(checkpoint.file, data, c.withScratch(true));
                out.printf(
                        "%8s  %8d  %15.2f%%  %12.2f%%%n",
                        plain(c.labelFraction()),
                        tuned.labelledImages(),
                        100 * tuned.top1(),
                        100 * fromScratch.top1());
            } else {
                out.printf(
                        "%8s  %8d  %" + (scratch ? 12 : 15) + ".2f%%%n",
                        plain(c.labelFraction()),
                        tuned.labelledImages(),
                        100 * tuned.top1());
            }
            out.flush();
        }
        return 0;
    }

    /** The settings the options give, for the first fraction. */
    FineTuneConfig config() {
        FineTuneConfig d = FineTuneConfig.defaults();
        return new FineTuneConfig(
                labels.get(0),
                steps,
                batchSize,
                lr,
                d.momentum(),
                d.weightDecay(),
                seed,
                d.threads(),
                d.workers(),
                scratch,
                testImages);
    }

    /** 0.01 as "0.01", not "1.0E-2". */
    private static String plain(double fraction) {
        return BigDecimal.valueOf(fraction).stripTrailingZeros().toPlainString();
    }
}
