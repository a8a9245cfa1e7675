package org.npid.config;

import static org.npid.config.Checks.require;

import org.npid.data.AugmentationParams;

/**
 * The {@code augmentation:} section: the official script's augmentation, with the knobs a user
 * turns. The aspect ratios of the crop are always the official 3/4 to 4/3.
 *
 * @param imageSize training resolution in pixels (a square side); 0 = chosen by the run from the
 *     images' sizes and its budget (images of 32 px or less train at their own size)
 * @param cropFraction side of the training crops as a fraction of the resolution; below 1 the
 *     network trains on lower-resolution crops and still embeds whole images at full resolution
 *     (beyond the paper)
 * @param cropScaleMin RandomResizedCrop's lower scale bound
 * @param jitter ColorJitter's brightness, contrast and saturation
 * @param hue ColorJitter's hue
 * @param grayscaleP RandomGrayscale's probability
 * @param flip horizontal flip with probability 0.5
 */
public record AugmentationConfig(
        int imageSize,
        double cropFraction,
        double cropScaleMin,
        double jitter,
        double hue,
        double grayscaleP,
        boolean flip) {
    public AugmentationConfig {
        require(
                imageSize >= 0,
                "augmentation.image_size",
                "must be >= 0 (0 = chosen from the images and the budget), got " + imageSize);
        require(
                cropFraction > 0 && cropFraction <= 1,
                "augmentation.crop_fraction",
                "must be in (0, 1] (1 = crops as large as the images), got " + cropFraction);
        require(
                cropScaleMin > 0 && cropScaleMin <= 1,
                "augmentation.crop_scale_min",
                "must be in (0, 1], got " + cropScaleMin);
        require(jitter >= 0, "augmentation.jitter", "must be >= 0, got " + jitter);
        require(hue >= 0 && hue <= 0.5, "augmentation.hue", "must be in [0, 0.5], got " + hue);
        require(
                grayscaleP >= 0 && grayscaleP <= 1,
                "augmentation.grayscale_p",
                "must be in [0, 1], got " + grayscaleP);
    }

    /** The official script's values (lemniscate.pytorch, cifar.py). */
    static AugmentationConfig defaults() {
        AugmentationParams official =
                AugmentationParams.official(1, new float[] {0}, new float[] {1});
        return new AugmentationConfig(
                0, // chosen per run: the data's own size for 28-px Fashion-MNIST and 32-px CIFAR
                1, // crops as large as the images, as the official script
                official.scaleMin(),
                official.brightness(),
                official.hue(),
                official.grayscaleP(),
                official.flip()); // the paper lists flip; the official CIFAR script comments it out
    }

    /** The side of the training crops for images of {@code size} px: at least 1. */
    public int cropSide(int size) {
        return Math.max(1, (int) Math.round(cropFraction * size));
    }

    /**
     * The augmentation for images of {@code size} px normalised by {@code mean} and {@code std}:
     * crops of {@link #cropSide} px.
     */
    public AugmentationParams forImages(int size, float[] mean, float[] std) {
        AugmentationParams official = AugmentationParams.official(size, mean, std);
        return new AugmentationParams(
                cropSide(size),
                cropScaleMin,
                official.scaleMax(),
                official.ratioMin(),
                official.ratioMax(),
                jitter,
                jitter,
                jitter,
                hue,
                grayscaleP,
                flip,
                mean,
                std);
    }
}
