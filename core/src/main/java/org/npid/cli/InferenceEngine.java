package org.npid.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.npid.eval.ImageEmbedder;
import org.npid.eval.OnnxModel;
import org.npid.eval.TrainedModel;
import org.npid.export.OnnxExport;
import org.npid.model.Devices;
import picocli.CommandLine.Option;

/**
 * {@code --engine} of the commands that embed images with a trained model ({@code embed}, {@code
 * search --image}, {@code serve}): libtorch through DJL, or ONNX Runtime on an exported model.
 */
final class InferenceEngine {

    /** What {@code --engine} names. */
    enum Engine {
        PYTORCH,
        ONNX
    }

    @Option(
            names = "--engine",
            paramLabel = "ENGINE",
            description =
                    "onnx (ONNX Runtime through DJL: an .onnx model npid exported, or the"
                            + " checkpoint exported in memory) or pytorch (libtorch through DJL);"
                            + " default: onnx on a CPU (faster: docs/EXPORT.md), pytorch on a GPU"
                            + " and for --views.")
    Engine engine;

    /** Whether {@code model} is an .onnx file rather than a checkpoint or run directory. */
    static boolean isOnnx(Path model) {
        return Files.isRegularFile(model)
                && model.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
    }

    /**
     * Opens {@code model} on the chosen engine for images of the channels it was trained on.
     *
     * @param model a checkpoint, its run directory, or an .onnx model
     * @param threads ONNX Runtime's intra-op threads (0 = one per core); PyTorch's are set apart
     * @return the open model
     */
    ImageEmbedder open(Path model, int threads) {
        if (chosen(model) == Engine.PYTORCH) {
            requireCheckpoint(model);
            return TrainedModel.load(model);
        }
        return isOnnx(model)
                ? OnnxModel.open(model, threads)
                : OnnxModel.of(OnnxExport.model(model), threads);
    }

    /** Refuses an .onnx model where the PyTorch engine needs a checkpoint. */
    static void requireCheckpoint(Path model) {
        if (isOnnx(model)) {
            throw new IllegalArgumentException(
                    "--checkpoint "
                            + model
                            + " is an ONNX model: run it with --engine onnx, or give the"
                            + " checkpoint it was exported from");
        }
    }

    /**
     * The engine asked for, or the default for {@code model}: ONNX Runtime for an .onnx file, and
     * for a checkpoint on a CPU, where it embedded more images a second than libtorch in less
     * memory at every size measured (docs/EXPORT.md); libtorch on a GPU, which npid's ONNX Runtime
     * (the CPU build) cannot use.
     */
    Engine chosen(Path model) {
        if (engine != null) {
            return engine;
        }
        if (isOnnx(model)) {
            return Engine.ONNX;
        }
        return switch (Devices.choice()) {
            case CPU -> Engine.ONNX;
            case GPU -> Engine.PYTORCH;
            case AUTO -> Devices.best().isGpu() ? Engine.PYTORCH : Engine.ONNX;
        };
    }

    /**
     * Opens {@code model} on the chosen engine for images of {@code channels} channels.
     *
     * @param model a checkpoint, its run directory, or an .onnx model
     * @param channels the images' channels; a model trained on the other kind is refused
     * @param threads ONNX Runtime's intra-op threads (0 = one per core); PyTorch's are set apart
     * @return the open model
     */
    ImageEmbedder open(Path model, int channels, int threads) {
        if (chosen(model) == Engine.PYTORCH) {
            requireCheckpoint(model);
            return TrainedModel.load(model, channels);
        }
        ImageEmbedder onnx = open(model, threads);
        if (onnx.channels() != channels) {
            onnx.close();
            throw new IllegalArgumentException(
                    "the model was trained on "
                            + onnx.channels()
                            + "-channel images but the data has "
                            + channels
                            + ": use a model trained on this kind of image, or convert the images");
        }
        return onnx;
    }
}
