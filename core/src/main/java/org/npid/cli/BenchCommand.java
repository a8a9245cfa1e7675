package org.npid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.npid.bench.Benchmarks;
import org.npid.bench.KnnBench;
import org.npid.bench.NativeCalls;
import org.npid.bench.StepBench;
import org.npid.machine.RuntimeRecord;
import org.npid.storage.AtomicFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code npid bench}: timings of the step, data pipeline, kNN and a whole epoch. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = BenchEnginesCommand.class,
        description = {
            "Measure where the time goes: the training step (images/s, share of each phase), the"
                    + " data pipeline, weighted kNN, peak memory and one whole epoch. Prints a"
                    + " table and writes JSON. --quick runs tiny sizes in seconds (used by CI)."
        })
final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--out",
            defaultValue = "bench.json",
            description = "JSON output (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--overwrite",
            description = "Replace an existing file at OUT that npid did not write.")
    boolean overwrite;

    @Option(
            names = "--checkpoint",
            paramLabel = "FILE",
            description =
                    "A quarter-width Fashion-MNIST checkpoint whose trained features (d) recomputes"
                            + " and classifies; default an untrained network.")
    Path checkpoint;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            description = "Timed repeats (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--inputs",
            split = ",",
            description =
                    "Inputs (default both): 1x28 (Fashion-MNIST, n=60k), 3x32 (CIFAR-10, n=50k).")
    List<String> inputs;

    @Option(
            names = "--steps",
            defaultValue = "5",
            description = "Steps per repeat (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--threads", split = ",", description = "Thread counts to try (default 1,2).")
    List<Integer> threads;

    @Option(
            names = "--fashion-mnist",
            defaultValue = "/usr/share/datasets/fashion-mnist",
            description = "IDX folder (default ${DEFAULT-VALUE}); skipped if absent.")
    Path fashionMnist;

    @Option(
            names = "--cifar-jpg",
            description = "CIFAR-10 JPEG folder (with train/); skipped if absent.")
    Path cifar;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            description = "Untimed warm-up steps (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--objectives",
            split = ",",
            description =
                    "Step objectives (default all): NCE, NCE_GATHER, NCE_SHARED, SOFTMAX, PLAIN.")
    List<StepBench.Objective> objectives;

    @Option(names = "--quick", description = "Tiny sizes: checks the bench runs, measures nothing.")
    boolean quick;

    @Option(names = "--widths", split = ",", description = "Network widths (default 0.25,1.0).")
    List<Double> widths;

    @Option(names = "--no-epoch", description = "Skip the whole-epoch run.")
    boolean noEpoch;

    @Override
    public Integer call() throws Exception {
        // Before minutes of measuring: a file that is not an earlier bench's is the user's.
        OutputFiles.check(out, overwrite, OutputFiles.bench(), List.of());
        // Defaults here, not in @Option: picocli appends user values to a list's default.
        threads = orDefault(threads, List.of(1, 2));
        widths = orDefault(widths, List.of(0.25, 1.0));
        inputs = orDefault(inputs, List.of("1x28", "3x32"));
        objectives = orDefault(objectives, List.of(StepBench.Objective.values()));
        RuntimeRecord.setThreads(threads.get(threads.size() - 1));
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // --quick keeps the user's sizes and inputs but times almost nothing, on one thread count.
        Benchmarks.Options opts =
                new Benchmarks.Options(
                        quick,
                        quick ? 2 : repeats,
                        quick ? 2 : steps,
                        quick ? 1 : warmup,
                        quick ? threads.subList(0, 1) : threads,
                        widths,
                        inputs,
                        fashionMnist,
                        cifar,
                        !noEpoch,
                        objectives,
                        checkpoint);
        Benchmarks.Report r =
                Benchmarks.run(
                        opts,
                        msg -> {
                            err.println("bench: " + msg);
                            err.flush();
                        });
        o.printf("machine: %s%n", r.machine());
        o.println();
        o.println(
                "(a,c,e) training step             img/s (median, ±spread)  s/step  fwd  loss  bwd  sgd  bank  peakRSS MiB  drift MiB  aten ops/step (from Java + backward)  outside them");
        for (StepBench.Result s : r.steps()) {
            o.printf(
                    Locale.ROOT,
                    "%-34s %8.1f ±%4.1f%%  %7.3f  %3.0f%% %4.1f%% %3.0f%% %3.0f%% %4.1f%%  %8.0f  %6.1f  %s%n",
                    s.config().label(),
                    s.imagesPerSecond().median(),
                    s.imagesPerSecond().spreadPercent(),
                    s.secondsPerStep(),
                    100 * s.forwardShare(),
                    100 * s.lossShare(),
                    100 * s.backwardShare(),
                    100 * s.optimizerShare(),
                    100 * s.bankShare(),
                    s.peakRssMiB(),
                    s.rssDriftMiB(),
                    calls(s.nativeCalls()));
        }
        o.println();
        for (Benchmarks.DataResult d : r.data()) {
            o.printf(
                    Locale.ROOT,
                    "(b) data %-14s decode %8.0f img/s (once, into the cache)  augment %8.0f img/s per thread%n",
                    d.dataset(),
                    d.decodeImagesPerSecond(),
                    d.augment().imagesPerSecondPerThread());
        }
        for (KnnBench.Result k : r.knn()) {
            o.printf(
                    Locale.ROOT,
                    "(d) kNN %-11s %d queries x %d bank x %d, k=%d: %.3f s (min %.3f, max %.3f)  recall %.4f  peakRSS %.0f MiB%n",
                    k.method(),
                    k.queries(),
                    k.bankRows(),
                    k.dim(),
                    k.k(),
                    k.seconds().median(),
                    k.seconds().min(),
                    k.seconds().max(),
                    k.recall(),
                    k.peakRssMiB());
        }
        for (Benchmarks.EmbedResult e : r.embed()) {
            o.printf(
                    Locale.ROOT,
                    "(d) recompute %d %s features (%s network): %.1f s, then kNN exact %.3f s (min %.3f, max %.3f; top-1 %.2f%%), %s %.3f s (min %.3f, max %.3f; top-1 %.2f%%, recall %.4f)%n",
                    e.images(),
                    e.dataset(),
                    e.network(),
                    e.embedSeconds(),
                    e.knnSeconds().median(),
                    e.knnSeconds().min(),
                    e.knnSeconds().max(),
                    100 * e.knnTop1(),
                    e.ivf(),
                    e.ivfSeconds().median(),
                    e.ivfSeconds().min(),
                    e.ivfSeconds().max(),
                    100 * e.ivfTop1(),
                    e.ivfRecall());
        }
        if (r.epoch() != null) {
            o.printf(
                    Locale.ROOT,
                    "(f) one epoch %s quarter width: %d steps, training %.1f s, with loader start-up and kNN monitor %.1f s; RSS %.0f MiB after a tenth, %.0f MiB at the end (max %.0f)%n",
                    r.epoch().dataset(),
                    r.epoch().steps(),
                    r.epoch().trainSeconds(),
                    r.epoch().totalSeconds(),
                    r.epoch().rssAfterTenthMiB(),
                    r.epoch().rssLastStepMiB(),
                    r.epoch().rssMaxMiB());
        }
        // Atomically: a crash or a full disk keeps the earlier file whole.
        AtomicFile.writeString(
                out,
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                        .writeValueAsString(r));
        o.println("wrote " + out);
        return 0;
    }

    private static <T> List<T> orDefault(List<T> given, List<T> fallback) {
        return given == null || given.isEmpty() ? fallback : given;
    }

    /** "412 + 188 9.1 %": native operators per step from Java and from backward, time outside. */
    private static String calls(NativeCalls c) {
        if (c == null) {
            return "n/a";
        }
        return String.format(
                Locale.ROOT,
                "%.0f + %.0f  %.1f%%",
                c.fromJavaPerStep(),
                c.backwardPerStep(),
                100 * c.outsideShare());
    }
}
