package org.npid.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npid.checkpoint.Checkpoint;
import org.npid.export.TorchvisionExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid export}: a checkpoint's network as safetensors in torchvision's ResNet names. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = {
            "Write the network of a checkpoint (backbone and embedding head, float32) as a"
                    + " safetensors file whose tensor names are torchvision's ResNet names"
                    + " (conv1.weight, layer1.0.bn1.running_mean, …, fc.weight), and FILE.json"
                    + " beside it: architecture, stem, width, input normalisation, the run's"
                    + " config, every tensor's shape and the PyTorch lines that load it."
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
            paramLabel = "FILE.safetensors",
            description = "The weights file; FILE.json is written beside it.")
    Path out;

    @Option(
            names = "--overwrite",
            description = "Replace an existing file at OUT that npid did not write.")
    boolean overwrite;

    @Override
    public Integer call() {
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
