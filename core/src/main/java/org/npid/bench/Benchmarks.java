package org.npid.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.npid.config.EvaluationConfig;
import org.npid.config.TrainConfig;
import org.npid.data.AugmentationParams;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.ImageFolderDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.data.TestTransform;
import org.npid.data.TrainAugmentation;
import org.npid.eval.FeatureExtractor;
import org.npid.eval.KnnEvaluation;
import org.npid.eval.LabelledSplits;
import org.npid.eval.TrainedModel;
import org.npid.machine.Cpu;
import org.npid.machine.Host;
import org.npid.machine.NativeHeap;
import org.npid.model.Arch;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;
import org.npid.train.EpochMetrics;
import org.npid.train.NpidTraining;
import org.npid.train.TrainListener;
import org.npid.train.TrainResult;

/**
 * The project's benchmark suite (`npid bench`): the training step, the data pipeline, the share of
 * the step in loss and bank update, kNN, peak memory and one whole epoch. Timings live here and in
 * docs/BENCHMARKS.md, never in unit tests.
 */
public final class Benchmarks {
    /** What to run. Paths may be null: the parts that need them are then skipped. */
    public record Options(
            boolean quick,
            int repeats,
            int stepsPerRepeat,
            int warmupSteps,
            List<Integer> threads,
            List<Double> widths,
            List<String> inputs,
            Path fashionMnist,
            Path cifarJpegs,
            boolean epoch,
            List<StepBench.Objective> objectives,
            Path checkpoint) {}

    /** Everything measured, with the machine it ran on. */
    public record Report(
            Map<String, Object> machine,
            Options options,
            List<StepBench.Result> steps,
            List<DataResult> data,
            List<KnnBench.Result> knn,
            List<EmbedResult> embed,
            EpochResult epoch) {}

    /** Decode (once, into the cache) and augmentation throughput for one data set. */
    public record DataResult(
            String dataset,
            int images,
            double decodeImagesPerSecond,
            DataPipelineBench.Result augment) {}

    /**
     * Recomputing the features of a whole data set with a quarter-width network ({@code network}:
     * "untrained" or the checkpoint's path), then the weighted kNN on them, exact and by inverted
     * lists, with each one's top-1 and the lists' recall of the exact neighbours.
     */
    public record EmbedResult(
            String dataset,
            String network,
            int images,
            double embedSeconds,
            Stats knnSeconds,
            double knnTop1,
            String ivf,
            Stats ivfSeconds,
            double ivfTop1,
            double ivfRecall) {}

    /**
     * One whole training epoch end to end, loader and per-epoch kNN monitor included, with the
     * process's resident memory sampled every 10 steps: after the first tenth of the epoch (once
     * the allocators have warmed up), at its last step, and the largest sample.
     */
    public record EpochResult(
            String dataset,
            int steps,
            double trainSeconds,
            double totalSeconds,
            double knnTop1,
            double rssAfterTenthMiB,
            double rssLastStepMiB,
            double rssMaxMiB) {}

    private Benchmarks() {}

    public static Report run(Options o, Consumer<String> progress) {
        List<StepBench.Result> steps = new ArrayList<>();
        StepBench.Case previous = null;
        for (StepBench.Case c : stepCases(o)) {
            if (previous == null
                    || previous.threads() != c.threads()
                    || previous.width() != c.width()) {
                // The first configuration after a change of threads or width ran up to twice as
                // slow as the same one measured later (Zen 5, docs/log/EXPERIMENTS.md), its
                // warm-up steps notwithstanding, while the native heap grew to the new sizes: one
                // discarded repeat pays that for it.
                progress.accept("warm-up " + c.label() + " (discarded)");
                StepBench.run(c, o.warmupSteps(), o.stepsPerRepeat(), 1);
            }
            previous = c;
            progress.accept("step " + c.label());
            steps.add(StepBench.run(c, o.warmupSteps(), o.stepsPerRepeat(), o.repeats()));
        }
        List<DataResult> data = new ArrayList<>();
        if (o.fashionMnist() != null && Files.isDirectory(o.fashionMnist())) {
            progress.accept("data pipeline: Fashion-MNIST IDX");
            data.add(dataBench("fashion-mnist", o.fashionMnist(), o.quick()));
        }
        if (o.cifarJpegs() != null && Files.isDirectory(o.cifarJpegs())) {
            progress.accept("data pipeline: CIFAR-10 JPEG folder");
            data.add(dataBench("cifar10-jpg", o.cifarJpegs(), o.quick()));
        }
        List<KnnBench.Result> knn = new ArrayList<>();
        progress.accept("kNN");
        knn.addAll(
                o.quick()
                        ? KnnBench.run(200, 2000, 128, 200, o.repeats())
                        : KnnBench.run(10_000, 60_000, 128, 200, o.repeats()));
        List<EmbedResult> embed = new ArrayList<>();
        if (o.fashionMnist() != null && Files.isDirectory(o.fashionMnist())) {
            progress.accept("recomputing Fashion-MNIST features + kNN");
            embed.add(embedBench(o));
        }
        EpochResult epoch = null;
        if (o.epoch()
                && !o.quick()
                && o.fashionMnist() != null
                && Files.isDirectory(o.fashionMnist())) {
            progress.accept("one whole epoch on Fashion-MNIST");
            epoch = epochBench(o);
        }
        return new Report(machine(), o, steps, data, knn, embed, epoch);
    }

