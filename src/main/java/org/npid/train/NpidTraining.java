package org.npid.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.npid.data.AugmentConfig;
import org.npid.data.Batch;
import org.npid.data.BatchLoader;
import org.npid.data.TestTransform;
import org.npid.data.TrainAugmentation;
import org.npid.eval.FeatureExtractor;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;
import org.npid.index.InvertedLists;
import org.npid.index.Neighbours;
import org.npid.loss.InstanceObjective;
import org.npid.loss.NceLoss;
import org.npid.loss.NeighbourhoodSoftmax;
import org.npid.loss.NonParametricSoftmax;
import org.npid.loss.ProximalTerm;
import org.npid.memory.MemoryBank;
import org.npid.model.Devices;
import org.npid.model.NpidNet;

/**
 * The NPID training loop (Sec. 3): each step embeds an augmented batch, scores it against the
 * memory bank, takes an SGD step on the instance-discrimination loss, then writes the fresh
 * embeddings into the bank. Each epoch ends with a kNN evaluation, a metrics row and an atomic
 * checkpoint; a stop request ends the current step, saves, and returns.
 *
 * <p>Every random choice derives from the seed and the (epoch, step) position, so a run resumed
 * from any checkpoint continues exactly as the uninterrupted run would have.
 */
public final class NpidTraining {
    /** The checkpoint file inside the run directory. */
    public static final String CHECKPOINT = "last.ckpt";

    public static final String METRICS = "metrics.jsonl";
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final int EVAL_BATCH = 256;

    /**
     * Cells of the inverted lists probed for the neighbourhood table: 20 of 128 found 99.9 % of the
     * exact 200 neighbours of trained Fashion-MNIST test features (docs/BENCHMARKS.md), and cut the
     * 60k × 60k self-search of random unit vectors from 31–33 s to 7–8 s on one busy thread.
     */
    private static final int NEIGHBOUR_PROBES = 20;

    private NpidTraining() {}

    /** The training augmentation a config describes, for images of the given size and stats. */
    static TrainAugmentation augmentation(
            TrainConfig config, int imageSize, float[] mean, float[] std) {
        return new TrainAugmentation(
                new AugmentConfig(
                        imageSize,
                        config.cropScaleMin(),
                        1.0,
                        3.0 / 4,
                        4.0 / 3,
                        config.jitter(),
                        config.jitter(),
                        config.jitter(),
                        config.hue(),
                        config.grayscaleP(),
                        config.flip(),
                        mean,
                        std));
    }

