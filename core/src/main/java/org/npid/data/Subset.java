package org.npid.data;

import java.util.List;

/**
 * Some of a data set's images, in a fixed order: the first n (quick benchmarks, timing probes), a
 * seeded random n, chosen without reading labels (a smaller training set), or a seeded
 * class-balanced fraction (the labelled images of semi-supervised fine-tuning), or a seeded
 * class-stratified validation split and the rest ({@link #holdOut}).
 */
public final class Subset implements ImageDataset {
    private final ImageDataset base;
    private final int[] indices;

    private Subset(ImageDataset base, int[] indices) {
        this.base = base;
        this.indices = indices;
    }

    /** The first {@code n} images (all of them when there are fewer). */
    public static ImageDataset first(ImageDataset base, int n) {
        return new Subset(
                base, java.util.stream.IntStream.range(0, Math.min(n, base.size())).toArray());
    }

    /**
     * {@code n} images drawn at random without replacement, seeded, kept in the base set's order;
     * the whole set when it has no more than {@code n}.
     */
    public static ImageDataset random(ImageDataset base, int n, long seed) {
        if (n >= base.size()) {
            return base;
        }
        int[] all = java.util.stream.IntStream.range(0, base.size()).toArray();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(all, n);
        java.util.Arrays.sort(chosen);
        return new Subset(base, chosen);
    }

    /**
     * A seeded, class-balanced fraction of a labelled data set: from each class, {@code
     * round(fraction × its images)} of them (at least one) drawn at random without replacement,
     * kept in the base set's order. Every class is drawn from its own slice of one seeded stream,
     * so the same seed gives the same images.
     *
     * @throws IllegalArgumentException when {@code base} has no labels or {@code fraction} is not
     *     in (0, 1]
     */
    public static ImageDataset balanced(ImageDataset base, double fraction, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(
                    "label fraction must be in (0, 1] (e.g. 0.01 for 1 % of the labels), got "
                            + fraction);
        }
        if (!base.labeled()) {
            throw new IllegalArgumentException(
                    "a class-balanced subset needs labels, but "
                            + (base.size() == 0 ? "the data set" : base.source(0))
                            + " has none");
        }
        int classes = base.classNames().size();
        int[][] byClass = new int[classes][];
        int[] counts = new int[classes];
        int[] labels = base.labels();
        for (int label : labels) {
            if (label >= 0 && label < classes) {
                counts[label]++;
            }
        }
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c >= 0 && c < classes) {
                byClass[c][counts[c]++] = i;
            }
        }
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        int[] chosen = new int[labels.length];
        int n = 0;
        for (int[] members : byClass) {
            // split() keeps each class's draw independent of how many images the others have.
            java.util.SplittableRandom classRng = rng.split();
            int take =
                    Math.min(
                            members.length,
                            Math.max(1, (int) Math.round(fraction * members.length)));
            for (int i = 0; i < take; i++) {
                int j = i + classRng.nextInt(members.length - i);
                int t = members[i];
                members[i] = members[j];
                members[j] = t;
                chosen[n++] = members[i];
            }
        }
        int[] kept = java.util.Arrays.copyOf(chosen, n);
        java.util.Arrays.sort(kept);
        return new Subset(base, kept);
    }

    /** A labelled data set cut in two: the held-out images and the rest, disjoint. */
    public record HeldOut(ImageDataset held, ImageDataset rest) {}

    /**
     * Holds out a seeded, class-stratified share of a labelled data set: from each class {@code
     * round(share × its images)} (at least one, and at least one left) go to {@link HeldOut#held},
     * the others to {@link HeldOut#rest}, both in the base set's order. A validation split: its
     * images judge the choices of a run while the rest train, so the test split is never looked at.
     *
     * @throws IllegalArgumentException when {@code base} has no labels or {@code share} is not in
     *     (0, 1)
     */
    public static HeldOut holdOut(ImageDataset base, double share, long seed) {
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException(
                    "the validation share must be in (0, 1) (e.g. 0.1 for a tenth of the training"
                            + " images), got "
                            + share);
        }
        if (!base.labeled()) {
            throw new IllegalArgumentException(
                    "a validation split is drawn per class and needs labels, but "
                            + (base.size() == 0 ? "the data set" : base.source(0))
                            + " has none: give a folder of class folders or set"
                            + " evaluation.validation to 0");
        }
        int[] labels = base.labels();
        int classes = base.classNames().size();
        int[] counts = new int[classes];
        for (int label : labels) {
            if (label >= 0 && label < classes) {
                counts[label]++;
            }
        }
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
            counts[c] = 0;
        }
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c >= 0 && c < classes) {
                byClass[c][counts[c]++] = i;
            }
        }
        boolean[] held = new boolean[labels.length];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
        for (int[] members : byClass) {
            // split() keeps each class's draw independent of how many images the others have.
            java.util.SplittableRandom classRng = rng.split();
            if (members.length < 2) {
                continue;
            }
            int take =
                    Math.min(
                            members.length - 1,
                            Math.max(1, (int) Math.round(share * members.length)));
            for (int i = 0; i < take; i++) {
                int j = i + classRng.nextInt(members.length - i);
                int t = members[i];
                members[i] = members[j];
                members[j] = t;
                held[members[i]] = true;
            }
        }
        int[] heldIndices =
                java.util.stream.IntStream.range(0, labels.length).filter(i -> held[i]).toArray();
        int[] restIndices =
                java.util.stream.IntStream.range(0, labels.length).filter(i -> !held[i]).toArray();
        return new HeldOut(new Subset(base, heldIndices), new Subset(base, restIndices));
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public int label(int index) {
        return base.label(indices[index]);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public Image image(int index) {
        return base.image(indices[index]);
    }

    @Override
    public Image image(int index, int side) {
        return base.image(indices[index], side);
    }

    @Override
    public long area(int index) {
        return base.area(indices[index]);
    }

    @Override
    public int shortSide(int index) {
        return base.shortSide(indices[index]);
    }

    @Override
    public boolean inMemory() {
        return base.inMemory();
    }

    @Override
    public String source(int index) {
        return base.source(indices[index]);
    }
}
