package org.npid.train;

import org.npid.config.OptimiserConfig.Schedule;

/**
 * The learning rate as a function of training progress.
 *
 * <ul>
 *   <li>{@code STEP}: the official CIFAR script, {@code lr·0.1^((epoch−80) div 40)} from epoch 80,
 *       so it first drops at epoch 120 and again at 160;
 *   <li>{@code COSINE}: half a cosine from lr to 0 over the run, per step.
 * </ul>
 *
 * Either can start with a linear warm-up over {@code warmupEpochs}.
 */
public record LrSchedule(Schedule kind, double baseLr, int epochs, double warmupEpochs) {
    public LrSchedule {
        if (!(baseLr > 0)) {
            throw new IllegalArgumentException("lr must be positive, got " + baseLr);
        }
        if (!(warmupEpochs >= 0)) {
            throw new IllegalArgumentException("warmup_epochs must be >= 0, got " + warmupEpochs);
        }
    }

    /** The rate for {@code step} (0-based) of {@code stepsPerEpoch} in {@code epoch} (0-based). */
    public double at(int epoch, int step, int stepsPerEpoch) {
        double progress = epoch + (double) step / stepsPerEpoch;
        double lr =
                switch (kind) {
                    case STEP -> baseLr * Math.pow(0.1, stepDecays(epoch));
                    case COSINE -> baseLr * 0.5 * (1 + Math.cos(Math.PI * progress / epochs));
                    case CONSTANT -> baseLr;
                };
        if (progress < warmupEpochs) {
            lr *= (progress + 1.0 / stepsPerEpoch) / warmupEpochs;
        }
        return lr;
    }

    /** The paper's step schedule: none before epoch 120, then one more every 40 epochs. */
    private static int stepDecays(int epoch) {
        return epoch < 80 ? 0 : Math.floorDiv(epoch - 80, 40);
    }
}
