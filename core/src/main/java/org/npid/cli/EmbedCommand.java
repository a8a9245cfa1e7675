package org.npid.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.npid.checkpoint.Checkpoint;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.eval.Embeddings;
import org.npid.eval.ImageEmbedder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid embed}: a data set's embeddings to .npy plus a .tsv sidecar. */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = {
            "Embed every image of a data set with a trained checkpoint (test transform, no"
                    + " gradient) and write a NumPy .npy matrix (float32, or float16 with --fp16)"
                    + " and a .tsv sidecar mapping each row to its image and label.",
            "--engine onnx runs the network in ONNX Runtime instead of libtorch: an .onnx file"
                    + " that npid export --format onnx wrote (the default engine for one), or a"
                    + " checkpoint exported in memory."
        })
final class EmbedCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--split",
            defaultValue = "TRAIN",
            description = "train or test (default ${DEFAULT-VALUE}).")
    Split split;

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "FILE",
            description = "last.ckpt or its run directory, or an .onnx model npid exported.")
    Path checkpoint;

    @Mixin InferenceEngine engine;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "Images to embed.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE.npy")
    Path out;

    @Option(
            names = "--overwrite",
            description = "Replace an existing file at OUT that npid did not write.")
    boolean overwrite;

    @Option(
            names = "--views",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Embed N augmented views of each image (the checkpoint's training"
                            + " augmentation; rows view-major) instead of one test-transform row;"
                            + " default 0.")
    int views;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the augmented views.")
    long seed;

    @Mixin NativeThreads threads;

    @Option(names = "--fp16", description = "Write float16 (half the size).")
    boolean fp16;

    @Override
    public Integer call() {
        Path sidecar = Embeddings.sidecarOf(out);
        OutputFiles.check(
                out,
                overwrite,
                OutputFiles.embeddings(sidecar),
                List.of(data, Checkpoint.file(checkpoint)),
                sidecar);
        threads.apply();
        Embeddings.Report r;
        // Augmented views need the checkpoint's training augmentation, which runs on libtorch.
        InferenceEngine.Engine chosen =
                views != 0 && engine.engine == null && !InferenceEngine.isOnnx(checkpoint)
                        ? InferenceEngine.Engine.PYTORCH
                        : engine.chosen(checkpoint);
        if (chosen == InferenceEngine.Engine.ONNX) {
            if (views != 0) {
                throw new IllegalArgumentException(
                        "--views needs the checkpoint's training augmentation, which runs on"
                                + " --engine pytorch with a checkpoint: drop --views or --engine"
                                + " onnx");
            }
            ImageDataset images = Datasets.open(data, split);
            try (ImageEmbedder model =
                    engine.open(checkpoint, images.channels(), threads.threads)) {
                r = Embeddings.export(model, images, out, fp16, 2);
            }
        } else {
            InferenceEngine.requireCheckpoint(checkpoint);
            r = Embeddings.export(checkpoint, data, split, out, fp16, 2, views, seed);
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "embedded %d rows (d=%d) in %.1f s, %.0f rows/s on %s%nwrote %s and %s%n",
                        r.rows(),
                        r.dim(),
                        r.seconds(),
                        r.imagesPerSecond(),
                        chosen == InferenceEngine.Engine.ONNX ? "ONNX Runtime" : "PyTorch",
                        r.npy(),
                        r.sidecar());
        return 0;
    }
}
