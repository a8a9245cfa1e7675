package org.npid.train;

import ai.djl.engine.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.npid.checkpoint.Checkpoint;
import org.npid.checkpoint.Position;
import org.npid.config.ObjectiveConfig;
import org.npid.config.TrainConfig;
import org.npid.data.Batch;
import org.npid.data.BatchLoader;
import org.npid.data.TrainAugmentation;
import org.npid.loss.ProximalTerm;
import org.npid.model.Devices;

/**
 * The NPID training loop (Sec. 3): each step embeds an augmented batch, scores it against the
 * memory bank, takes an SGD step on the instance-discrimination loss, then writes the fresh
 * embeddings into the bank. Each epoch ends with an atomic checkpoint, a kNN evaluation and a
 * metrics row; a stop request ends the current step, saves, and returns.
 *
 * <p>Every random choice derives from the seed and the (epoch, step) position, so a run resumed
 * from any checkpoint continues exactly as the uninterrupted run would have.
 */
public final class NpidTraining {
    /** The metrics file inside the run directory. */
    public static final String METRICS = RunDirectory.METRICS;

    /** What the run follows; a time budget's re-plan replaces it with one of other epochs. */
    private RunPlan plan;

    /** The plan's configuration, for brevity. */
    private TrainConfig config;

    private final RunData data;
    private final TrainingState state;
    private final RunDirectory dir;
    private final TrainListener listener;
    private final TrainStep trainStep;
    private final TrainAugmentation augmentation;
    private LrSchedule schedule;
    private final EpochEvaluator evaluator;
    private final NeighbourMiner neighbours;
    private final List<EpochMetrics> history = new ArrayList<>();
    private double rawPixelsTop1 = Double.NaN;

    /** When the run began, its budget's probe included; for re-planning a time budget. */
    private final long began;

    /** Seconds the untrained network's evaluation took: the cost of the final recompute. */
    private double untrainedSeconds = Double.NaN;

    /** Seconds the finished epochs after the first took, their evaluations included. */
    private double trainedSeconds;

    /** The first epoch's length, kept apart: it carries the warm-up. */
    private double firstEpochSeconds = Double.NaN;

    private NpidTraining(
            RunPlan plan,
            TrainingState state,
            RunDirectory dir,
            TrainListener listener,
            long began) {
        this.began = began;
        this.plan = plan;
        this.config = plan.config();
        this.data = plan.data();
        this.state = state;
        this.dir = dir;
        this.listener = listener;
        this.trainStep =
                new TrainStep(
                                state.trainer(),
                                state.bank(),
                                state.objective(),
                                new ProximalTerm(config.objective().proximalLambda()))
                        .learnBankWith(state.optimiser());
        this.augmentation =
                new TrainAugmentation(
                        config.augmentation().forImages(data.imageSize(), data.mean(), data.std()));
        this.schedule =
                new LrSchedule(
                        config.optimiser().schedule(),
                        config.optimiser().lr(),
                        config.epochs(),
                        config.optimiser().warmupEpochs());
        this.evaluator = new EpochEvaluator(config.evaluation(), data, config.workers(), listener);
        this.neighbours = new NeighbourMiner(config, data, listener);
        state.setMetrics(dir.rowsText());
    }

    /**
     * Runs (or, with {@code resume}, continues) the training described by {@code config}.
     *
     * @throws TrainingException for bad input, a non-finite loss or an unwritable run directory
     */
    public static TrainResult run(TrainConfig config, boolean resume, TrainListener listener) {
        return run(config, resume, false, listener);
    }

    /**
     * As {@link #run(TrainConfig, boolean, TrainListener)}; a fresh run ({@code resume} false)
     * replaces a run directory's checkpoint and metrics only when {@code overwrite} is true.
     *
     * @throws TrainingException for bad input, a non-finite loss, an unwritable run directory, or a
     *     run directory that holds a run and neither {@code resume} nor {@code overwrite}
     */
    public static TrainResult run(
            TrainConfig config, boolean resume, boolean overwrite, TrainListener listener) {
        if (config.data() == null || config.data().isBlank()) {
            throw new TrainingException("no training data: set data: PATH");
        }
        RunDirectory dir = new RunDirectory(Path.of(config.runDir()));
        if (!resume) {
            dir.refuseToReplace(overwrite);
        }
        try (RunLock lock = RunLock.take(dir.path())) {
            return run(config, dir, resume ? dir.resumePoint() : null, listener);
        }
    }

