package org.npid.experiment;

import java.util.Locale;
import java.util.Map;

/**
 * How large every row of an experiment is ({@code npid experiment --scale}). Each scale is a set of
 * config keys applied over the {@code paper-cifar} recipe (the official CIFAR-10 command) and under
 * the experiment's and the row's own settings, so rows of one scale differ only where the paper
 * varies them.
 */
public enum Scale {
    /**
     * A seeded 10,000 of CIFAR-10's training images, quarter width, 12 epochs: about 10 minutes a
     * row on 2 cores, but too short for the method to learn (every trained row stays at or below
     * the untrained network: docs/PAPER.md).
     */
    SMALL(cpu("0.25", "10000", "12", "cosine", false)),
    /**
     * A seeded half of CIFAR-10's training images (25,000), eighth width, 15 epochs of batch 32 at
     * a constant lr 0.03: about 25 minutes a row on 2 cores, the five experiments about 9 hours.
     * The paper's loss sits on a plateau for its first 6 to 7 epochs at this size (each bank row
     * must be written before it can teach anything) and only then climbs, so the epochs matter more
     * than the images, and a decaying lr would end the run on the plateau (docs/PAPER.md has the
     * measurements).
     */
    LAPTOP(cpu("0.125", "25000", "15", "constant", true)),
    /**
     * The paper's CIFAR-10 command itself: all 50,000 images, full width, 200 epochs of batch 128,
     * lr 0.03 dropped at epochs 120 and 160: a GPU's job (days on a CPU).
     */
    PAPER(Map.of("evaluation.every", "0", "evaluation.recompute_at_end", "false"));

    private final Map<String, String> settings;

    /**
     * A CPU scale: a seeded share of the training images at a reduced width, for some epochs. Both
     * CPU scales use batch 32 (four times the updates of 128 for the same images) and the paper's τ
     * 0.07 (the official CIFAR command's 0.1 was set for 200 epochs); the runner scores each row
     * once, against the reference set, at the end. {@code untrainedToo} also scores the untrained
     * network and the raw pixels before the first step (about a minute a row), so that a table
     * shows what training added.
     */
    private static Map<String, String> cpu(
            String width, String images, String epochs, String schedule, boolean untrainedToo) {
        return Map.ofEntries(
                Map.entry("model.width", width),
                Map.entry("train_images", images),
                Map.entry("epochs", epochs),
                Map.entry("batch_size", "32"),
                Map.entry("objective.temperature", "0.07"),
                Map.entry("evaluation.temperature", "0.07"),
                Map.entry("optimiser.schedule", schedule),
                Map.entry("evaluation.every", "0"),
                Map.entry("evaluation.at_start", Boolean.toString(untrainedToo)),
                Map.entry("evaluation.recompute_at_end", "false"));
    }

    Scale(Map<String, String> settings) {
        this.settings = settings;
    }

    /** The config keys this scale sets. */
    public Map<String, String> settings() {
        return settings;
    }

    /** The name as {@code --scale} takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
