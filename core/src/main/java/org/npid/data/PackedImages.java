package org.npid.data;

/**
 * Images of one size stored back to back in a single HWC array: tens of thousands of small arrays
 * would cost object headers and GC time for nothing.
 */
final class PackedImages {
    private final int width;
    private final int height;
    private final int channels;
    private final byte[] pixels;

    /**
     * @param pixels {@code width * height * channels} bytes per image, image after image; kept, not
     *     copied
     */
    PackedImages(int width, int height, int channels, byte[] pixels) {
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.pixels = pixels;
    }

    int channels() {
        return channels;
    }

    /** A copy of image {@code index}, so callers may change its pixels. */
    Image get(int index) {
        int stride = width * height * channels;
        byte[] px = new byte[stride];
        System.arraycopy(pixels, index * stride, px, 0, stride);
        return new Image(width, height, channels, px);
    }
}