    private static TrainResult run(
            TrainConfig config, RunDirectory dir, Checkpoint saved, TrainListener listener) {
        if (config.threads() > 0) {
            org.npid.machine.RuntimeRecord.setThreads(config.threads());
        }
        long began = System.nanoTime();
        RunPlan plan = RunPlan.resolve(config, saved, began, listener);
        dir.prepare(plan, saved).forEach(listener::onMessage);
        listener.onPlan(plan);
        TrainConfig planned = plan.config();
        if (planned.beyondPaper() != null) {
            listener.onMessage("beyond the paper: " + planned.beyondPaper());
        }
        listener.onMessage("training on " + Devices.describe(plan.device()));
        warnings(planned, plan.data()).forEach(listener::onMessage);
        if (planned.evaluation().onValidation() && plan.data().test() != null) {
            listener.onMessage(
                    String.format(
                            java.util.Locale.ROOT,
                            "kNN queries: a validation split, %,d training images held out (%.3g"
                                    + " of each class, seed %d) and not trained on; the test split"
                                    + " is not read",
                            plan.data().test().size(),
                            planned.evaluation().validation(),
                            planned.seed()));
        }
        Engine.getInstance().setRandomSeed((int) planned.seed());
        try (TrainingState state = TrainingState.create(planned, plan.data(), plan.identity())) {
            if (saved != null) {
                state.restore(saved);
                listener.onMessage(
                        "resumed from "
                                + saved.path()
                                + " at epoch "
                                + (state.position().epoch() + 1)
                                + ", step "
                                + state.position().step());
            }
            NpidTraining run = new NpidTraining(plan, state, dir, listener, began);
            if (plan.pixelTable() != null) {
                // The auto check already searched the pixels: 7–8 s at 60,000 images, quadratic.
                run.neighbours.usePixelTable(plan.pixelTable());
            }
            return run.train(saved != null);
        }
    }

    /** Settings that run but probably not as the user meant. */
    private static List<String> warnings(TrainConfig config, RunData data) {
        List<String> out = new ArrayList<>();
        var objective = config.objective();
        int n = data.train().size();
        if (objective.loss() == ObjectiveConfig.Loss.NCE && objective.nceNoise() >= n) {
            out.add(
                    "warning: objective.nce_noise "
                            + objective.nceNoise()
                            + " is not below the "
                            + n
                            + " training images: NCE then costs more than the exact softmax"
                            + "; set objective: softmax");
        }
        return out;
    }

    private TrainResult train(boolean resumed) {
        try {
            return trainEpochs(resumed);
        } catch (ProcessFaultException e) {
            // The baselines go with the fault, so a run resumed elsewhere can still print them.
            EpochMetrics first = history.isEmpty() ? null : history.get(0);
            throw e.withBaselines(
                    rawPixelsTop1,
                    first != null && first.epoch() == 0 ? first.recomputedTop1() : Double.NaN);
        }
    }

    private TrainResult trainEpochs(boolean resumed) {
        if (!resumed && config.evaluation().atStart()) {
            rawPixelsTop1 = evaluator.rawPixelsTop1();
            long start = System.nanoTime();
            EpochMetrics row = evaluator.evaluate(EpochMetrics.Progress.untrained(), false, state);
            record(row);
            publish(row);
            untrainedSeconds = (System.nanoTime() - start) / 1e9;
        }
        while (state.position().epoch() < config.epochs()) {
            int epoch = state.position().epoch();
            // Only a run resumed mid-epoch starts an epoch at a step > 0, with its saved table.
            boolean midEpoch = state.position().step() > 0;
            trainStep.setObjective(
                    neighbours.objectiveFor(
                            epoch, state, midEpoch ? state.neighbourTable() : null));
            boolean fill = epoch == 0 && config.bank().fillFirstEpoch();
            trainStep.setBankMomentum(fill ? 0f : config.bank().momentum());
            long epochStart = System.nanoTime();
            boolean stopped = runEpoch(epoch);
            double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
            if (Double.isNaN(firstEpochSeconds)) {
                firstEpochSeconds = epochSeconds;
            } else {
                trainedSeconds += epochSeconds;
            }
            if (!resumed && !stopped) {
                replan(epoch + 1, epochSeconds);
            }
            if (stopped) {
                listener.onMessage("stopped; checkpoint saved to " + dir.checkpoint());
                return new TrainResult(dir.path(), dir.checkpoint(), history, true, rawPixelsTop1);
            }
        }
        return new TrainResult(dir.path(), dir.checkpoint(), history, false, rawPixelsTop1);
    }