    /** "CxS" (channels x side, e.g. 1x28 or 3x32) as {channels, side}. */
    static int[] parseInput(String input) {
        String[] parts = input.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        int c = parts.length == 2 ? parseOr(parts[0], -1) : -1;
        int side = parts.length == 2 ? parseOr(parts[1], -1) : -1;
        if ((c != 1 && c != 3) || side < 8) {
            throw new IllegalArgumentException(
                    "input '"
                            + input
                            + "' must be CHANNELSxSIDE with 1 or 3 channels and side >= 8,"
                            + " e.g. 1x28 or 3x32");
        }
        return new int[] {c, side};
    }

    private static int parseOr(String s, int fallback) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static List<StepBench.Case> stepCases(Options o) {
        List<StepBench.Case> cases = new ArrayList<>();
        if (o.quick()) {
            for (StepBench.Objective obj : o.objectives()) {
                cases.add(new StepBench.Case(0.125, 1, 16, obj, 500, 16, o.threads().get(0), 64));
            }
            return cases;
        }
        for (int t : o.threads()) {
            for (double width : o.widths()) {
                for (String input : o.inputs()) {
                    int[] cs = parseInput(input);
                    // The bank is the training set the input stands for: Fashion-MNIST or CIFAR-10.
                    int bankSize = cs[0] == 1 ? 60_000 : 50_000;
                    for (StepBench.Objective obj : o.objectives()) {
                        cases.add(
                                new StepBench.Case(
                                        width, cs[0], cs[1], obj, bankSize, 128, t, 4096));
                    }
                }
            }
        }
        return cases;
    }

    private static DataResult dataBench(String name, Path path, boolean quick) {
        long t0 = System.nanoTime();
        ImageDataset ds =
                Files.isDirectory(path.resolve("train")) && !name.contains("mnist")
                        ? ImageFolderDataset.open(path.resolve("train"))
                        : Datasets.open(path, Split.TRAIN);
        double decodeSeconds = (System.nanoTime() - t0) / 1e9;
        int size = ds.image(0).width();
        float[] mean = new float[ds.channels()];
        float[] std = new float[ds.channels()];
        java.util.Arrays.fill(mean, 0.5f);
        java.util.Arrays.fill(std, 0.25f);
        TrainAugmentation aug = new TrainAugmentation(AugmentationParams.official(size, mean, std));
        int images = quick ? 2_000 : 50_000;
        return new DataResult(
                name,
                ds.size(),
                ds.size() / decodeSeconds,
                DataPipelineBench.measure(ds, aug, images, 1));
    }

    /**
     * All 70k Fashion-MNIST images embedded by a quarter-width net (the checkpoint's if one is
     * given, else an untrained one), then the 10k×60k kNN, exact and by inverted lists.
     */
    private static EmbedResult embedBench(Options o) {
        ImageDataset train = Datasets.open(o.fashionMnist(), Split.TRAIN);
        ImageDataset test = Datasets.open(o.fashionMnist(), Split.TEST);
        StepBench.setThreads(o.threads().get(o.threads().size() - 1));
        ImageDataset trainPart = o.quick() ? Subset.first(train, 1000) : train;
        ImageDataset testPart = o.quick() ? Subset.first(test, 200) : test;
        if (o.checkpoint() != null) {
            try (TrainedModel model = TrainedModel.load(o.checkpoint(), 1)) {
                long t0 = System.nanoTime();
                float[] bank = model.embed(trainPart, 256, 2);
                float[] queries = model.embed(testPart, 256, 2);
                double embedSeconds = (System.nanoTime() - t0) / 1e9;
                return knnOn(
                        o.repeats(),
                        o.checkpoint().toString(),
                        model.manager(),
                        trainPart,
                        testPart,
                        bank,
                        queries,
                        embedSeconds);
            }
        }
        try (ai.djl.Model model = ai.djl.Model.newInstance("embed")) {
            NpidNet net = NpidNet.create(new NetworkShape(Arch.RESNET18, Stem.CIFAR, 0.25, 128, 1));
            model.setBlock(net);
            net.initialize(
                    model.getNDManager(),
                    ai.djl.ndarray.types.DataType.FLOAT32,
                    new ai.djl.ndarray.types.Shape(1, 1, 28, 28));
            TestTransform t = new TestTransform(28, new float[] {0.286f}, new float[] {0.353f});
            FeatureExtractor fx = new FeatureExtractor(net, 256, 2);
            long t0 = System.nanoTime();
            float[] bank = fx.extract(model.getNDManager(), trainPart, t);
            float[] queries = fx.extract(model.getNDManager(), testPart, t);
            double embedSeconds = (System.nanoTime() - t0) / 1e9;
            return knnOn(
                    o.repeats(),
                    "untrained",
                    model.getNDManager(),
                    trainPart,
                    testPart,
                    bank,
                    queries,
                    embedSeconds);
        }
    }

