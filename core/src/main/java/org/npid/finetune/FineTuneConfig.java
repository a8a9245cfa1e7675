package org.npid.finetune;

/**
 * The settings of one semi-supervised fine-tuning run (the paper's Figure 6): how many labels, and
 * the SGD that trains the backbone and a new linear classifier on them. {@link #defaults()} gives
 * each default with the reason for it.
 *
 * @param labelFraction the share of each class's training images whose labels are used, in (0, 1]
 * @param steps SGD steps; the labelled subset is cycled, reshuffled each pass, until they are done
 * @param batchSize images per step; a subset smaller than this is one batch
 * @param lr base learning rate, decayed to 0 by half a cosine over the steps
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay, on the backbone and the classifier alike
 * @param seed the labelled subset, the batches, the augmentation and the new weights derive from it
 * @param threads native threads for the step; 0 = leave the engine's setting
 * @param workers augmentation threads
 * @param scratch train the checkpoint's architecture from random weights instead of its trained
 *     ones: the baseline the pretrained network is compared with
 * @param testImages evaluate on a seeded random subset of this many test images; 0 = all
 */
public record FineTuneConfig(
        double labelFraction,
        int steps,
        int batchSize,
        double lr,
        double momentum,
        double weightDecay,
        long seed,
        int threads,
        int workers,
        boolean scratch,
        int testImages) {

    public FineTuneConfig {
        require(
                labelFraction > 0 && labelFraction <= 1,
                "label_fraction",
                "must be in (0, 1] (e.g. 0.01 for 1 % of the labels), got " + labelFraction);
        require(steps > 0, "steps", "must be positive, got " + steps);
        require(batchSize > 0, "batch_size", "must be positive, got " + batchSize);
        require(lr > 0, "lr", "must be positive, got " + lr);
        require(momentum >= 0 && momentum < 1, "momentum", "must be in [0, 1), got " + momentum);
        require(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
        require(threads >= 0, "threads", "must be >= 0 (0 = the engine's), got " + threads);
        require(workers >= 0, "workers", "must be >= 0, got " + workers);
        require(testImages >= 0, "test_images", "must be >= 0 (0 = all), got " + testImages);
    }

    /** Why each default is what it is. */
    public static FineTuneConfig defaults() {
        return new FineTuneConfig(
                0.01, // the paper's smallest fraction, where pretraining helps most
                500, // at batch 128, over a hundred passes over 1 % of a 60,000-image set
                128, // the official training script's batch
                0.03, // the official script's training rate: the scale the backbone was trained at
                0.9, // the official script
                5e-4, // the official script
                42, // as a training run's
                0, // threads: the engine's (all cores unless the caller set fewer)
                2, // workers: augmentation threads; they mostly wait, the step needs the cores
                false, // fine-tune the checkpoint's weights
                0); // every test image
    }

    /** The same settings for another share of the labels. */
    public FineTuneConfig withLabelFraction(double fraction) {
        return new FineTuneConfig(
                fraction,
                steps,
                batchSize,
                lr,
                momentum,
                weightDecay,
                seed,
                threads,
                workers,
                scratch,
                testImages);
    }

    /** The same settings, from the checkpoint's weights ({@code false}) or from random ones. */
    public FineTuneConfig withScratch(boolean fromScratch) {
        return new FineTuneConfig(
                labelFraction,
                steps,
                batchSize,
                lr,
                momentum,
                weightDecay,
                seed,
                threads,
                workers,
                fromScratch,
                testImages);
    }

    // The keys are the record's components in snake case, as the training config's are.
    private static void require(boolean ok, String key, String message) {
        if (!ok) {
            throw new IllegalArgumentException("finetune." + key + ": " + message);
        }
    }
}
