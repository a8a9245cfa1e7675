package org.npid.train;

import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.EvaluationConfig;
import org.npid.config.ObjectiveConfig.NeighbourSource;
import org.npid.config.TrainConfig;
import org.npid.data.BatchLoader;
import org.npid.data.Subset;
import org.npid.data.TrainAugmentation;
import org.npid.eval.FeatureExtractor;
import org.npid.eval.KnnEvaluation;
import org.npid.loss.ProximalTerm;

/**
 * Chooses a run's epochs from its budget ({@code time_budget} or {@code step_budget}) and the size
 * of its data, instead of a fixed number: a small set gets many passes, a large one few.
 *
 * <p>A time budget is turned into epochs by timing this machine: a few SGD steps of the run's own
 * network on its own augmented batches, and an inference pass over a few hundred images for the
 * evaluations, on a throw-away copy of the training state. The plan then fits the epochs, with
 * their evaluations, and the final recompute into the budget, keeping back {@link #RESERVE} of it
 * for what it does not time (checkpoints, the pixel-neighbour search, a busier machine).
 */
final class TrainingBudget {
    /** The first steps build oneDNN's kernels and are several times slower than the rest. */
    private static final int WARMUP_STEPS = 10;

    /** Enough for a steady mean on an idle machine; about 4–5 s at quarter width. */
    private static final int TIMED_STEPS = 20;

    /** Images embedded to time the evaluations' inference, after as many to warm it up. */
    private static final int TIMED_IMAGES = 512;

    /** The share of a time budget not planned for. */
    static final double RESERVE = 0.1;

    private TrainingBudget() {}

    /**
     * The config with {@code epochs} chosen from its budget, or unchanged when it has none. Every
     * choice is reported to {@code listener} with its reason.
     */
    static TrainConfig plan(
            TrainConfig config,
            RunData data,
            Checkpoint.DataIdentity identity,
            double elapsedSeconds,
            TrainListener listener) {
        int steps = stepsPerEpoch(config, data.train().size());
        if (config.stepBudget() > 0) {
            int epochs = Math.max(1, Math.round((float) config.stepBudget() / steps));
            listener.onMessage(
                    String.format(
                            Locale.ROOT,
                            "step budget %d: %d epoch%s of %d steps (%d images, batch %d), %d steps",
                            config.stepBudget(),
                            epochs,
                            epochs == 1 ? "" : "s",
                            steps,
                            data.train().size(),
                            config.batchSize(),
                            (long) epochs * steps));
            return config.withEpochs(epochs);
        }
        Duration budget = config.timeBudgetDuration();
        if (budget == null) {
            return config;
        }
        long begin = System.nanoTime();
        listener.onMessage("time budget " + format(budget.toSeconds()) + ": timing a few steps");
        Timing t = time(config, data, identity);
        double probe = (System.nanoTime() - begin) / 1e9;
        Plan plan =
                Plan.of(config, data, steps, t, budget.toMillis() / 1e3 - elapsedSeconds - probe);
        listener.onMessage(
                String.format(
                        Locale.ROOT,
                        "time budget %s: a step takes %.3f s and an image's inference %.2f ms here,"
                                + " so an epoch of %d steps takes about %s with its evaluation;"
                                + " %d epoch%s (%d steps), ending in about %s%s",
                        format(budget.toSeconds()),
                        t.stepSeconds(),
                        1e3 * t.inferenceSeconds(),
                        steps,
                        format(Math.round(plan.epochSeconds())),
                        plan.epochs(),
                        plan.epochs() == 1 ? "" : "s",
                        (long) plan.epochs() * steps,
                        format(Math.round(elapsedSeconds + probe + plan.totalSeconds())),
                        plan.fits() ? "" : " if one epoch fitted"));
        if (!plan.fits()) {
            // A share of each epoch instead of an overrun: the loader's order is a fresh seeded
            // shuffle every epoch, so each epoch trains on another random subset.
            int share = share(budget.toMillis() / 1e3 - elapsedSeconds - probe, plan, t, steps);
            listener.onMessage(
                    String.format(
                            Locale.ROOT,
                            "time budget %s: one epoch of %d steps does not fit, so the run trains"
                                    + " %d steps on a seeded random share of the images (%d of %d;"
                                    + " give more time (time_budget) to train on all of them)",
                            format(budget.toSeconds()),
                            steps,
                            share,
                            Math.min(data.train().size(), share * config.batchSize()),
                            data.train().size()));
            return config.withEpochs(1).withMaxStepsPerEpoch(share);
        }
        return config.withEpochs(plan.epochs());
    }

