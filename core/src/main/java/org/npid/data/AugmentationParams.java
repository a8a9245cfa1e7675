package org.npid.data;

import java.util.Arrays;
import java.util.Locale;

/**
 * Training augmentation settings, with torchvision's meaning for each field.
 *
 * <p>Resolved from the YAML {@code augmentation:} section ({@code
 * config.AugmentationConfig.forImages}).
 *
 * @param size output side in pixels
 * @param scaleMin smallest crop area as a fraction of the image (RandomResizedCrop scale)
 * @param scaleMax largest crop area fraction
 * @param ratioMin smallest crop aspect ratio (width / height)
 * @param ratioMax largest crop aspect ratio
 * @param brightness ColorJitter brightness: factor drawn from [max(0, 1 - b), 1 + b]; 0 disables
 * @param contrast ColorJitter contrast, same form as brightness
 * @param saturation ColorJitter saturation, same form as brightness
 * @param hue ColorJitter hue: shift drawn from [-hue, hue], at most 0.5
 * @param grayscaleP probability of converting to grayscale
 * @param flip whether to mirror horizontally with probability 0.5
 * @param mean per-channel mean of pixel/255 subtracted last; its length sets the channel count
 * @param std per-channel standard deviation divided by last
 */
// The arrays are copied in and out and equals/hashCode compare contents, so they behave as values.
@SuppressWarnings("ArrayRecordComponent")
public record AugmentationParams(
        int size,
        double scaleMin,
        double scaleMax,
        double ratioMin,
        double ratioMax,
        double brightness,
        double contrast,
        double saturation,
        double hue,
        double grayscaleP,
        boolean flip,
        float[] mean,
        float[] std) {
    public AugmentationParams {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        if (!(scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1)) {
            throw new IllegalArgumentException(
                    "scaleMin and scaleMax must satisfy 0 < scaleMin <= scaleMax <= 1, got "
                            + scaleMin
                            + " and "
                            + scaleMax);
        }
        if (!(ratioMin > 0 && ratioMin <= ratioMax && Double.isFinite(ratioMax))) {
            throw new IllegalArgumentException(
                    "ratioMin and ratioMax must satisfy 0 < ratioMin <= ratioMax, got "
                            + ratioMin
                            + " and "
                            + ratioMax);
        }
        requireJitter("brightness", brightness);
        requireJitter("contrast", contrast);
        requireJitter("saturation", saturation);
        if (!(hue >= 0 && hue <= 0.5)) {
            throw new IllegalArgumentException("hue must be in [0, 0.5], got " + hue);
        }
        if (!(grayscaleP >= 0 && grayscaleP <= 1)) {
            throw new IllegalArgumentException("grayscaleP must be in [0, 1], got " + grayscaleP);
        }
        Normalization.check(mean, std);
        mean = mean.clone();
        std = std.clone();
    }

    private static void requireJitter(String field, double v) {
        if (!(v >= 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException(field + " must be a finite value >= 0, got " + v);
        }
    }

    /**
     * The augmentation of the NPID paper's code: RandomResizedCrop(scale 0.2-1, ratio 3/4-4/3),
     * ColorJitter(0.4, 0.4, 0.4, 0.4), RandomGrayscale(0.2), no flip.
     */
    public static AugmentationParams official(int size, float[] mean, float[] std) {
        return new AugmentationParams(
                size, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0, 0.4, 0.4, 0.4, 0.4, 0.2, false, mean, std);
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AugmentationParams a
                && size == a.size
                && scaleMin == a.scaleMin
                && scaleMax == a.scaleMax
                && ratioMin == a.ratioMin
                && ratioMax == a.ratioMax
                && brightness == a.brightness
                && contrast == a.contrast
                && saturation == a.saturation
                && hue == a.hue
                && grayscaleP == a.grayscaleP
                && flip == a.flip
                && Arrays.equals(mean, a.mean)
                && Arrays.equals(std, a.std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(scalars()) + Arrays.hashCode(mean))
                + Arrays.hashCode(std);
    }

    /** The fields other than the arrays, in declaration order, which toString's format follows. */
    private Object[] scalars() {
        return new Object[] {
            size,
            scaleMin,
            scaleMax,
            ratioMin,
            ratioMax,
            brightness,
            contrast,
            saturation,
            hue,
            grayscaleP,
            flip
        };
    }

    @Override
    public String toString() {
        Object[] scalars = scalars();
        Object[] args = Arrays.copyOf(scalars, scalars.length + 2);
        args[scalars.length] = Arrays.toString(mean);
        args[scalars.length + 1] = Arrays.toString(std);
        return String.format(
                Locale.ROOT,
                "AugmentationParams[size=%d, scale=%s-%s, ratio=%s-%s, brightness=%s, contrast=%s,"
                        + " saturation=%s, hue=%s, grayscaleP=%s, flip=%s, mean=%s, std=%s]",
                args);
    }
}
