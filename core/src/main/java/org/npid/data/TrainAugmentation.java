package org.npid.data;

import java.util.SplittableRandom;

/**
 * The training augmentation with torchvision semantics: RandomResizedCrop, ColorJitter (in a random
 * order), RandomGrayscale, optional horizontal flip, then normalisation. Works on float arrays
 * throughout; for 1-channel inputs saturation, hue and grayscale are no-ops.
 */
public final class TrainAugmentation implements ImageTransform {
    private static final int ATTEMPTS = 10;

    private final AugmentationParams config;
    private final int size;
    private final int channels;
    private final Normalization norm;
    private final double logRatioMin;
    private final double logRatioMax;

    public TrainAugmentation(AugmentationParams config) {
        this.config = config;
        this.size = config.size();
        this.channels = config.channels();
        this.norm = new Normalization(config.mean(), config.std());
        this.logRatioMin = Math.log(config.ratioMin());
        this.logRatioMax = Math.log(config.ratioMax());
    }

    public AugmentationParams config() {
        return config;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public void apply(Image src, SplittableRandom rng, float[] dst, int offset) {
        int w = src.width();
        int h = src.height();
        float[] img = Planar.of(src, channels);
        int[] crop = cropBox(w, h, rng);
        float[] px =
                Resampler.resize(
                        img, channels, w, h, crop[0], crop[1], crop[2], crop[3], size, size);
        jitter(px, rng);
        if (rng.nextDouble() < config.grayscaleP() && channels == 3) {
            ColorOps.grayscale(px, size * size);
        }
        boolean flip = config.flip() && rng.nextBoolean();
        norm.write(px, size, flip, dst, offset);
    }

    /** torchvision's RandomResizedCrop.get_params, returning {x, y, width, height}. */
    int[] cropBox(int width, int height, SplittableRandom rng) {
        double area = (double) width * height;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = area * uniform(rng, config.scaleMin(), config.scaleMax());
            double ratio = Math.exp(uniform(rng, logRatioMin, logRatioMax));
            int w = (int) Math.rint(Math.sqrt(target * ratio));
            int h = (int) Math.rint(Math.sqrt(target / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int y = rng.nextInt(height - h + 1);
                int x = rng.nextInt(width - w + 1);
                return new int[] {x, y, w, h};
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < config.ratioMin()) {
            w = width;
            h = (int) Math.rint(w / config.ratioMin());
        } else if (inRatio > config.ratioMax()) {
            h = height;
            w = (int) Math.rint(h * config.ratioMax());
        } else {
            w = width;
            h = height;
        }
        return new int[] {(width - w) / 2, (height - h) / 2, w, h};
    }

    private void jitter(float[] px, SplittableRandom rng) {
        int[] order = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        float b = factor(rng, config.brightness());
        float c = factor(rng, config.contrast());
        float s = factor(rng, config.saturation());
        float hue = config.hue() > 0 ? (float) uniform(rng, -config.hue(), config.hue()) : 0f;
        int plane = size * size;
        for (int op : order) {
            switch (op) {
                case 0 -> {
                    if (config.brightness() > 0) {
                        ColorOps.brightness(px, channels * plane, b);
                    }
                }
                case 1 -> {
                    if (config.contrast() > 0) {
                        ColorOps.contrast(px, channels, plane, c);
                    }
                }
                case 2 -> {
                    if (config.saturation() > 0 && channels == 3) {
                        ColorOps.saturation(px, plane, s);
                    }
                }
                default -> {
                    if (config.hue() > 0 && channels == 3) {
                        ColorOps.hue(px, plane, hue);
                    }
                }
            }
        }
    }

    private static float factor(SplittableRandom rng, double amount) {
        return amount > 0 ? (float) uniform(rng, Math.max(0, 1 - amount), 1 + amount) : 1f;
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }
}
