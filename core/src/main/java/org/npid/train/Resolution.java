package org.npid.train;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.npid.config.TrainConfig;
import org.npid.data.Image;
import org.npid.data.ImageDataset;
import org.npid.model.Stem;

/**
 * The training resolution of a run whose {@code augmentation.image_size} is 0: chosen from the
 * images' sizes and the budget, printed with its reason. The paper trains ImageNet at 224 px on
 * GPUs; on a CPU budget the side has to be chosen, since a step's cost grows with its square and a
 * run that cannot make enough passes over its images never leaves the loss's opening plateau (a
 * 64-px folder trained at 64 px for 4 epochs scored below the untrained network; at 32 px for 25
 * epochs it gained 13 points).
 *
 * <p>The rule: among the sides of {@link #LADDER} no larger than the images' median shorter side
 * (so nothing is enlarged), the largest at which the budget still fits {@link #MIN_EPOCHS} epochs
 * and {@link #MIN_STEPS} steps; the smallest when none does. Sides from {@link #IMAGENET_STEM_FROM}
 * up train with the ImageNet stem, smaller ones with the CIFAR stem. A step's cost is timed once
 * per stem on images of noise, at its smallest side, and grows with the square of the side
 * (measured 0.099 s at 32 px and 0.428 s at 64 px on Zen 3); decoding the images, timed on a
 * sample, comes off the budget too. Images no larger than the smallest side train at their own size
 * without a probe.
 */
record Resolution(int size, Stem stem, String reason) {
    /** The sides considered, from the CIFAR size to ImageNet's. */
    static final int[] LADDER = {32, 48, 64, 96, 128, 160, 224};

    /**
     * The epochs a run must fit at a side for it to be chosen: the passes the default recipe needs
     * to gain clearly over the untrained network (docs/RESULTS.md, "Epochs the loss needs").
     */
    static final int MIN_EPOCHS = 10;

    /**
     * The steps a run must fit at a side as well: on a small set many epochs are few steps, and SGD
     * needs about 2,000 of them to gain clearly (the demo's budget, measured on Fashion-MNIST;
     * photo64-a gained 13.6 points in 2,068 steps and 6.7 in 752). A 1,600-image folder trained at
     * 160 px for 15 epochs, 750 steps, scored below its untrained network.
     */
    static final int MIN_STEPS = 2000;

    /**
     * Without a time budget nothing measures what a larger side costs; the largest side chosen then
     * (set augmentation.image_size for more).
     */
    static final int UNBUDGETED_MAX = 64;

    /** Images whose sizes are read for the median. */
    private static final int SIZE_SAMPLE = 2001;

    /** The median shorter side of {@code images}, from a seeded sample of them. */
    static int medianShortSide(ImageDataset images, long seed) {
        int n = images.size();
        int[] sides;
        if (n <= SIZE_SAMPLE) {
            sides = new int[n];
            for (int i = 0; i < n; i++) {
                sides[i] = images.shortSide(i);
            }
        } else {
            SplittableRandom rng = new SplittableRandom(seed);
            sides = new int[SIZE_SAMPLE];
            for (int i = 0; i < SIZE_SAMPLE; i++) {
                sides[i] = images.shortSide(rng.nextInt(n));
            }
        }
        Arrays.sort(sides);
        return sides[sides.length / 2];
    }