    /**
     * Runs (or, with {@code resume}, continues) the training described by {@code config}.
     *
     * @throws TrainingException for bad input, a non-finite loss or an unwritable run directory
     */
    public static TrainResult run(TrainConfig config, boolean resume, TrainListener listener) {
        if (config.data() == null || config.data().isBlank()) {
            throw new TrainingException("no training data: pass --data PATH (or data: in YAML)");
        }
        Path runDir = Path.of(config.runDir());
        Path checkpoint = runDir.resolve(CHECKPOINT);
        if (resume && !Files.exists(checkpoint)) {
            throw new TrainingException(
                    "--resume: no checkpoint at " + checkpoint + "; run without --resume to start");
        }
        if (config.threads() > 0 && "PyTorch".equals(Engine.getInstance().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(config.threads());
        }
        RunData data = RunData.open(config, resume ? Checkpoint.readState(checkpoint) : null);
        prepareRunDir(runDir, config, data, resume);

        Engine.getInstance().setRandomSeed((int) config.seed());
        try (Model model = Model.newInstance("npid", Devices.best())) {
            NpidNet net = NpidNet.create(config.model(data.train().channels()));
            model.setBlock(net);
            PyTorchSgd sgd =
                    new PyTorchSgd(
                            (float) config.lr(),
                            (float) config.momentum(),
                            (float) config.weightDecay());
            DefaultTrainingConfig tc =
                    new DefaultTrainingConfig(Loss.l2Loss())
                            .optOptimizer(sgd)
                            .optDevices(new ai.djl.Device[] {model.getNDManager().getDevice()});
            try (Trainer trainer = model.newTrainer(tc)) {
                trainer.initialize(
                        new Shape(1, data.train().channels(), data.imageSize(), data.imageSize()));
                try (MemoryBank bank =
                        MemoryBank.random(
                                trainer.getManager(),
                                data.train().size(),
                                config.embeddingDim(),
                                config.bankMomentum(),
                                config.bankFp16(),
                                config.seed() ^ 0x5DEECE66DL)) {
                    InstanceObjective objective = objective(config);
                    Checkpoint.State start =
                            new Checkpoint.State(
                                    0,
                                    0,
                                    Double.NaN,
                                    0,
                                    0,
                                    data.mean(),
                                    data.std(),
                                    data.imageSize());
                    if (resume) {
                        start = Checkpoint.readState(checkpoint);
                        restoreInPlace(checkpoint, net, data, trainer.getManager());
                        Checkpoint.loadTrainingState(
                                checkpoint, net, bank, sgd, trainer.getManager());
                        objective.restore(start.objectiveState());
                        listener.onMessage(
                                "resumed from "
                                        + checkpoint
                                        + " at epoch "
                                        + (start.epoch() + 1)
                                        + ", step "
                                        + start.step());
                    }
                    // Made after the resume above, so that it starts from the restored weights.
                    try (WeightAverage average =
                            config.emaDecay() > 0
                                    ? new WeightAverage(
                                            net, trainer.getManager(), config.emaDecay())
                                    : null) {
                        if (resume && average != null) {
                            Checkpoint.loadAverage(checkpoint, average);
                        }
                        Loop loop =
                                new Loop(
                                        config, data, net, trainer, sgd, bank, average, objective,
                                        listener);
                        return loop.run(start, runDir, checkpoint, resume);
                    }
                }
            }
        }
    }

    /**
     * Copies a checkpoint's parameters into the live network's own arrays. The trainer already
     * holds those arrays (gradients, parameter store), so replacing them would leave it training
     * the old ones.
     */
    private static void restoreInPlace(
            Path checkpoint, NpidNet net, RunData data, NDManager parent) {
        try (NDManager scope = parent.newSubManager()) {
            NpidNet saved = NpidNet.create(net.config());
            saved.initialize(
                    scope,
                    DataType.FLOAT32,
                    new Shape(1, data.train().channels(), data.imageSize(), data.imageSize()));
            Checkpoint.loadNetwork(checkpoint, saved, scope);
            var from = saved.getParameters();
            var to = net.getParameters();
            for (int i = 0; i < to.size(); i++) {
                NDArray source = from.get(i).getValue().getArray();
                to.get(i).getValue().getArray().set(source.toByteBuffer());
            }
        }
    }

    private static InstanceObjective objective(TrainConfig c) {
        return switch (c.objective()) {
            case SOFTMAX -> new NonParametricSoftmax(c.temperature());
            case NCE ->
                    new NceLoss(c.nceNoise(), c.temperature(), c.nceZMomentum(), c.nceScoring());
        };
    }

    private static void prepareRunDir(
            Path runDir, TrainConfig config, RunData data, boolean resume) {
        try {
            Files.createDirectories(runDir);
            if (!resume) {
                Files.deleteIfExists(runDir.resolve(METRICS));
            }
            Files.writeString(runDir.resolve("config.yaml"), config.toYaml());
            Files.writeString(
                    runDir.resolve("provenance.json"),
                    JSON.writerWithDefaultPrettyPrinter()
                            .writeValueAsString(
                                    Provenance.capture(config, data.train(), data.test())));
        } catch (IOException e) {
            throw new TrainingException(
                    "cannot write to run directory "
                            + runDir
                            + " ("
                            + e.getMessage()
                            + "): choose a writable --run-dir",
                    e);
        }
    }

    /** The loop proper, holding what every step needs. */
    private static final class Loop {
        private final TrainConfig config;
        private final RunData data;
        private final NpidNet net;
        private final Trainer trainer;
        private final PyTorchSgd sgd;
        private final MemoryBank bank;
        private final WeightAverage average;
        private final InstanceObjective objective;
        private final TrainListener listener;
        private final LrSchedule schedule;
        private final TrainAugmentation augmentation;
        private final TestTransform testTransform;
        private final KnnClassifier knn;
        private final TrainStep trainStep;
        private final NeighbourhoodSoftmax neighbourhood;
        private int[] table;

        /** The pixel-space positives, found once: the images do not change. */
        private int[] pixelTable;

        Loop(
                TrainConfig config,
                RunData data,
                NpidNet net,
                Trainer trainer,
                PyTorchSgd sgd,
                MemoryBank bank,
                WeightAverage average,
                InstanceObjective objective,
                TrainListener listener) {
            this.config = config;
            this.average = average;
            this.data = data;
            this.net = net;
            this.trainer = trainer;
            this.sgd = sgd;
            this.bank = bank;
            this.objective = objective;
            this.listener = listener;
            this.schedule =
                    new LrSchedule(
                            config.schedule(), config.lr(), config.epochs(), config.warmupEpochs());
            this.augmentation = augmentation(config, data.imageSize(), data.mean(), data.std());
            this.testTransform = new TestTransform(data.imageSize(), data.mean(), data.std());
            KnnClassifier exact = new KnnClassifier(config.knnK(), config.knnTemperature());
            this.knn =
                    config.knnProbes() > 0
                            ? exact.withInvertedLists(config.knnLists(), config.knnProbes())
                            : exact;
            this.trainStep =
                    new TrainStep(
                            trainer, bank, objective, new ProximalTerm(config.proximalLambda()));
            // A training set smaller than k + 1 images has fewer neighbours to give.
            int k = Math.min(config.neighbours(), data.train().size() - 1);
            this.neighbourhood = k > 0 ? new NeighbourhoodSoftmax(config.temperature(), k) : null;
        }

        TrainResult run(Checkpoint.State start, Path runDir, Path checkpoint, boolean resumed) {
            List<EpochMetrics> history = new ArrayList<>();
            int n = data.train().size();
            int stepsPerEpoch = BatchLoader.batchesPerEpoch(n, config.batchSize(), false);
            if (config.maxStepsPerEpoch() > 0) {
                stepsPerEpoch = Math.min(stepsPerEpoch, config.maxStepsPerEpoch());
            }
            if (!resumed && config.bankInit() == TrainConfig.BankInit.NETWORK) {
                listener.onMessage(
                        "filling the bank with the untrained network's embeddings of "
                                + n
                                + " training images");
                bank.replaceAll(
                        new FeatureExtractor(net, EVAL_BATCH, config.workers())
                                .extract(trainer.getManager(), data.train(), testTransform));
            }
            if (!resumed && config.knnAtStart()) {
                history.add(record(runDir, evaluate(0, Double.NaN, 0, 0, 0, true)));
            }
            for (int epoch = start.epoch(); epoch < config.epochs(); epoch++) {
                boolean continuing = epoch == start.epoch();
                int firstStep = continuing ? start.step() : 0;
                double lossSum = continuing ? start.lossSum() : 0;
                long lossCount = continuing ? start.lossCount() : 0;
                boolean neighbourly =
                        neighbourhood != null && epoch + 1 >= config.neighboursFromEpoch();
                table = null;
                if (neighbourly && config.neighbourSource() != TrainConfig.NeighbourSource.BANK) {
                    // Mid-epoch, the network has moved on since the epoch's table was found.
                    int[] saved =
                            resumed && continuing && firstStep > 0
                                    ? Checkpoint.loadNeighbours(checkpoint)
                                    : null;
                    table = saved != null ? saved : neighbourTable();
                    neighbourhood.setTable(table);
                }
                trainStep.setObjective(neighbourly ? neighbourhood : objective);
                trainStep.setBankMomentum(
                        epoch == 0 && config.bankFillFirstEpoch() ? 0f : config.bankMomentum());
                long begin = System.nanoTime();
                long images = 0;
                double lr = 0;
                try (BatchLoader loader =
                        new BatchLoader(
                                data.train(),
                                augmentation,
                                config.batchSize(),
                                true,
                                false,
                                config.seed(),
                                epoch,
                                firstStep,
                                config.workers(),
                                4)) {
                    for (int step = firstStep; step < stepsPerEpoch && loader.hasNext(); step++) {
                        Batch batch = loader.next();
                        lr = schedule.at(epoch, step, stepsPerEpoch);
                        sgd.setLearningRate((float) lr);
                        double loss = step(batch, epoch, step, lr, checkpoint);
                        if (average != null) {
                            average.update();
                        }
                        lossSum += loss;
                        lossCount++;
                        images += batch.batchSize();
                        double seconds = (System.nanoTime() - begin) / 1e9;
                        listener.onStep(
                                epoch + 1,
                                step + 1,
                                stepsPerEpoch,
                                lossSum / lossCount,
                                images / seconds);
                        if (listener.stopRequested()) {
                            boolean epochDone = step + 1 >= stepsPerEpoch;
                            saveCheckpoint(
                                    checkpoint,
                                    epochDone ? epoch + 1 : epoch,
                                    epochDone ? 0 : step + 1,
                                    epochDone ? 0 : lossSum,
                                    epochDone ? 0 : lossCount);
                            if (epochDone) {
                                double s = (System.nanoTime() - begin) / 1e9;
                                history.add(
                                        record(
                                                runDir,
                                                evaluate(
                                                        epoch + 1,
                                                        lossSum / lossCount,
                                                        lr,
                                                        images / s,
                                                        s,
                                                        false)));
                            }
                            listener.onMessage("stopped; checkpoint saved to " + checkpoint);
                            return new TrainResult(runDir, checkpoint, history, true);
                        }
                    }
                }
                double seconds = (System.nanoTime() - begin) / 1e9;
                EpochMetrics row =
                        evaluate(
                                epoch + 1,
                                lossCount == 0 ? Double.NaN : lossSum / lossCount,
                                lr,
                                images / seconds,
                                seconds,
                                epoch + 1 == config.epochs());
                history.add(record(runDir, row));
                saveCheckpoint(checkpoint, epoch + 1, 0, 0, 0);
            }
            return new TrainResult(runDir, checkpoint, history, false);
        }

        /** This epoch's positives of the neighbourhood loss, from the configured source. */
        private int[] neighbourTable() {
            int n = data.train().size();
            listener.onMessage(
                    "finding the "
                            + neighbourhood.neighbours()
                            + " neighbours of "
                            + n
                            + " training images ("
                            + config.neighbourSource().name().toLowerCase(java.util.Locale.ROOT)
                            + ")");
            int[] found =
                    switch (config.neighbourSource()) {
                        case FEATURES -> featureTable();
                        case PIXELS -> pixelTable();
                        case PIXELS_AND_FEATURES ->
                                NeighbourhoodSoftmax.merge(pixelTable(), featureTable(), n);
                        case BANK ->
                                throw new IllegalStateException(
                                        "the bank's neighbours need no table");
                    };
            if (data.train().labeled()) {
                listener.onMessage(
                        String.format(
                                java.util.Locale.ROOT,
                                "neighbours of the image's own class: %.2f %%",
                                100
                                        * NeighbourhoodSoftmax.labelAgreement(
                                                found, data.trainLabels())));
            }
            return found;
        }

        /**
         * Each training image's k nearest others by the current network's embedding of the
         * un-augmented images.
         */
        private int[] featureTable() {
            long begin = System.nanoTime();
            float[] features =
                    new FeatureExtractor(net, EVAL_BATCH, config.workers())
                            .extractUnitRows(trainer.getManager(), data.train(), testTransform);
            long embedded = System.nanoTime();
            int[] found = selfSearch(features);
            listener.onMessage(
                    String.format(
                            java.util.Locale.ROOT,
                            "neighbours found: %.1f s to embed, %.1f s to search",
                            (embedded - begin) / 1e9,
                            (System.nanoTime() - embedded) / 1e9));
            return found;
        }

        /** Each training image's k nearest others by the cosine of its raw pixels, found once. */
        private int[] pixelTable() {
            if (pixelTable == null) {
                long begin = System.nanoTime();
                float[] pixels;
                try {
                    pixels = Evaluation.pixelVectors(data.train(), "neighbour_source: pixels");
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            e.getMessage()
                                    + "; for such data set neighbour_source: features (--set"
                                    + " neighbour_source=features)",
                            e);
                }
                pixelTable = selfSearch(pixels);
                listener.onMessage(
                        String.format(
                                java.util.Locale.ROOT,
                                "pixel neighbours found: %.1f s",
                                (System.nanoTime() - begin) / 1e9));
            }
            return pixelTable;
        }

        private int[] selfSearch(float[] unitRows) {
            int n = data.train().size();
            Neighbours top =
                    new InvertedLists(
                                    config.knnLists(),
                                    Math.min(NEIGHBOUR_PROBES, config.knnLists()),
                                    config.seed())
                            .search(
                                    trainer.getManager(),
                                    unitRows,
                                    unitRows.length / n,
                                    unitRows,
                                    neighbourhood.neighbours() + 1);
            return NeighbourhoodSoftmax.positives(top, n);
        }

        /**
         * One SGD step; stops the run with a clear message if the loss is not finite. A step whose
         * loss is not finite updates nothing, so when every weight and batch-norm statistic is
         * still finite it is run once more: a rare non-finite loss that the same step, resumed from
         * the checkpoint, does not repeat (seen twice in 10-epoch runs) costs one step, not the
         * run.
         */
        private double step(Batch batch, int epoch, int step, double lr, Path checkpoint) {
            float loss =
                    trainStep.run(batch, new SplittableRandom(mix(config.seed(), epoch, step)));
            String where = " at epoch " + (epoch + 1) + ", step " + (step + 1);
            if (!Float.isFinite(loss) && allFinite(net)) {
                listener.onMessage(
                        "the loss became "
                                + loss
                                + where
                                + " with every weight finite; running the step again");
                loss = trainStep.run(batch, new SplittableRandom(mix(config.seed(), epoch, step)));
            }
            if (!Float.isFinite(loss)) {
                throw new TrainingException(
                        "the loss became "
                                + loss
                                + where
                                + " (lr "
                                + lr
                                + "). Nothing from this step was saved; the last good checkpoint is "
                                + checkpoint
                                + ". Lower --lr or raise the temperature, then --resume.");
            }
            return loss;
        }

        private EpochMetrics evaluate(
                int epoch,
                double loss,
                double lr,
                double imagesPerSecond,
                double seconds,
                boolean last) {
            double[] bankKnn = {Double.NaN, Double.NaN, Double.NaN};
            double[] recomputed = {Double.NaN, Double.NaN, Double.NaN};
            double live = Double.NaN;
            if (data.test() != null && data.train().labeled() && data.test().labeled()) {
                boolean bankDue = config.knnEvery() > 0 && (epoch % config.knnEvery() == 0 || last);
                // The first epoch too: that is where the bank-only figure misleads most.
                boolean recomputeDue =
                        (last && config.knnRecomputeAtEnd())
                                || epoch == 0
                                || (config.knnRecomputeEvery() > 0 && epoch == 1)
                                || (config.knnRecomputeEvery() > 0
                                        && epoch % config.knnRecomputeEvery() == 0);
                if (bankDue || recomputeDue) {
                    FeatureExtractor fx = new FeatureExtractor(net, EVAL_BATCH, config.workers());
                    listener.onMessage("embedding " + data.test().size() + " test images");
                    float[] queries = fx.extract(trainer.getManager(), data.test(), testTransform);
                    if (bankDue && epoch > 0) {
                        bankKnn = knn(bank.toFloatArray(), queries);
                    }
                    if (recomputeDue) {
                        recomputed = recomputedKnn(fx, () -> queries);
                        if (average != null) {
                            live = recomputed[0];
                            listener.onMessage("the same with the averaged weights");
                            recomputed =
                                    average.apply(
                                            () ->
                                                    recomputedKnn(
                                                            fx,
                                                            () ->
                                                                    fx.extract(
                                                                            trainer.getManager(),
                                                                            data.test(),
                                                                            testTransform)));
                        }
                    }
                }
            }
            double z = objective instanceof NceLoss nce ? nce.normaliser() : Double.NaN;
            return new EpochMetrics(
                    epoch,
                    loss,
                    lr,
                    imagesPerSecond,
                    seconds,
                    bankKnn[0],
                    bankKnn[1],
                    bankKnn[2],
                    recomputed[0],
                    recomputed[1],
                    recomputed[2],
                    live,
                    z);
        }

        /**
         * Weighted kNN of the test images against recomputed training features: the embedding's
         * (with the embedded test images {@code queries} supplies) or, with {@code knn_features:
         * backbone}, the pooled backbone features below the head (queries unused).
         */
        private double[] recomputedKnn(FeatureExtractor fx, Supplier<float[]> queries) {
            if (config.knnFeatures() == Evaluation.Features.BACKBONE) {
                FeatureExtractor below =
                        new FeatureExtractor(net.backbone(), EVAL_BATCH, config.workers());
                listener.onMessage("recomputing backbone features of both splits");
                return knn(
                        below.extractUnitRows(trainer.getManager(), data.train(), testTransform),
                        below.extractUnitRows(trainer.getManager(), data.test(), testTransform));
            }
            listener.onMessage("recomputing " + data.train().size() + " training features");
            return knn(
                    fx.extract(trainer.getManager(), data.train(), testTransform), queries.get());
        }

        private double[] knn(float[] features, float[] queries) {
            KnnResult r =
                    knn.evaluate(
                            trainer.getManager(),
                            features,
                            data.trainLabels(),
                            queries,
                            data.testLabels(),
                            data.train().classNames().size());
            return new double[] {r.top1(), r.top5(), r.nn1()};
        }

        private EpochMetrics record(Path runDir, EpochMetrics row) {
            try {
                Files.write(
                        runDir.resolve(METRICS),
                        (JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + runDir.resolve(METRICS), e);
            }
            listener.onEpoch(row);
            return row;
        }

        private void saveCheckpoint(
                Path file, int epoch, int step, double lossSum, long lossCount) {
            Checkpoint.write(
                    file,
                    config,
                    new Checkpoint.State(
                            epoch,
                            step,
                            objective.state(),
                            lossSum,
                            lossCount,
                            data.mean(),
                            data.std(),
                            data.imageSize()),
                    net,
                    bank,
                    sgd,
                    average,
                    step > 0 ? table : null);
        }
    }

    /**
     * Whether every parameter of {@code block}, batch-norm running statistics included, is finite.
     */
    static boolean allFinite(ai.djl.nn.Block block) {
        for (var p : block.getParameters().values()) {
            NDArray w = p.getArray();
            if (w.isNaN().any().getBoolean() || w.isInfinite().any().getBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** A seed for the random stream of one (epoch, step), independent of all others. */
    static long mix(long seed, int epoch, int step) {
        long z = seed + 0x9E3779B97F4A7C15L * (((long) epoch << 32) + step + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
