package org.npid.train;

/**
 * What the training loop reports while it runs; the CLI turns it into a progress bar, tests into
 * assertions. The library itself never prints.
 */
public interface TrainListener {
    /** Called once before training when a budget has chosen the run's number of epochs. */
    default void onEpochsChosen(int epochs) {}

    /**
     * The run's config once every choice before training is made (the {@code auto} resolutions, the
     * budget's epochs, a resume's changes): what config.yaml holds and what runs.
     */
    default void onPlan(org.npid.config.TrainConfig config) {}

    /** Called after every step with the running mean loss of the epoch. */
    default void onStep(
            int epoch, int step, int stepsPerEpoch, double meanLoss, double imagesPerSecond) {}

    /** Called after each epoch (and once for epoch 0 when the untrained net is evaluated). */
    default void onEpoch(EpochMetrics metrics) {}

    /** Free-form progress such as "recomputing training features". */
    default void onMessage(String message) {}

    /** Polled after every step: true stops the run after saving a checkpoint. */
    default boolean stopRequested() {
        return false;
    }

    TrainListener NONE = new TrainListener() {};
}
