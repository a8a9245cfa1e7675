package org.npid.config;

import static org.npid.config.Checks.present;
import static org.npid.config.Checks.require;

/**
 * The {@code optimiser:} section: SGD with PyTorch semantics and its learning-rate schedule.
 *
 * @param lr base learning rate
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param emaDecay d of an exponential moving average of the weights; 0 = none (beyond the paper)
 * @param schedule the learning rate over the run
 * @param warmupEpochs linear warm-up length
 */
public record OptimiserConfig(
        double lr,
        double momentum,
        double weightDecay,
        double emaDecay,
        Schedule schedule,
        double warmupEpochs) {

    /** The learning rate as a function of training progress. */
    public enum Schedule {
        /** The official CIFAR script: ×0.1 at epochs 120 and 160. */
        STEP,
        /** Half a cosine from lr to 0 over the run, per step. */
        COSINE,
        /** lr throughout. */
        CONSTANT
    }

    public OptimiserConfig {
        present(schedule, "optimiser.schedule", "step, cosine or constant");
        require(lr > 0, "optimiser.lr", "must be positive, got " + lr);
        require(
                momentum >= 0 && momentum < 1,
                "optimiser.momentum",
                "must be in [0, 1), got " + momentum);
        require(weightDecay >= 0, "optimiser.weight_decay", "must be >= 0, got " + weightDecay);
        require(
                emaDecay >= 0 && emaDecay < 1,
                "optimiser.ema_decay",
                "must be in [0, 1) (0 = no weight averaging), got " + emaDecay);
        require(warmupEpochs >= 0, "optimiser.warmup_epochs", "must be >= 0, got " + warmupEpochs);
    }

    /** Why each default is what it is. */
    static OptimiserConfig defaults() {
        return new OptimiserConfig(
                0.03, // the official script
                0.9, // the official script
                5e-4, // the official script
                0, // evaluate and save the last SGD weights, as the paper does
                Schedule.STEP, // the official script
                0); // none, as the official script
    }
}
