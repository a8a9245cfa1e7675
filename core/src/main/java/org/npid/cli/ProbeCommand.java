package org.npid.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npid.eval.Probe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid probe}: linear classifiers on frozen features of each stage (paper Table 2). */
@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        description = {
            "Fit a linear classifier (multinomial logistic regression, L2) on the frozen features"
                    + " of each stage of a checkpoint's network (stem, layer1-4, embedding), pooled"
                    + " to at most 10,000 dimensions, using the training labels; print the test"
                    + " top-1 of each, like the paper's Table 2."
        })
final class ProbeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin RequiredCheckpoint checkpoint;

    @Mixin NativeThreads threads;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "Labelled data with train and test splits.")
    Path data;

    @Option(
            names = "--epochs",
            defaultValue = "5",
            description = "SGD epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--lr",
            defaultValue = "0.1",
            description = "Learning rate, cosine-decayed (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(
            names = "--weight-decay",
            defaultValue = "1e-4",
            description = "L2 (default ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(
            names = "--train-images",
            defaultValue = "0",
            description =
                    "Fit on a seeded subset of this many training images, the one a run with"
                            + " train_images of that many and the checkpoint's seed trained on (0 ="
                            + " all).")
    int trainImages;

    @Override
    public Integer call() {
        threads.apply();
        List<Probe.StageResult> rows =
                Probe.run(
                        checkpoint.file,
                        data,
                        new Probe.Settings(epochs, lr, weightDecay, 256, 1),
                        trainImages);
        var out = spec.commandLine().getOut();
        out.println("stage        dims   linear top-1");
        for (Probe.StageResult r : rows) {
            out.printf(Locale.ROOT, "%-10s %6d   %6.2f%%%n", r.stage(), r.dims(), 100 * r.top1());
        }
        return 0;
    }
}
