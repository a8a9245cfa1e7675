package org.npid.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npid.checkpoint.Checkpoint;
import org.npid.export.OnnxExport;
import org.npid.export.OnnxNetwork;
import org.npid.export.TorchvisionExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code npid export}: a checkpoint's network as safetensors in torchvision's names, or as an ONNX
 * model.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Write the network of a checkpoint (backbone and embedding head, float32) as a"
                    + " safetensors file whose tensor names are torchvision's ResNet names"
                    + " (conv1.weight, layer1.0.bn1.running_mean, …, fc.weight), and FILE.json"
                    + " beside it: architecture, stem, width, input normalisation, the run's"
                    + " config, every tensor's shape and the PyTorch lines that load it.",
            "With --format onnx (the default for an OUT ending in .onnx): a standard ONNX model"
                    + " (opset 17, free batch dimension) that ONNX Runtime runs without libtorch:"
                    + " input 'image', pixels / 255 in [0, 1] NCHW with the normalisation inside;"
                    + " outputs 'embedding' (L2-normalised, as npid embed) and 'features' (the"
                    + " pooled backbone features); npid.* metadata say what it was made from."
        })
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "FILE",
            description = "last.ckpt or its run directory.")
    Path checkpoint;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description =
                    "The weights file (FILE.safetensors, with FILE.json beside it) or the ONNX"
                            + " model (FILE.onnx).")
    Path out;

    /** What {@code --format} names. */
    enum Format {
        SAFETENSORS,
        ONNX
    }

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            description =
                    "safetensors (torchvision's names, for PyTorch) or onnx (for ONNX Runtime and"
                            + " any ONNX runtime); default: onnx when OUT ends in .onnx, else"
                            + " safetensors.")
    Format format;

    @Option(
            names = "--overwrite",
            description = "Replace an existing file at OUT that npid did not write.")
    boolean overwrite;

    @Override
    public Integer call() {
        Format chosen =
                format != null
                        ? format
                        : out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")
                                ? Format.ONNX
                                : Format.SAFETENSORS;
        return chosen == Format.ONNX ? onnx() : safetensors();
    }

    private int onnx() {
        OutputFiles.check(
                out,
                overwrite,
                f -> OnnxExport.looksWritten(f) ? null : "not an ONNX model npid wrote",
                List.of(Checkpoint.file(checkpoint)));
        OnnxExport.Result r = OnnxExport.export(checkpoint, out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "wrote %s (ONNX opset %d, %s, %d operators, %,d float32 values)%n",
                r.file(),
                OnnxExport.OPSET,
                r.arch(),
                r.nodes(),
                r.parameters());
        o.printf(
                Locale.ROOT,
                "input '%s' [batch, %s, %s, %s]: pixels / 255 in [0, 1], normalisation inside;"
                        + " outputs '%s' [batch, %s] (L2-normalised) and '%s' [batch, %s]%n",
                OnnxNetwork.INPUT,
                r.metadata().get("npid.channels"),
                r.metadata().get("npid.image_size"),
                r.metadata().get("npid.image_size"),
                OnnxNetwork.EMBEDDING,
                r.metadata().get("npid.embedding_dim"),
                OnnxNetwork.FEATURES,
                r.metadata().get("npid.feature_dim"));
        return 0;
    }

    private int safetensors() {
        Path json = TorchvisionExport.sidecar(out);
        OutputFiles.check(
                out,
                overwrite,
                OutputFiles.export(json),
                List.of(Checkpoint.file(checkpoint)),
                json);
        TorchvisionExport.Result r = TorchvisionExport.export(checkpoint, out);
        PrintWriter o = spec.commandLine().getOut();
        o.printf(
                Locale.ROOT,
                "wrote %s (%d tensors, %,d float32 values, torchvision %s names) and %s%n",
                r.safetensors(),
                r.tensors(),
                r.parameters(),
                r.model(),
                r.json());
        o.println(
                r.strictLoad()
                        ? "loads into torchvision.models."
                                + r.model()
                                + "() with strict=True after the stem and fc lines in the JSON's"
                                + " \"pytorch\" entry"
                        : "torchvision.models."
                                + r.model()
                                + "() cannot load it as is: see the notes");
        for (String note : r.notes()) {
            o.println("note: " + note);
        }
        return 0;
    }
}
