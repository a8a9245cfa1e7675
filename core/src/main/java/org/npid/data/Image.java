package org.npid.data;

/**
 * A decoded image: uint8 pixels, rows top to bottom, channels interleaved (HWC).
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param pixels {@code width * height * channels} bytes, read as unsigned
 */
// Arrays keep 60k images compact; callers treat pixels as read-only and equality is by identity.
@SuppressWarnings("ArrayRecordComponent")
public record Image(int width, int height, int channels, byte[] pixels) {
    public Image {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "Image width and height must be positive, got " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("Image channels must be 1 or 3, got " + channels);
        }
        if (pixels == null || pixels.length != width * height * channels) {
            throw new IllegalArgumentException(
                    "Image pixels must hold width*height*channels = "
                            + width * height * channels
                            + " bytes, got "
                            + (pixels == null ? "null" : pixels.length));
        }
    }

    /** The unsigned value of channel {@code c} at column {@code x}, row {@code y}. */
    public int pixel(int x, int y, int c) {
        return pixels[(y * width + x) * channels + c] & 0xFF;
    }

    /** As an RGB BufferedImage (gray replicated), for writing PNGs and drawing. */
    public java.awt.image.BufferedImage toBufferedImage() {
        java.awt.image.BufferedImage b =
                new java.awt.image.BufferedImage(
                        width, height, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = (y * width + x) * channels;
                int r = pixels[o] & 0xff;
                int g = channels == 3 ? pixels[o + 1] & 0xff : r;
                int bl = channels == 3 ? pixels[o + 2] & 0xff : r;
                b.setRGB(x, y, (r << 16) | (g << 8) | bl);
            }
        }
        return b;
    }
}
