package org.npid.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.util.SplittableRandom;
import org.npid.data.Batch;
import org.npid.loss.InstanceObjective;
import org.npid.loss.NceLoss;
import org.npid.loss.NceScoring;
import org.npid.loss.NonParametricSoftmax;
import org.npid.loss.ProximalTerm;
import org.npid.machine.RuntimeRecord;
import org.npid.memory.MemoryBank;
import org.npid.model.Arch;
import org.npid.model.Devices;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;
import org.npid.train.PyTorchSgd;
import org.npid.train.TrainStep;

/**
 * Times the training step (forward, backward, SGD, loss and bank update) on synthetic input: the
 * step's cost does not depend on pixel values, so no data set is needed.
 */
public final class StepBench {
    /** What the step optimises. PLAIN is forward+backward+SGD with no NPID objective. */
    public enum Objective {
        /** NCE scored with one matmul against the whole bank, then each image's rows picked. */
        NCE,
        /** NCE scored by gathering B×(m+1) bank rows, as the official code does. */
        NCE_GATHER,
        /** NCE with one noise set per batch (the default scoring). */
        NCE_SHARED,
        SOFTMAX,
        PLAIN
    }

    /** One configuration of the step benchmark. */
    public record Case(
            double width,
            int channels,
            int size,
            Objective objective,
            int bankSize,
            int batchSize,
            int threads,
            int nceNoise) {
        public String label() {
            return String.format(
                    java.util.Locale.ROOT,
                    "w%.2f %dx%dx%d %s n=%d b=%d t=%d",
                    width,
                    channels,
                    size,
                    size,
                    objective,
                    bankSize,
                    batchSize,
                    threads);
        }
    }

    /** Images/s over repeats, the share of each phase, and the peak memory. */
    public record Result(
            Case config,
            Stats imagesPerSecond,
            double secondsPerStep,
            double forwardShare,
            double lossShare,
            double backwardShare,
            double optimizerShare,
            double bankShare,
            double peakRssMiB,
            double rssDriftMiB,
            NativeCalls nativeCalls) {}

    /**
     * Steps run under PyTorch's profiler to count native calls: the count is the same each step.
     */
    private static final int PROFILED_STEPS = 2;

    private StepBench() {}

    public static Result run(Case c, int warmupSteps, int stepsPerRepeat, int repeats) {
        setThreads(c.threads());
        PeakMemory.reset();
        try (Model model = Model.newInstance("bench", Devices.best())) {
            model.setBlock(
                    NpidNet.create(
                            new NetworkShape(
                                    Arch.RESNET18, Stem.CIFAR, c.width(), 128, c.channels())));
            try (Trainer trainer =
                    model.newTrainer(
                            new DefaultTrainingConfig(Loss.l2Loss())
                                    .optOptimizer(new PyTorchSgd(0.03f, 0.9f, 5e-4f)))) {
                trainer.initialize(new Shape(1, c.channels(), c.size(), c.size()));
                try (MemoryBank bank =
                        MemoryBank.random(
                                trainer.getManager(), c.bankSize(), 128, 0.5f, false, 1)) {
                    TrainStep step =
                            new TrainStep(trainer, bank, objective(c), new ProximalTerm(0));
                    SplittableRandom rng = new SplittableRandom(7);
                    Batch batch = syntheticBatch(c, rng);
                    for (int i = 0; i < warmupSteps; i++) {
                        step.run(batch, rng);
                    }
                    double rssAfterWarmup = PeakMemory.currentMiB();
                    StepProfile profile = new StepProfile();
                    double[] rates = new double[repeats];
                    double totalSeconds = 0;
                    for (int r = 0; r < repeats; r++) {
                        long t0 = System.nanoTime();
                        for (int i = 0; i < stepsPerRepeat; i++) {
                            step.run(batch, rng, profile);
                        }
                        double s = (System.nanoTime() - t0) / 1e9;
                        totalSeconds += s;
                        rates[r] = (double) stepsPerRepeat * c.batchSize() / s;
                    }
                    double drift = PeakMemory.currentMiB() - rssAfterWarmup;
                    // After the timed repeats: the profiler slows the steps it watches.
                    NativeCalls calls =
                            NativeCalls.profile(() -> step.run(batch, rng), PROFILED_STEPS);
                    double phases = 0;
                    for (TrainStep.Phase p : TrainStep.Phase.values()) {
                        phases += profile.seconds(p);
                    }
                    return new Result(
                            c,
                            Stats.of(rates),
                            totalSeconds / (repeats * stepsPerRepeat),
                            profile.seconds(TrainStep.Phase.FORWARD) / phases,
                            profile.seconds(TrainStep.Phase.LOSS) / phases,
                            profile.seconds(TrainStep.Phase.BACKWARD) / phases,
                            profile.seconds(TrainStep.Phase.OPTIMIZER) / phases,
                            profile.seconds(TrainStep.Phase.BANK_UPDATE) / phases,
                            PeakMemory.peakMiB(),
                            drift,
                            calls);
                }
            }
        }
    }

    private static InstanceObjective objective(Case c) {
        return switch (c.objective()) {
            case NCE -> new NceLoss(c.nceNoise(), 0.07f, 0.99, NceScoring.MATMUL);
            case NCE_GATHER -> new NceLoss(c.nceNoise(), 0.07f, 0.99, NceScoring.GATHER);
            case NCE_SHARED -> new NceLoss(c.nceNoise(), 0.07f, 0.99, NceScoring.SHARED);
            case SOFTMAX -> new NonParametricSoftmax(0.07f);
            case PLAIN -> (v, idx, bank, rng) -> plainLoss(v);
        };
    }

    /** A loss with a full backward pass but no bank: the embedding's first coordinate. */
    private static NDArray plainLoss(NDArray v) {
        return v.get(":, 0").sum();
    }

    private static Batch syntheticBatch(Case c, SplittableRandom rng) {
        int b = c.batchSize();
        float[] px = new float[b * c.channels() * c.size() * c.size()];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) rng.nextGaussian();
        }
        long[] idx = new long[b];
        for (int i = 0; i < b; i++) {
            idx[i] = rng.nextInt(c.bankSize());
        }
        return new Batch(px, b, c.channels(), c.size(), c.size(), idx, new int[b]);
    }

    /** PyTorch's intra-op threads can change at run time; inter-op stays at its start value. */
    static void setThreads(int threads) {
        if (threads > 0) {
            RuntimeRecord.setThreads(threads);
        }
    }
}
