package org.npid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.eval.ImageEmbedder;
import org.npid.eval.OnnxModel;
import org.npid.eval.TrainedModel;
import org.npid.machine.NativeLibraries;
import org.npid.machine.RuntimeRecord;

/**
 * Inference speed and memory of npid's two engines on the same model and images: libtorch through
 * DJL's PyTorch engine against ONNX Runtime through DJL's ONNX Runtime engine. Each measurement
 * runs in a JVM of its own, so that its peak resident memory is that engine's alone (a JVM that had
 * loaded libtorch keeps its pages), and the engines alternate A B B A so that a machine that slows
 * down over the run slows both alike.
 *
 * <p>A measurement embeds the images {@code warmup} times untimed (the first pass also fills the
 * image cache), then {@code repeats} times timed: decoding from the cache, the test transform and
 * the network, as {@code npid embed} does.
 */
public final class EngineBench {

    /** The prefix of the one line a measuring JVM prints: its {@link Run} as JSON. */
    static final String RESULT_LINE = "npid-engine-bench ";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Decoding threads, as {@code npid embed} uses. */
    private static final int WORKERS = 2;

    private EngineBench() {}

    /** An engine that runs a trained npid model. */
    public enum Engine {
        PYTORCH,
        ONNX
    }

    /**
     * What to measure.
     *
     * @param checkpoint the trained model, for the PyTorch engine
     * @param onnx the same model exported by {@code npid export --format onnx}, for ONNX Runtime
     * @param data images (a folder, or a data set whose test split is used)
     * @param images how many of them (the first ones), 0 for all
     * @param batchSize images per forward pass
     * @param threads native intra-op threads of either engine
     * @param warmup untimed passes over the images
     * @param repeats timed passes
     * @param rounds A B B A blocks; each block is one JVM per engine
     */
    public record Options(
            Path checkpoint,
            Path onnx,
            Path data,
            int images,
            int batchSize,
            int threads,
            int warmup,
            int repeats,
            int rounds) {
        public Options {
            if (images < 0) {
                throw new IllegalArgumentException("images must be >= 0 (0 = all), got " + images);
            }
            if (batchSize < 1 || threads < 1 || repeats < 1 || rounds < 1 || warmup < 0) {
                throw new IllegalArgumentException(
                        "batchSize, threads, repeats and rounds must be >= 1 and warmup >= 0");
            }
        }
    }

    /**
     * One engine's measurement in its own JVM.
     *
     * @param engine the engine
     * @param images images per pass
     * @param imagesPerSecond images per second over the timed passes
     * @param peakRssMiB the JVM's peak resident memory (VmHWM) over its whole life
     * @param libtorchLoaded whether libtorch was mapped into the JVM at the end
     */
    public record Run(
            Engine engine,
            int images,
            Stats imagesPerSecond,
            double peakRssMiB,
            boolean libtorchLoaded) {}

    /**
     * Runs {@code options.rounds()} A B B A blocks, each measurement in a fresh JVM.
     *
     * @param options what to measure
     * @param log progress lines
     * @return the runs in the order they ran
     */
    public static List<Run> compare(Options options, Consumer<String> log) {
        List<Run> runs = new ArrayList<>();
        for (int round = 0; round < options.rounds(); round++) {
            for (Engine e : List.of(Engine.PYTORCH, Engine.ONNX, Engine.ONNX, Engine.PYTORCH)) {
                log.accept("round " + (round + 1) + ": " + e.name().toLowerCase(Locale.ROOT));
                runs.add(inChildJvm(e, options));
            }
        }
        return runs;
    }

    /** The median of every run's median images/s for {@code engine}. */
    public static Stats summary(List<Run> runs, Engine engine) {
        return Stats.of(
                runs.stream()
                        .filter(r -> r.engine() == engine)
                        .mapToDouble(r -> r.imagesPerSecond().median())
                        .toArray());
    }

    private static Run inChildJvm(Engine engine, Options o) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same heap, -D properties (offline, no tracking) and agents as this JVM.
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(EngineBench.class.getName());
        cmd.add(engine.name());
        cmd.add((engine == Engine.ONNX ? o.onnx() : o.checkpoint()).toString());
        cmd.add(o.data().toString());
        for (int v : new int[] {o.images(), o.batchSize(), o.threads(), o.warmup(), o.repeats()}) {
            cmd.add(Integer.toString(v));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        try {
            Process p = pb.start();
            Run result = null;
            StringBuilder tail = new StringBuilder();
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith(RESULT_LINE)) {
                        result = JSON.readValue(line.substring(RESULT_LINE.length()), Run.class);
                    } else {
                        tail.append(line).append('\n');
                        if (tail.length() > 4000) {
                            tail.delete(0, tail.length() - 4000);
                        }
                    }
                }
            }
            int exit = p.waitFor();
            if (exit != 0 || result == null) {
                throw new IllegalStateException(
                        "the "
                                + engine
                                + " measurement's JVM exited with "
                                + exit
                                + " and no result; its last output:\n"
                                + tail);
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for the " + engine + " run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the " + engine + " run ran", e);
        }
    }

    /**
     * Measures one engine in this JVM.
     *
     * @param engine the engine
     * @param model a checkpoint (PyTorch) or an .onnx file (ONNX Runtime)
     * @param data the images
     * @param images how many (0 = all)
     * @param batchSize images per forward pass
     * @param threads native intra-op threads
     * @param warmup untimed passes
     * @param repeats timed passes
     * @return the measurement
     */
    public static Run measure(
            Engine engine,
            Path model,
            Path data,
            int images,
            int batchSize,
            int threads,
            int warmup,
            int repeats) {
        ImageDataset all = Datasets.open(data, Split.TEST);
        ImageDataset set = images > 0 && images < all.size() ? Subset.first(all, images) : all;
        RuntimeRecord.setThreads(threads);
        double[] rates = new double[repeats];
        try (ImageEmbedder m =
                engine == Engine.ONNX
                        ? OnnxModel.open(model, threads)
                        : TrainedModel.load(model, set.channels())) {
            for (int i = 0; i < warmup; i++) {
                m.embed(set, batchSize, WORKERS);
            }
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                m.embed(set, batchSize, WORKERS);
                rates[i] = set.size() / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return new Run(
                engine,
                set.size(),
                Stats.of(rates),
                PeakMemory.peakMiB(),
                NativeLibraries.mapped("libtorch"));
    }

    /**
     * A measuring JVM: {@code ENGINE MODEL DATA IMAGES BATCH THREADS WARMUP REPEATS}; prints its
     * {@link Run} as one JSON line after {@link #RESULT_LINE}.
     *
     * @param args the arguments above
     * @throws IOException if the result cannot be written as JSON
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 8) {
            System.err.println(
                    "usage: EngineBench ENGINE MODEL DATA IMAGES BATCH THREADS WARMUP REPEATS");
            System.exit(2);
        }
        Run r =
                measure(
                        Engine.valueOf(args[0]),
                        Path.of(args[1]),
                        Path.of(args[2]),
                        Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]),
                        Integer.parseInt(args[6]),
                        Integer.parseInt(args[7]));
        System.out.println(RESULT_LINE + JSON.writeValueAsString(r));
        System.out.flush();
        // DJL's native engines keep non-daemon threads; the measurement is done.
        System.exit(0);
    }
}
