package org.npid.finetune;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.nio.file.Path;
import java.util.Objects;
import org.npid.config.OptimiserConfig;
import org.npid.data.Batch;
import org.npid.data.BatchLoader;
import org.npid.data.Datasets;
import org.npid.data.ImageCache;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.eval.FeatureExtractor;
import org.npid.eval.LabelledSplits;
import org.npid.eval.TrainedModel;
import org.npid.machine.RuntimeRecord;
import org.npid.model.Backbone;
import org.npid.model.Devices;
import org.npid.train.LrSchedule;
import org.npid.train.PyTorchSgd;
import org.npid.train.TrainStep;
import org.npid.train.TrainingException;

/**
 * Semi-supervised fine-tuning, the paper's Figure 6: the backbone of an NPID checkpoint with a new
 * linear classifier on its pooled features, trained end to end by cross-entropy on a seeded,
 * class-balanced fraction of the training labels, then scored by top-1 on the test split. With
 * {@link FineTuneConfig#scratch()} the same architecture starts from random weights and sees the
 * same labels, batches and steps, so the two top-1s differ only by the pretraining.
 */
public final class FineTune {
    /** Steps whose mean loss {@link FineTuneResult#trainLoss()} reports. */
    public static final int LOSS_WINDOW = 10;

    private FineTune() {}

