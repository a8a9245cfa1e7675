package org.npid.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.npid.data.Batch;
import org.npid.loss.InstanceObjective;
import org.npid.loss.ProximalTerm;
import org.npid.memory.MemoryBank;
import org.npid.model.NetworkInput;

/**
 * One NPID step: embed, score against the bank, backward, SGD, then the bank update (after the
 * gradient, outside it). Everything the step allocates lives in its own NDManager, closed at the
 * end, so native memory stays flat over an epoch.
 */
public final class TrainStep {
    private final Trainer trainer;
    private final MemoryBank bank;
    private InstanceObjective objective;
    private final ProximalTerm proximal;
    private float bankMomentum;
    private PyTorchSgd bankOptimiser;

    /**
     * Skipped batches in a row that stop the run: by then the model, not one batch, is at fault.
     */
    static final int MAX_SKIPPED_IN_A_ROW = 3;

    /**
     * Below this largest weight magnitude, batches that fail in a row with every weight finite are
     * the process's fault ({@link ProcessFaultException}): a trained network's weights stay within
     * tens (the mixed-c fault's checkpoint: under 20), while a network that diverged, as after a
     * step at lr 1e30, has weights near 1e28.
     */
    static final float MODERATE_WEIGHT = 1e4f;

    private int skippedInARow;

    /** The name of the bank rows' momentum buffer in the optimiser's checkpoint entry. */
    static final String BANK_ROWS = "memory_bank_rows";

    /** What went wrong in the last step that returned NaN, for the message. */
    private String failure = "";

    public TrainStep(
            Trainer trainer, MemoryBank bank, InstanceObjective objective, ProximalTerm proximal) {
        this.trainer = trainer;
        this.bank = bank;
        this.objective = objective;
        this.proximal = proximal;
        this.bankMomentum = bank.momentum();
    }