    /**
     * The epochs of a time-budgeted run after {@code done} of them took {@code epochSeconds} each
     * on average and the latest {@code lastEpochSeconds}, evaluations included. The caller leaves
     * the first epoch out of the average once there are others: it carries the warm-up (decoding,
     * caches, the allocator), and an average that kept it ended a 10-minute run after 6m41s. After
     * the first, as many more as fit into what is left of the budget less {@link #RESERVE}; later,
     * the plan changes only when the run would end outside the last {@link #RESERVE} of the budget:
     * fewer epochs when it would overrun the budget, more when it would end before 90 % of it,
     * aimed at 95 %. Both keep room for the final recompute ({@code recomputeSeconds}, the measured
     * evaluation of the untrained network; NaN when it was not measured). When the latest epoch ran
     * slower than the average (the machine got busier), the rest of the run, final recompute
     * included, is assumed to run at that slower pace: a run that trusted its average overran a
     * 10-minute budget by 21 s when a shared machine halved its speed halfway through.
     */
    static int replan(
            TrainConfig config,
            int done,
            double elapsedSeconds,
            double epochSeconds,
            double lastEpochSeconds,
            double recomputeSeconds,
            TrainListener listener) {
        double budget = config.timeBudgetDuration().toMillis() / 1e3;
        double slowdown = Math.max(1, lastEpochSeconds / epochSeconds);
        double pace = epochSeconds * slowdown;
        double last =
                config.evaluation().recomputeAtEnd() && !Double.isNaN(recomputeSeconds)
                        ? recomputeSeconds * slowdown
                        : 0;
        int epochs;
        if (done == 1) {
            epochs = done + fitting(budget * (1 - RESERVE) - elapsedSeconds - last, pace);
        } else {
            double end = elapsedSeconds + (config.epochs() - done) * pace + last;
            if (end > budget) {
                epochs = done + fitting(budget - elapsedSeconds - last, pace);
            } else if (end < budget * (1 - RESERVE)) {
                epochs = done + fitting(budget * (1 - RESERVE / 2) - elapsedSeconds - last, pace);
            } else {
                epochs = config.epochs();
            }
        }
        if (epochs != config.epochs()) {
            listener.onMessage(
                    String.format(
                            Locale.ROOT,
                            "time budget %s: %s with %s evaluation, so %d epochs in all"
                                    + " (planned: %d), ending in about %s",
                            format(Math.round(budget)),
                            done == 1
                                    ? "the first epoch took " + format(Math.round(epochSeconds))
                                    : done
                                            + " epochs took "
                                            + format(Math.round(epochSeconds))
                                            + " each"
                                            + (slowdown > 1
                                                    ? " (the last "
                                                            + format(Math.round(lastEpochSeconds))
                                                            + ")"
                                                    : ""),
                            done == 1 ? "its" : "their",
                            epochs,
                            config.epochs(),
                            format(Math.round(elapsedSeconds + (epochs - done) * pace + last))));
        }
        return epochs;
    }

    /**
     * Whole epochs of {@code pace} seconds in {@code seconds}; none when nothing is left, and no
     * more than an int holds with the epochs already done (a budget of years would wrap around).
     */
    /** Half an int, leaving room for the epochs already done (a whole number: int division). */
    private static final int MAX_EPOCHS = Integer.MAX_VALUE / 2;

    private static int fitting(double seconds, double pace) {
        return (int) Math.max(0, Math.min(MAX_EPOCHS, Math.floor(seconds / pace)));
    }

    /**
     * The steps of a run whose one epoch ({@code steps}) does not fit its {@code seconds}: those
     * that fit after the reserve and the work done once, at least 1.
     */
    static int share(double seconds, Plan plan, Timing t, int steps) {
        double usable = seconds * (1 - RESERVE) - plan.onceSeconds();
        return (int) Math.max(1, Math.min(steps, Math.floor(usable / t.stepSeconds())));
    }

    /** Seconds per training step and per embedded image on this machine, now. */
    record Timing(double stepSeconds, double inferenceSeconds) {}

