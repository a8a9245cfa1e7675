package org.npid.data;

import java.util.List;

/**
 * Some of a data set's images, in a fixed order: the first n (quick benchmarks, timing probes) or a
 * seeded random n, chosen without reading labels (a smaller training set).
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
    public String source(int index) {
        return base.source(indices[index]);
    }
}