    /**
     * The bank momentum of the following steps; the training loop sets 0 for the first epoch when
     * {@code bank_fill_first_epoch} is on, so each random start row is replaced by its image's
     * embedding on first visit.
     */
    public void setBankMomentum(float momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("bank momentum must be in [0, 1), got " + momentum);
        }
        this.bankMomentum = momentum;
    }

    /**
     * The network's optimiser, which also steps the bank's rows for an objective that learns them
     * (the parametric baseline).
     */
    public TrainStep learnBankWith(PyTorchSgd sgd) {
        this.bankOptimiser = sgd;
        return this;
    }

    /**
     * The objective of the following steps; the training loop switches to the neighbourhood loss
     * from {@code neighbours_from_epoch} on.
     */
    public void setObjective(InstanceObjective objective) {
        this.objective = java.util.Objects.requireNonNull(objective, "objective");
    }

    /**
     * Runs the step and returns its loss, or NaN when the loss or a gradient is not finite: then no
     * weight, momentum or bank row is updated (batch-norm running statistics have already seen the
     * batch, as in PyTorch), so the caller can stop or go on with the model and bank as they were.
     */
    public float run(Batch batch, SplittableRandom rng) {
        return run(batch, rng, null);
    }

    /**
     * Runs the step of ({@code epoch}, {@code step}) with its own random stream and returns its
     * loss, or NaN when the batch was skipped; stops the run with a clear message when it cannot go
     * on. A step whose loss or gradient is not finite updates nothing. When every weight and
     * batch-norm statistic is still finite it is run once more: a rare non-finite loss that the
     * same step, resumed from the checkpoint, does not repeat (seen twice in 10-epoch runs) costs
     * one step, not the run. If it fails again the batch is skipped, as PyTorch's GradScaler skips
     * a step with an infinite gradient; {@value #MAX_SKIPPED_IN_A_ROW} batches in a row stop the
     * run.
     */
    public float runOrStop(
            Batch batch,
            long seed,
            int epoch,
            int step,
            double lr,
            Path lastGood,
            TrainListener listener) {
        Block block = trainer.getModel().getBlock();
        float loss = run(batch, new SplittableRandom(mix(seed, epoch, step)));
        String where = " at epoch " + (epoch + 1) + ", step " + (step + 1);
        if (!Float.isFinite(loss)) {
            List<String> reset = resetRunningStatistics(block);
            if (firstNonFinite(block) == null) {
                listener.onMessage(
                        failure
                                + where
                                + " with every weight finite"
                                + (reset.isEmpty()
                                        ? ""
                                        : " (the batch-norm running statistics "
                                                + String.join(", ", reset)
                                                + " were not: reset, to be re-estimated by the"
                                                + " next steps)")
                                + "; running the step again");
                loss = run(batch, new SplittableRandom(mix(seed, epoch, step)));
            }
        }
        if (Float.isFinite(loss)) {
            skippedInARow = 0;
            return loss;
        }
        // The retry failed too, and its forward pass may have spoiled the running statistics
        // again: reset them once more and judge the network by its learned weights alone. Finite,
        // moderate weights mean the fault is not the network's (seen on idle machines too, at
        // random steps of the same seeded run): skip the batch, and after three in a row hand the
        // run to a new process. Huge or non-finite weights mean it diverged (as after a step at
        // lr 1e30): stop at once, before a checkpoint keeps it.
        resetRunningStatistics(block);
        String nonFinite = firstNonFinite(block);
        float largest = nonFinite == null ? largestWeight(block) : Float.NaN;
        boolean moderate = nonFinite == null && largest < MODERATE_WEIGHT;
        if (moderate && ++skippedInARow < MAX_SKIPPED_IN_A_ROW) {
            listener.onMessage(
                    failure
                            + where
                            + " again; skipping this batch (weights, optimiser and bank"
                            + " unchanged)");
            return Float.NaN;
        }
        if (moderate && Files.exists(lastGood)) {
            throw new ProcessFaultException(
                    failure
                            + where
                            + " ("
                            + MAX_SKIPPED_IN_A_ROW
                            + " batches in a row) with every weight finite and moderate"
                            + " (largest "
                            + largest
                            + "): this process, not the network, computes the non-finite"
                            + " values. Nothing from this step was saved; resume the run"
                            + " (resume) from "
                            + lastGood
                            + " in a new process.",
                    lastGood);
        }
        throw new TrainingException(
                failure
                        + where
                        + (nonFinite != null
                                ? " and weight " + nonFinite + " is not finite (lr " + lr + ")"
                                : moderate
                                        ? " ("
                                                + MAX_SKIPPED_IN_A_ROW
                                                + " batches in a row, lr "
                                                + lr
                                                + ")"
                                        : " with weights up to "
                                                + largest
                                                + ": the network diverged (lr "
                                                + lr
                                                + ")")
                        + ". Nothing from this step was saved; "
                        + (Files.exists(lastGood)
                                ? "the last good checkpoint is "
                                        + lastGood
                                        + ". Lower the learning rate (optimiser.lr) or raise the"
                                        + " temperature, then resume the run (resume)."
                                : "no checkpoint was written yet. Lower the learning rate"
                                        + " (optimiser.lr) or raise the temperature, then start"
                                        + " again."));
    }

    /** The phases of a step, in order, as {@link PhaseClock} sees them. */
    public enum Phase {
        /** Network forward pass (includes input copy and zeroing gradients). */
        FORWARD,
        /** The NPID objective: scoring against the bank and the loss. */
        LOSS,
        /** Backward through loss and network. */
        BACKWARD,
        /** The SGD update of every parameter. */
        OPTIMIZER,
        /** The memory-bank momentum update. */
        BANK_UPDATE
    }

    /** Receives the time of each phase of a step, for the benchmark. */
    public interface PhaseClock {
        void add(Phase phase, long nanos);
    }

    /**
     * As {@link #run(Batch, SplittableRandom)}, adding the time of each phase to {@code profile}
     * (may be null). On CPU every native op completes before it returns, so the clock between
     * phases measures them.
     */
    public float run(Batch batch, SplittableRandom rng, PhaseClock profile) {
        long t0 = System.nanoTime();
        int badImage = firstNonFiniteImage(batch);
        if (badImage >= 0) {
            // Checked before the forward pass, which would fold the NaN into batch-norm's running
            // statistics for good.
            failure =
                    "the input batch has a non-finite pixel (image "
                            + batch.indices()[badImage]
                            + ")";
            return Float.NaN;
        }
        zeroGradients();
        try (NDManager scope = trainer.getManager().newSubManager()) {
            NDArray x =
                    NetworkInput.of(
                            scope,
                            batch.pixels(),
                            batch.batchSize(),
                            batch.channels(),
                            batch.height(),
                            batch.width());
            NDArray indices = scope.create(batch.indices());
            NDArray v;
            float loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                v = trainer.forward(new NDList(x)).singletonOrThrow();
                long t1 = System.nanoTime();
                NDArray total = objective.loss(v, indices, bank, rng);
                if (proximal.active()) {
                    total = total.add(proximal.loss(v, indices, bank));
                }
                loss = total.getFloat();
                long t2 = System.nanoTime();
                if (!Float.isFinite(loss)) {
                    failure = "the loss became " + loss + " (finite input)";
                    return Float.NaN;
                }
                collector.backward(total);
                if (!gradientsFinite(trainer.getModel().getBlock(), scope)) {
                    // One non-finite gradient would turn every weight it reaches into NaN at the
                    // SGD step, and the next step's loss with it (a two-view run on all of
                    // CIFAR-10 stopped so at its 991st step).
                    failure = "a gradient became non-finite (loss " + loss + ")";
                    clearGradients(trainer.getModel().getBlock());
                    return Float.NaN;
                }
                long t3 = System.nanoTime();
                if (profile != null) {
                    profile.add(Phase.FORWARD, t1 - t0);
                    profile.add(Phase.LOSS, t2 - t1);
                    profile.add(Phase.BACKWARD, t3 - t2);
                }
            }
            long t4 = System.nanoTime();
            trainer.step();
            long t5 = System.nanoTime();
            if (objective.learnsBank()) {
                descendBank();
            } else {
                objective.updateBank(bank, indices, v, bankMomentum);
            }
            long t6 = System.nanoTime();
            if (profile != null) {
                profile.add(Phase.OPTIMIZER, t5 - t4);
                profile.add(Phase.BANK_UPDATE, t6 - t5);
            }
            return loss;
        }
    }

    /**
     * The parametric baseline's step on the bank's rows: the network's optimiser, torch's momentum
     * SGD with its rate, momentum and weight decay, as the paper's baseline trains its classifier
     * weights like any other parameter. The rows' momentum buffer is saved with the network's.
     */
    private void descendBank() {
        if (bankOptimiser == null) {
            throw new IllegalStateException(
                    "the parametric softmax learns the bank: call learnBankWith(sgd) first");
        }
        bank.descend((rows, grad) -> bankOptimiser.updateOutside(BANK_ROWS, rows, grad));
    }

    /**
     * The name of the first parameter of {@code block}, batch-norm running statistics included,
     * that holds a NaN or an infinity; null when all are finite.
     */
    /**
     * Sets every non-finite entry of a batch-norm running statistic to its starting value (mean 0,
     * variance 1) and returns the statistics changed. A training step never reads them (batch norm
     * normalises by the batch's own statistics while training), and each step moves them a tenth of
     * the way to the batch's, so a hundred steps later the reset has faded below 1e-4: what the
     * evaluation reads is estimated again. Without the reset, one non-finite forward pass (seen
     * under heavy load, with finite input and weights; docs/log/EXPERIMENTS.md) kept its NaN in the
     * statistic for good and stopped the run.
     */
    static List<String> resetRunningStatistics(Block block) {
        List<String> reset = new ArrayList<>();
        for (var p : block.getParameters()) {
            String name = p.getKey();
            boolean mean = name.endsWith("runningMean");
            if (!mean && !name.endsWith("runningVar")) {
                continue;
            }
            NDArray w = p.getValue().getArray();
            if (w.getDataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
                continue;
            }
            float[] values = w.toFloatArray();
            boolean changed = false;
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    values[i] = mean ? 0f : 1f;
                    changed = true;
                }
            }
            if (changed) {
                w.set(java.nio.FloatBuffer.wrap(values));
                reset.add(name);
            }
        }
        return reset;
    }

    /**
     * The largest magnitude of a learned weight of {@code block} (batch-norm running statistics
     * left out: a stem's running variance reaches thousands on 0–255-scale photos).
     */
    static float largestWeight(Block block) {
        float largest = 0;
        for (var p : block.getParameters()) {
            if (p.getKey().endsWith("runningMean") || p.getKey().endsWith("runningVar")) {
                continue;
            }
            try (NDArray magnitude = p.getValue().getArray().abs();
                    NDArray max = magnitude.max()) {
                largest = Math.max(largest, max.getFloat());
            }
        }
        return largest;
    }

    static String firstNonFinite(Block block) {
        for (var p : block.getParameters()) {
            NDArray w = p.getValue().getArray();
            if (w.isNaN().any().getBoolean() || w.isInfinite().any().getBoolean()) {
                return p.getKey();
            }
        }
        return null;
    }

    /**
     * Whether every gradient of {@code block} is finite, by one sum over all of them (a NaN or an
     * infinity makes it non-finite), so the check costs one read back per step.
     */
    static boolean gradientsFinite(Block block, NDManager scope) {
        NDArray total = null;
        for (Parameter p : block.getParameters().values()) {
            NDArray w = p.getArray();
            if (w.hasGradient()) {
                try (NDArray g = w.getGradient()) {
                    NDArray s = g.sum();
                    s.attach(scope);
                    total = total == null ? s : total.add(s);
                }
            }
        }
        return total == null || Float.isFinite(total.getFloat());
    }

    /**
     * Sets every gradient of {@code block} to 0 by assignment: the subtraction that {@link
     * #zeroGradients(Block)} uses is cheaper but leaves a NaN as NaN.
     */
    private static void clearGradients(Block block) {
        for (Parameter p : block.getParameters().values()) {
            NDArray w = p.getArray();
            if (w.hasGradient()) {
                try (NDArray g = w.getGradient()) {
                    g.set(new NDIndex("..."), 0f);
                }
            }
        }
    }

    /** The position in the batch of the first image with a NaN or infinite pixel, or -1. */
    static int firstNonFiniteImage(Batch batch) {
        float[] px = batch.pixels();
        int per = px.length / batch.batchSize();
        for (int i = 0; i < px.length; i++) {
            if (!Float.isFinite(px[i])) {
                return i / per;
            }
        }
        return -1;
    }

    /** A seed for the random stream of one (epoch, step), independent of all others. */
    static long mix(long seed, int epoch, int step) {
        return org.npid.data.Seeds.mix(seed, ((long) epoch << 32) + step);
    }

    /**
     * PyTorch accumulates gradients across backward passes and neither DJL's collector nor our
     * optimiser clears them, so each step starts as {@code optimizer.zero_grad()} does.
     */
    private void zeroGradients() {
        zeroGradients(trainer.getModel().getBlock());
    }

    /**
     * Zeroes every gradient of {@code block}'s parameters in place, as {@code
     * optimizer.zero_grad()} does; for any loop that steps a DJL trainer on the PyTorch engine.
     */
    public static void zeroGradients(Block block) {
        for (Parameter p : block.getParameters().values()) {
            NDArray w = p.getArray();
            if (w.hasGradient()) {
                try (NDArray g = w.getGradient()) {
                    g.subi(g);
                }
            }
        }
    }
}
