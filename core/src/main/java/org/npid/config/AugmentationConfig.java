package org.npid.config;

import static org.npid.config.Checks.require;

import org.npid.data.AugmentConfig;

/**
 * The {@code augmentation:} section: the official script's augmentation, with the knobs a user
 * turns. The aspect ratios of the crop are always the official 3/4 to 4/3.
 *
 * @param imageSize training resolution; 0 = the data's own size
 * @param cropSize side of the training crops, 0 = {@code imageSize}; smaller crops make a step
 *     cheaper (beyond the paper: the network still embeds whole images at {@code imageSize})
 * @param cropScaleMin RandomResizedCrop's lower scale bound
 * @param jitter ColorJitter's brightness, contrast and saturation
 * @param hue ColorJitter's hue
 * @param grayscaleP RandomGrayscale's probability
 * @param flip horizontal flip with probability 0.5
 */
public record AugmentationConfig(
        int imageSize,
        int cropSize,
        double cropScaleMin,
        double jitter,
        double hue,
        double grayscaleP,
        boolean flip) {
    public AugmentationConfig {
        require(
                imageSize >= 0,
                "augmentation.image_size",
                "must be >= 0 (0 = native size), got " + imageSize);
        require(
                cropSize >= 0,
                "augmentation.crop_size",
                "must be >= 0 (0 = the image size), got " + cropSize);
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
        AugmentConfig official = AugmentConfig.official(1, new float[] {0}, new float[] {1});
        return new AugmentationConfig(
                0, // the data's own size (28 for Fashion-MNIST, 32 for CIFAR)
                0, // crops as large as the images, as the official script
                official.scaleMin(),
                official.brightness(),
                official.hue(),
                official.grayscaleP(),
                official.flip()); // the paper lists flip; the official CIFAR script comments it out
    }

    /**
     * The augmentation for images of {@code size} px normalised by {@code mean} and {@code std}:
     * crops of {@code crop_size} px, or {@code size} when that is 0.
     */
    public AugmentConfig forImages(int size, float[] mean, float[] std) {
        AugmentConfig official = AugmentConfig.official(size, mean, std);
        return new AugmentConfig(
                cropSize > 0 ? cropSize : size,
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