    /**
     * Fine-tunes the network of {@code checkpoint} (a last.ckpt, or the run directory holding it)
     * on a fraction of {@code data}'s training labels and evaluates it on the test split. With
     * {@code config.scratch()} the checkpoint supplies only the architecture, the input size, the
     * normalisation and the augmentation.
     *
     * @throws org.npid.checkpoint.CheckpointException when the checkpoint is missing or unreadable
     * @throws IllegalArgumentException when the data has no labels, its splits name different
     *     classes, or its channel count is not the checkpoint's
     * @throws TrainingException when the loss stops being finite
     */
    public static FineTuneResult run(Path checkpoint, Path data, FineTuneConfig config) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(config, "config");
        long began = System.nanoTime();
        if (config.threads() > 0) {
            RuntimeRecord.setThreads(config.threads());
        }
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset test = Datasets.open(data, Split.TEST, train.channels());
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    "fine-tuning needs labelled train and test splits: "
                            + data
                            + " has "
                            + (train.labeled() ? "an unlabelled test split" : "no labels"));
        }
        // Matched by class name, as kNN does: a test split lacking one class keeps the others'.
        test = new LabelledSplits(train, test).test();
        int classes = train.classNames().size();
        ImageDataset labelled = Subset.balanced(train, config.labelFraction(), config.seed());
        ImageDataset evaluated =
                config.testImages() > 0
                        ? Subset.random(test, config.testImages(), config.seed())
                        : test;
        try (TrainedModel pretrained = TrainedModel.load(checkpoint, train.channels());
                Model model = Model.newInstance("npid-finetune", Devices.best())) {
            PyTorchSgd sgd =
                    new PyTorchSgd(
                            (float) config.lr(),
                            (float) config.momentum(),
                            (float) config.weightDecay());
            // Large photos are decoded once, at twice the run's training side, not every epoch.
            ImageDataset labelledImages =
                    ImageCache.forResolution(labelled, pretrained.imageSize());
            ImageDataset evaluatedImages =
                    ImageCache.forResolution(evaluated, pretrained.imageSize());
            try (Trainer trainer = trainer(model, pretrained, classes, sgd, config)) {
                double loss = train(trainer, sgd, labelledImages, pretrained, config);
                double top1 = top1(model, evaluatedImages, pretrained, config);
                return new FineTuneResult(
                        config.labelFraction(),
                        config.scratch(),
                        labelled.size(),
                        (int) java.util.Arrays.stream(labelled.labels()).distinct().count(),
                        config.steps(),
                        loss,
                        evaluated.size(),
                        top1,
                        (System.nanoTime() - began) / 1e9);
            }
        }
    }

    /**
     * A trainer of the checkpoint's backbone and a new {@code classes}-way linear layer on its
     * pooled features, set as {@code model}'s block and initialised from the seed as a training run
     * initialises its network; the backbone then takes the checkpoint's weights (the average when
     * the run kept one), unless the run is from scratch. The backbone is built anew from the
     * checkpoint's model config rather than borrowed, so the checkpoint's network stays as it was
     * read and the scratch network is exactly the pretrained one's architecture.
     */
    static Trainer trainer(
            Model model,
            TrainedModel pretrained,
            int classes,
            PyTorchSgd sgd,
            FineTuneConfig config) {
        Backbone backbone = Backbone.create(pretrained.network().config());
        model.setBlock(
                new SequentialBlock()
                        .add(backbone)
                        .add(Linear.builder().setUnits(classes).build()));
        // The loss is computed in step(); DJL requires the trainer to have one.
        Trainer trainer =
                model.newTrainer(
                        new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                                .optOptimizer(sgd)
                                .optDevices(new Device[] {model.getNDManager().getDevice()}));
        try {
            Engine.getInstance().setRandomSeed((int) config.seed());
            int size = pretrained.imageSize();
            trainer.initialize(
                    new Shape(1, pretrained.network().config().inChannels(), size, size));
            if (!config.scratch()) {
                copyParameters(pretrained.network().backbone(), backbone);
            }
            return trainer;
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
    }

    /** Copies every parameter (batch-norm statistics included) between blocks of one shape. */
    private static void copyParameters(Block from, Block to) {
        var source = from.getParameters();
        var target = to.getParameters();
        if (source.size() != target.size()) {
            throw new IllegalStateException(
                    "the backbone has "
                            + target.size()
                            + " parameters, the checkpoint's "
                            + source);
        }
        for (int i = 0; i < source.size(); i++) {
            String name = source.keyAt(i);
            Parameter dst = target.get(name);
            if (dst == null) {
                throw new IllegalStateException("the new backbone has no parameter " + name);
            }
            // set() copies into the tensor libtorch owns, so nothing shares the checkpoint's.
            dst.getArray().set(source.valueAt(i).getArray().toByteBuffer());
        }
    }

    /** Runs the steps; returns the mean loss of the last {@value #LOSS_WINDOW}. */
    private static double train(
            Trainer trainer,
            PyTorchSgd sgd,
            ImageDataset labelled,
            TrainedModel pretrained,
            FineTuneConfig config) {
        var augmentation = pretrained.trainAugmentation();
        // The whole run is one cosine "epoch" of config.steps() steps.
        LrSchedule schedule = new LrSchedule(OptimiserConfig.Schedule.COSINE, config.lr(), 1, 0);
        // A subset smaller than a batch is one batch; otherwise every batch is full (dropLast), so
        // batch norm always sees the same number of images and no pass ends on a batch of one.
        int batchSize = Math.min(config.batchSize(), labelled.size());
        double[] recent = new double[LOSS_WINDOW];
        int step = 0;
        for (int pass = 0; step < config.steps(); pass++) {
            try (BatchLoader loader =
                    BatchLoader.over(labelled, augmentation, batchSize)
                            .shuffled(config.seed(), pass)
                            .dropLast()
                            .workers(config.workers())
                            .open()) {
                while (step < config.steps() && loader.hasNext()) {
                    double lr = schedule.at(0, step, config.steps());
                    sgd.setLearningRate((float) lr);
                    float loss = step(trainer, loader.next());
                    if (!Float.isFinite(loss)) {
                        throw new TrainingException(
                                "the fine-tuning loss became "
                                        + loss
                                        + " at step "
                                        + (step + 1)
                                        + " (lr "
                                        + lr
                                        + "): lower the learning rate (lr)");
                    }
                    recent[step % LOSS_WINDOW] = loss;
                    step++;
                }
            }
        }
        int n = Math.min(step, LOSS_WINDOW);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += recent[i];
        }
        return sum / n;
    }

    /** One SGD step on the cross-entropy of a batch; returns its loss, updating nothing if NaN. */
    private static float step(Trainer trainer, Batch batch) {
        // PyTorch accumulates gradients across backward passes: clear them as zero_grad() does.
        TrainStep.zeroGradients(trainer.getModel().getBlock());
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x = FeatureExtractor.input(scope, batch);
            NDArray labels = scope.create(toLong(batch.labels())).reshape(-1, 1);
            float loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                NDArray ce = logits.logSoftmax(1).gather(labels, 1).mean().neg();
                loss = ce.getFloat();
                if (!Float.isFinite(loss)) {
                    return loss;
                }
                collector.backward(ce);
            }
            trainer.step();
            return loss;
        }
    }

    /** Top-1 of {@code net} on {@code test} under the checkpoint's test transform, without grad. */
    private static double top1(
            Model model, ImageDataset test, TrainedModel pretrained, FineTuneConfig config) {
        int hits = 0;
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        try (BatchLoader loader =
                BatchLoader.over(test, pretrained.testTransform(), config.batchSize())
                        .workers(config.workers())
                        .open()) {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
            while (loader.hasNext()) {
                Batch b = loader.next();
                try (NDManager scope = model.getNDManager().newSubManager()) {
                    NDArray x = FeatureExtractor.input(scope, b);
                    long[] predicted =
                            model.getBlock()
                                    .forward(new ParameterStore(scope, false), new NDList(x), false)
                                    .singletonOrThrow()
                                    .argMax(1)
                                    .toLongArray();
                    for (int r = 0; r < predicted.length; r++) {
                        hits += predicted[r] == b.labels()[r] ? 1 : 0;
                    }
                }
            }
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
        }
        return (double) hits / test.size();
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