    /**
     * The epochs that fit {@code seconds}, after the work done once (the untrained network's
     * evaluation, the final recompute) and {@link #RESERVE}.
     */
    record Plan(int epochs, double epochSeconds, double onceSeconds, boolean fits) {
        static Plan of(TrainConfig config, RunData data, int steps, Timing t, double seconds) {
            boolean labelled = data.labelled() != null;
            return of(
                    config,
                    data.train().size(),
                    labelled ? data.test().size() : 0,
                    labelled,
                    steps,
                    t,
                    seconds);
        }

        /** As above, for {@code n} training and {@code tests} test images not yet decoded. */
        static Plan of(
                TrainConfig config,
                int n,
                int tests,
                boolean labelled,
                int steps,
                Timing t,
                double seconds) {
            EvaluationConfig eval = config.evaluation();
            double perEpoch = steps * t.stepSeconds();
            if (labelled && eval.every() > 0) {
                perEpoch += (double) tests * t.inferenceSeconds() / eval.every();
            }
            NeighbourSource source = config.objective().neighbourSource();
            if (config.objective().neighbours() > 0
                    && (source == NeighbourSource.FEATURES
                            || source == NeighbourSource.PIXELS_AND_FEATURES)) {
                perEpoch += n * t.inferenceSeconds();
            }
            double recompute = (double) (n + tests) * t.inferenceSeconds();
            double once =
                    (labelled && eval.atStart() ? recompute : 0)
                            + (labelled && eval.recomputeAtEnd() ? recompute : 0);
            double usable = seconds * (1 - RESERVE) - once;
            int epochs = (int) Math.floor(usable / perEpoch);
            return new Plan(Math.max(1, epochs), perEpoch, once, epochs >= 1);
        }

        double totalSeconds() {
            return epochs * epochSeconds + onceSeconds;
        }
    }

    static Timing time(TrainConfig config, RunData data, Checkpoint.DataIdentity identity) {
        try (TrainingState probe = TrainingState.create(config, data, identity)) {
            TrainStep step =
                    new TrainStep(
                                    probe.trainer(),
                                    probe.bank(),
                                    probe.objective(),
                                    new ProximalTerm(config.objective().proximalLambda()))
                            .learnBankWith(probe.optimiser());
            TrainAugmentation augmentation =
                    new TrainAugmentation(
                            config.augmentation()
                                    .forImages(data.imageSize(), data.mean(), data.std()));
            long start = 0;
            int timed = 0;
            try (BatchLoader loader =
                    BatchLoader.over(data.train(), augmentation, config.batchSize())
                            .shuffled(config.seed(), 0)
                            .workers(config.workers())
                            .prefetch(4)
                            .views(config.objective().views())
                            .open()) {
                for (int i = 0; i < WARMUP_STEPS + TIMED_STEPS && loader.hasNext(); i++) {
                    if (i == WARMUP_STEPS || (i == 1 && !enoughBatches(data, config))) {
                        start = System.nanoTime();
                        timed = 0;
                    }
                    step.run(loader.next(), new SplittableRandom(i));
                    timed++;
                }
            }
            double stepSeconds = (System.nanoTime() - start) / 1e9 / Math.max(1, timed);
            var images = Subset.first(data.train(), TIMED_IMAGES);
            var extractor =
                    new FeatureExtractor(probe.net(), KnnEvaluation.BATCH, config.workers());
            extractor.extract(probe.manager(), images, data.testTransform());
            long embed = System.nanoTime();
            extractor.extract(probe.manager(), images, data.testTransform());
            double inference = (System.nanoTime() - embed) / 1e9 / images.size();
            return new Timing(stepSeconds, inference);
        }
    }

    /** Whether the data holds the warm-up and the timed steps; tiny sets time all but the first. */
    private static boolean enoughBatches(RunData data, TrainConfig config) {
        int batches = BatchLoader.batchesPerEpoch(data.train().size(), config.batchSize(), false);
        return batches > WARMUP_STEPS + 1;
    }

    static int stepsPerEpoch(TrainConfig config, int n) {
        int steps = BatchLoader.batchesPerEpoch(n, config.batchSize(), false);
        return config.maxStepsPerEpoch() > 0 ? Math.min(steps, config.maxStepsPerEpoch()) : steps;
    }

    /** 75 → "1m15s", 600 → "10m", 42 → "42s". */
    static String format(long seconds) {
        long h = seconds / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        StringBuilder sb = new StringBuilder();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (m > 0) {
            sb.append(m).append('m');
        }
        if (s > 0 || sb.length() == 0) {
            sb.append(s).append('s');
        }
        return sb.toString();
    }
}
