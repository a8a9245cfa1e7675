package org.npid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.npid.bench.EngineBench;
import org.npid.bench.Stats;
import org.npid.export.OnnxExport;
import org.npid.machine.Cpu;
import org.npid.storage.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code npid bench engines}: inference on libtorch against ONNX Runtime, same model and images.
 */
@Command(
        name = "engines",
        mixinStandardHelpOptions = true,
        description = {
            "Compare the two inference engines on one trained model: images/s of npid embed's work"
                    + " (cache, test transform, network) and each JVM's peak memory, PyTorch"
                    + " (libtorch) against ONNX Runtime, each run in a JVM of its own, in A B B A"
                    + " order."
        })
final class BenchEnginesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--checkpoint",
            required = true,
            paramLabel = "RUN",
            description = "The trained model (a run directory or its last.ckpt).")
    Path checkpoint;

    @Option(
            names = "--onnx",
            paramLabel = "FILE",
            description =
                    "The checkpoint's ONNX export; default: exported into a temporary file,"
                            + " deleted at the end.")
    Path onnx;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description = "Images: a folder, or a data set whose test split is used.")
    Path data;

    @Option(
            names = "--images",
            defaultValue = "2000",
            description =
                    "How many of the images, the first ones; 0 = all (default ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--batch",
            defaultValue = "256",
            description = "Images per forward pass, as npid embed (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Native threads of either engine (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--warmup",
            defaultValue = "1",
            description =
                    "Untimed passes; the first fills the image cache (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "Timed passes per JVM (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            description = "A B B A blocks (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
            names = "--out",
            defaultValue = "bench-engines.json",
            description = "JSON output (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--overwrite",
            description = "Replace an existing file at OUT that npid did not write.")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        OutputFiles.check(out, overwrite, OutputFiles.bench(), List.of(data, checkpoint));
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path tmp = null;
        Path model = onnx;
        if (model == null) {
            tmp = Files.createTempDirectory("npid-bench-engines");
            model = tmp.resolve("model.onnx");
            OnnxExport.export(checkpoint, model);
        }
        List<EngineBench.Run> runs;
        try {
            runs =
                    EngineBench.compare(
                            new EngineBench.Options(
                                    checkpoint,
                                    model,
                                    data,
                                    images,
                                    batch,
                                    threads,
                                    warmup,
                                    repeats,
                                    rounds),
                            msg -> {
                                err.println("bench engines: " + msg);
                                err.flush();
                            });
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(model);
                Files.deleteIfExists(tmp);
            }
        }
        o.printf("machine: %s, %d threads%n", Cpu.current(), threads);
        o.println(
                "engine    images  img/s (median, min-max of the timed passes)  peak RSS MiB  libtorch loaded");
        for (EngineBench.Run r : runs) {
            o.printf(
                    Locale.ROOT,
                    "%-8s %7d  %9.1f (%.1f-%.1f)  %12.0f  %s%n",
                    r.engine().name().toLowerCase(Locale.ROOT),
                    r.images(),
                    r.imagesPerSecond().median(),
                    r.imagesPerSecond().min(),
                    r.imagesPerSecond().max(),
                    r.peakRssMiB(),
                    r.libtorchLoaded() ? "yes" : "no");
        }
        Stats pt = EngineBench.summary(runs, EngineBench.Engine.PYTORCH);
        Stats ort = EngineBench.summary(runs, EngineBench.Engine.ONNX);
        o.printf(
                Locale.ROOT,
                "median over JVMs: pytorch %.1f img/s, onnx %.1f img/s; onnx/pytorch %.2f%n",
                pt.median(),
                ort.median(),
                ort.median() / pt.median());
        try {
            AtomicFile.writeString(
                    out,
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsString(report(runs)));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not write "
                            + out
                            + " ("
                            + e
                            + "): free disk space or choose another --out",
                    e);
        }
        o.println("wrote " + out);
        return 0;
    }

    /** The JSON: "machine" first, which is how a later run knows the file as a bench's. */
    private Map<String, Object> report(List<EngineBench.Run> runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("machine", Cpu.current().toString());
        m.put("threads", threads);
        m.put("images", images);
        m.put("batch", batch);
        m.put("runs", runs);
        return m;
    }
}