    private static EmbedResult knnOn(
            int repeats,
            String network,
            ai.djl.ndarray.NDManager manager,
            ImageDataset train,
            ImageDataset test,
            float[] bank,
            float[] queries,
            double embedSeconds) {
        // The vote of the one kNN evaluation that training, `npid knn` and the report use, timed
        // on features embedded once above.
        LabelledSplits splits = new LabelledSplits(train, test);
        EvaluationConfig paper = TrainConfig.defaults().evaluation();
        KnnEvaluation exact = KnnEvaluation.of(paper, 1);
        int lists = Math.min(KnnBench.LISTS, train.size());
        int probes = Math.min(KnnBench.PROBES, lists);
        KnnEvaluation ivf = KnnEvaluation.of(paper.withInvertedLists(lists, probes), 1);
        double exactTop1 = Double.NaN;
        double ivfTop1 = Double.NaN;
        double[] exactSeconds = new double[repeats];
        double[] ivfSeconds = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t1 = System.nanoTime();
            exactTop1 = exact.vote(manager, bank, splits, queries).top1();
            exactSeconds[r] = (System.nanoTime() - t1) / 1e9;
            long t2 = System.nanoTime();
            ivfTop1 = ivf.vote(manager, bank, splits, queries).top1();
            ivfSeconds[r] = (System.nanoTime() - t2) / 1e9;
        }
        int d = bank.length / train.size();
        double recall = KnnBench.recall(bank, queries, d, 200, lists, probes);
        return new EmbedResult(
                "fashion-mnist",
                network,
                train.size() + test.size(),
                embedSeconds,
                Stats.of(exactSeconds),
                exactTop1,
                "ivf " + lists + "/" + probes,
                Stats.of(ivfSeconds),
                ivfTop1,
                recall);
    }

    private static EpochResult epochBench(Options o) {
        Path runDir;
        try {
            runDir = Files.createTempDirectory("npid-bench-epoch");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, String> s = new java.util.HashMap<>();
        s.put("data", o.fashionMnist().toString());
        s.put("run_dir", runDir.toString());
        s.put("epochs", "1");
        // Time what every epoch costs (loader, steps, bank kNN monitor), not the final recompute.
        s.put("knn_recompute_at_end", "false");
        s.put("width", "0.25");
        s.put("threads", Integer.toString(o.threads().get(o.threads().size() - 1)));
        if (o.quick()) {
            s.put("max_steps_per_epoch", "5");
        }
        TrainConfig c = TrainConfig.resolve((java.io.InputStream) null, s);
        StepBench.setThreads(c.threads());
        double[] rss = {Double.NaN, Double.NaN, Double.NaN};
        TrainListener memory =
                new TrainListener() {
                    @Override
                    public void onStep(
                            int epoch, int step, int stepsPerEpoch, double loss, double ips) {
                        if (step % 10 != 0 && step != stepsPerEpoch) {
                            return;
                        }
                        double now = PeakMemory.currentMiB();
                        if (Double.isNaN(rss[0]) && step >= stepsPerEpoch / 10) {
                            rss[0] = now;
                        }
                        rss[1] = now;
                        rss[2] = Double.isNaN(rss[2]) ? now : Math.max(rss[2], now);
                    }
                };
        long t0 = System.nanoTime();
        TrainResult r = NpidTraining.run(c, false, memory);
        double total = (System.nanoTime() - t0) / 1e9;
        EpochMetrics m = r.last();
        return new EpochResult(
                "fashion-mnist",
                (int) Math.round(m.imagesPerSecond() * m.epochSeconds() / c.batchSize()),
                m.epochSeconds(),
                total,
                m.bankTop1(),
                rss[0],
                rss[1],
                rss[2]);
    }

    private static Map<String, Object> machine() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        Cpu cpu = Cpu.current();
        m.put("cpu", cpu.toString());
        m.put("cpu_vendor", cpu.vendor());
        m.put("cpu_family", cpu.family());
        m.put("cpu_model", cpu.model());
        // Under a hypervisor that takes back freed memory, figures depend on what ran before.
        m.put("host", Host.current().toString());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("java", System.getProperty("java.version"));
        m.put(
                "engine",
                ai.djl.engine.Engine.getInstance().getEngineName()
                        + " "
                        + ai.djl.engine.Engine.getInstance().getVersion());
        m.put("omp_wait_policy", System.getenv().getOrDefault("OMP_WAIT_POLICY", ""));
        // The step benchmarks run where training would: on the GPU when one is visible.
        m.put("device", org.npid.model.Devices.describe(org.npid.model.Devices.best()));
        m.put("native_heap", NativeHeap.describe());
        m.put("date", java.time.Instant.now().toString());
        return m;
    }
}
