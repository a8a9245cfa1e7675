package org.npid.train;

/**
 * What the training loop reports while it runs; the CLI turns it into a progress bar, tests into
 * assertions. The library itself never prints.
 */
public interface TrainListener {
    /** Called when a time budget's re-plan changes the run's number of epochs. */
    default void onEpochsChosen(int epochs) {}

    /**
     * The run's plan once every choice before training is made (the resolution, the {@code auto}
     * neighbour source, the budget's epochs, a resume's changes): its config is what config.yaml
     * holds and what runs.
     */
    default void onPlan(RunPlan plan) {}

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
