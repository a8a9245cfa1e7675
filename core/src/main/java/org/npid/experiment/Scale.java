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
    SMALL(
            Map.ofEntries(
                    Map.entry("model.width", "0.25"),
                    Map.entry("train_images", "10000"),
                    Map.entry("epochs", "12"),
                    // Four times the updates of batch 128 for the same images.
                    Map.entry("batch_size", "32"),
                    // The paper's τ (the official CIFAR command's 0.1 was set for 200 epochs).
                    Map.entry("objective.temperature", "0.07"),
                    Map.entry("evaluation.temperature", "0.07"),
                    // The step schedule drops at epochs 120 and 160 of 200; a cosine decay over a
                    // short run ends as low.
                    Map.entry("optimiser.schedule", "cosine"),
                    // The runner scores each row once, against the reference set, at the end.
                    Map.entry("evaluation.every", "0"),
                    Map.entry("evaluation.recompute_at_end", "false"))),
    /**
     * A seeded half of CIFAR-10's training images (25,000), eighth width, 15 epochs of batch 32 at
     * a constant lr 0.03: about 25 minutes a row on 2 cores, the five experiments about 9 hours.
     * The paper's loss sits on a plateau for its first 6 to 7 epochs at this size (each bank row
     * must be written before it can teach anything) and only then climbs, so the epochs matter more
     * than the images, and a decaying lr would end the run on the plateau (docs/PAPER.md has the
     * measurements).
     */
    LAPTOP(
            Map.ofEntries(
                    Map.entry("model.width", "0.125"),
                    Map.entry("train_images", "25000"),
                    Map.entry("epochs", "15"),
                    Map.entry("batch_size", "32"),
                    Map.entry("objective.temperature", "0.07"),
                    Map.entry("evaluation.temperature", "0.07"),
                    Map.entry("optimiser.schedule", "constant"),
                    Map.entry("evaluation.every", "0"),
                    // Each row also scores its untrained network and the raw pixels (about a
                    // minute), so that every table shows what training added.
                    Map.entry("evaluation.at_start", "true"),
                    Map.entry("evaluation.recompute_at_end", "false"))),
    /**
     * The paper's CIFAR-10 command itself: all 50,000 images, full width, 200 epochs of batch 128,
     * lr 0.03 dropped at epochs 120 and 160: a GPU's job (days on a CPU).
     */
    PAPER(Map.of("evaluation.every", "0", "evaluation.recompute_at_end", "false"));

    private final Map<String, String> settings;

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