    /** Runs the rest of {@code epoch}; true when a stop request ended it early. */
    private boolean runEpoch(int epoch) {
        int steps = stepsPerEpoch();
        long begin = System.nanoTime();
        long images = 0;
        double lr = 0;
        boolean stop = false;
        try (BatchLoader loader =
                BatchLoader.over(data.train(), augmentation, config.batchSize())
                        .shuffled(config.seed(), epoch)
                        .from(state.position().step())
                        .workers(config.workers())
                        .prefetch(4)
                        .views(config.objective().views())
                        .open()) {
            while (state.position().step() < steps && loader.hasNext() && !stop) {
                int step = state.position().step();
                Batch batch = loader.next();
                lr = schedule.at(epoch, step, steps);
                state.optimiser().setLearningRate((float) lr);
                double loss =
                        trainStep.runOrStop(
                                batch, config.seed(), epoch, step, lr, dir.checkpoint(), listener);
                state.moveTo(
                        Double.isNaN(loss)
                                ? state.position().skipped()
                                : state.position().after(loss));
                if (state.average() != null) {
                    state.average().update();
                }
                images += batch.batchSize();
                double seconds = (System.nanoTime() - begin) / 1e9;
                Position p = state.position();
                listener.onStep(epoch + 1, p.step(), steps, p.meanLoss(), images / seconds);
                stop = listener.stopRequested();
            }
        }
        // A stop request on the last step still completes the epoch.
        boolean done = !stop || state.position().step() >= steps;
        double seconds = (System.nanoTime() - begin) / 1e9;
        double loss = state.position().meanLoss();
        EpochMetrics row = null;
        if (done) {
            state.moveTo(Position.startOf(epoch + 1));
            // Evaluated before the save, so that the checkpoint commits the epoch's row with it.
            var progress =
                    new EpochMetrics.Progress(epoch + 1, loss, lr, images / seconds, seconds);
            row = evaluator.evaluate(progress, epoch + 1 == config.epochs(), state);
            record(row);
        }
        state.save(dir.checkpoint());
        if (row != null) {
            publish(row);
        }
        return stop;
    }

    /**
     * Fits a time budget's epochs again once the first one has been measured, so a probe that
     * misjudged this machine costs at most one epoch's error; later epochs only shorten the run,
     * when the machine got busier and the run would overrun its budget.
     */
    private void replan(int done, double lastEpochSeconds) {
        if (config.timeBudgetDuration() == null || done >= config.epochs()) {
            return;
        }
        double elapsed = (System.nanoTime() - began) / 1e9;
        int epochs =
                TrainingBudget.replan(
                        config,
                        done,
                        elapsed,
                        done == 1 ? firstEpochSeconds : trainedSeconds / (done - 1),
                        lastEpochSeconds,
                        untrainedSeconds,
                        listener);
        if (epochs != config.epochs()) {
            TrainConfig before = config;
            plan = plan.withEpochs(epochs);
            config = plan.config();
            state.setEpochs(epochs);
            schedule =
                    new LrSchedule(
                            config.optimiser().schedule(),
                            config.optimiser().lr(),
                            epochs,
                            config.optimiser().warmupEpochs());
            try {
                dir.replan(before, config, done);
            } catch (java.io.IOException e) {
                throw new TrainingException("cannot write config.yaml: " + e.getMessage(), e);
            }
            state.save(dir.checkpoint());
            listener.onEpochsChosen(epochs);
        }
    }

    private int stepsPerEpoch() {
        return TrainingBudget.stepsPerEpoch(config, data.train().size());
    }

    /** Adds the row to what the next checkpoint commits. */
    private void record(EpochMetrics row) {
        dir.add(row);
        state.setMetrics(dir.rowsText());
    }

    /** Writes the row to metrics.jsonl and reports it, once a checkpoint holds it. */
    private void publish(EpochMetrics row) {
        dir.appendLast();
        listener.onEpoch(row);
        history.add(row);
    }
}