    /**
     * The median ratio of the longer side to the shorter of {@code images}, from a seeded sample:
     * the probe's images of noise take it, since the crop and the resize read the whole cached
     * image (a 16:9 photo costs the loader 1.8 times a square one).
     */
    static double medianAspect(ImageDataset images, long seed) {
        int n = images.size();
        int count = Math.min(n, SIZE_SAMPLE);
        double[] ratios = new double[count];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < count; k++) {
            int i = count == n ? k : rng.nextInt(n);
            double shorter = images.shortSide(i);
            ratios[k] = images.area(i) / (shorter * shorter);
        }
        Arrays.sort(ratios);
        return ratios[count / 2];
    }

    /** The sides a run over images of median shorter side {@code typical} can train at. */
    static List<Integer> candidates(int typical) {
        List<Integer> out = new ArrayList<>();
        for (int side : LADDER) {
            if (side <= typical) {
                out.add(side);
            }
        }
        if (out.isEmpty()) {
            out.add(typical);
        }
        return out;
    }

    /**
     * The first side trained with the ImageNet stem (7×7 convolution at stride 2 and a max-pool: a
     * quarter of the side before the first block, as the paper's ImageNet network); below it the
     * CIFAR stem keeps the full side (a 3×3 convolution, no pooling). At 128 px the ImageNet stem
     * costs about what the CIFAR stem costs at 32 px.
     */
    static final int IMAGENET_STEM_FROM = 96;

    /** The stem a side trains with. */
    static Stem stemFor(int side) {
        return side >= IMAGENET_STEM_FROM ? Stem.IMAGENET : Stem.CIFAR;
    }

    /** Measures what the choice needs: a step and an image's inference at a side, decoding. */
    interface Costs {
        /** Seconds of a training step and of one image's inference at {@code side}. */
        TrainingBudget.Timing time(int side, Stem stem);

        /** Seconds to decode every image of the run once for training at {@code side}. */
        double decodeSeconds(int side);

        /** Whether the images, kept at {@code side}, fit the memory the cache may take. */
        boolean fitsInMemory(int side);
    }

    /**
     * The side for {@code config}'s run over {@code n} training and {@code tests} test images of
     * median shorter side {@code typical}, with {@code elapsed} seconds of its budget gone.
     */
    static Resolution choose(
            TrainConfig config, int typical, int n, int tests, double elapsed, Costs costs) {
        List<Integer> sides = candidates(typical);
        String sizes = "the images' median shorter side is " + typical + " px";
        Stem given = config.model().stem();
        if (sides.size() == 1) {
            return new Resolution(
                    sides.get(0), given, sizes + ", so they train at " + sides.get(0) + " px");
        }
        Duration budget = config.timeBudgetDuration();
        if (budget == null) {
            int side = 0;
            for (int s : sides) {
                if (s <= UNBUDGETED_MAX) {
                    side = s;
                }
            }
            return new Resolution(
                    side,
                    given,
                    sizes
                            + "; without a time budget npid trains at "
                            + side
                            + " px (the largest it chooses unmeasured; set"
                            + " augmentation.image_size for another)");
        }
        // One timed probe per stem, at its smallest side; a step's cost grows with the square of
        // the side within a stem.
        Map<Stem, Integer> probedAt = new EnumMap<>(Stem.class);
        Map<Stem, TrainingBudget.Timing> probed = new EnumMap<>(Stem.class);
        double seconds = budget.toMillis() / 1e3 - elapsed;
        int steps = TrainingBudget.stepsPerEpoch(config, n);
        int chosen = sides.get(0);
        int chosenEpochs = -1;
        StringBuilder tried = new StringBuilder();
        for (int side : sides) {
            if (side != sides.get(0) && !costs.fitsInMemory(side)) {
                tried.append(tried.length() > 0 ? ", " : "")
                        .append(side)
                        .append(" px too large for memory");
                continue;
            }
            Stem stem = stemFor(side);
            if (!probed.containsKey(stem)) {
                probed.put(stem, costs.time(side, stem));
                probedAt.put(stem, side);
            }
            int at = probedAt.get(stem);
            double scale = (double) side * side / ((double) at * at);
            TrainingBudget.Timing base = probed.get(stem);
            TrainingBudget.Timing t =
                    new TrainingBudget.Timing(
                            base.stepSeconds() * scale, base.inferenceSeconds() * scale);
            double decode = costs.decodeSeconds(side);
            TrainingBudget.Plan plan =
                    TrainingBudget.Plan.of(config, n, tests, tests > 0, steps, t, seconds - decode);
            int epochs = plan.fits() ? plan.epochs() : 0;
            if (tried.length() > 0) {
                tried.append(", ");
            }
            tried.append(
                    String.format(
                            Locale.ROOT,
                            "%d px %d (%d steps)",
                            side,
                            epochs,
                            (long) epochs * steps));
            if (side == sides.get(0)
                    || (epochs >= MIN_EPOCHS && (long) epochs * steps >= MIN_STEPS)) {
                chosen = side;
                chosenEpochs = epochs;
            }
        }
        StringBuilder steps32 = new StringBuilder();
        for (var e : probed.entrySet()) {
            if (steps32.length() > 0) {
                steps32.append(", ");
            }
            steps32.append(
                    String.format(
                            Locale.ROOT,
                            "%.3f s at %d px with the %s stem",
                            e.getValue().stepSeconds(),
                            probedAt.get(e.getKey()),
                            e.getKey().name().toLowerCase(Locale.ROOT)));
        }
        Stem stem = stemFor(chosen);
        return new Resolution(
                chosen,
                stem,
                String.format(
                        Locale.ROOT,
                        "%s; a step takes %s here, so the budget fits about these epochs: %s;"
                                + " training at %d px with the %s stem, %s",
                        sizes,
                        steps32,
                        tried,
                        chosen,
                        stem.name().toLowerCase(Locale.ROOT),
                        chosenEpochs >= MIN_EPOCHS && (long) chosenEpochs * steps >= MIN_STEPS
                                ? "the largest side with at least "
                                        + MIN_EPOCHS
                                        + " epochs and "
                                        + MIN_STEPS
                                        + " steps, what the loss needs to gain clearly over the"
                                        + " untrained network"
                                : "the smallest side: the budget fits fewer than "
                                        + MIN_EPOCHS
                                        + " epochs or "
                                        + MIN_STEPS
                                        + " steps at any"));
    }

    /**
     * {@code n} images of seeded noise, {@code longSide} by {@code side} px: what a timing probe
     * trains on, since a step's cost does not depend on what the pixels show, and noise costs no
     * decoding.
     */
    static ImageDataset noise(int n, int side, int longSide, int channels) {
        return new ImageDataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public int channels() {
                return channels;
            }

            @Override
            public int label(int index) {
                return -1;
            }

            @Override
            public List<String> classNames() {
                return List.of();
            }

            @Override
            public Image image(int index) {
                byte[] px = new byte[side * longSide * channels];
                new SplittableRandom(index).nextBytes(px);
                return new Image(longSide, side, channels, px);
            }

            @Override
            public String source(int index) {
                return "noise#" + index;
            }
        };
    }
}
