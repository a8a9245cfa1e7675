package org.npid.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes JPEG/PNG files to {@link Image} with ImageIO, reading rasters directly when possible. An
 * instance keeps one ImageIO reader per format for reuse, since looking readers up costs more than
 * decoding a 32x32 JPEG; it is therefore not thread-safe: use one per thread.
 */
final class ImageDecoder implements AutoCloseable {
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G'};

    /** What the header says, plus the pixels when they were decoded. */
    record Probe(int width, int height, boolean gray, Image image) {}

    private ImageReader jpeg;
    private ImageReader png;

    /** Decodes {@code file} once, keeping its own channel count (1 for grayscale, else 3). */
    static Image decode(Path file) {
        try (ImageDecoder decoder = new ImageDecoder()) {
            return decoder.probe(file, Integer.MAX_VALUE).image();
        }
    }

    /**
     * Reads the header of {@code file} and decodes the pixels only when neither side exceeds {@code
     * maxSide}, so folders of large images open quickly.
     */
    Probe probe(Path file, int maxSide) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw corrupt(file.toString(), e);
        }
        return probe(bytes, file.toString(), maxSide);
    }

    /**
     * As {@link #probe(Path, int)}, for a file already read into memory ({@code source} names it in
     * errors): Spark's binary files, uploads.
     */
    Probe probe(byte[] bytes, String source, int maxSide) {
        ImageReader reader = null;
        try {
            reader = readerFor(source, bytes);
            // Whole-file reads are fast and keep ImageIO from creating temporary cache files.
            try (ImageInputStream in =
                    new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                Probe probe;
                if (width <= maxSide && height <= maxSide) {
                    Image image = toImage(reader.read(0), source);
                    probe = new Probe(width, height, image.channels() == 1, image);
                } else {
                    probe = new Probe(width, height, isGray(reader), null);
                }
                reader.setInput(null);
                return probe;
            }
        } catch (IOException | RuntimeException e) {
            // A reader that failed mid-file may hold broken state; start the next file afresh.
            forget(reader);
            throw corrupt(source, e);
        }
    }

    private ImageReader readerFor(String file, byte[] bytes) {
        if (bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8) {
            if (jpeg == null) {
                jpeg = ImageIO.getImageReadersByFormatName("jpeg").next();
            }
            return jpeg;
        }
        if (bytes.length > 8 && Arrays.equals(bytes, 0, 4, PNG_MAGIC, 0, 4)) {
            if (png == null) {
                png = ImageIO.getImageReadersByFormatName("png").next();
            }
            return png;
        }
        throw new DataException(
                "Cannot decode image "
                        + file
                        + ": not a JPEG or PNG file (corrupt or wrong extension); "
                        + "replace or delete it");
    }

    private void forget(ImageReader reader) {
        if (reader == null) {
            return;
        }
        reader.dispose();
        if (reader == jpeg) {
            jpeg = null;
        } else if (reader == png) {
            png = null;
        }
    }

    @Override
    public void close() {
        forget(jpeg);
        forget(png);
    }

    private static boolean isGray(ImageReader reader) throws IOException {
        ImageTypeSpecifier type = reader.getRawImageType(0);
        if (type == null) {
            Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
            type = types.hasNext() ? types.next() : null;
        }
        return type != null && type.getColorModel().getNumColorComponents() == 1;
    }

    private static DataException corrupt(String file, Exception e) {
        if (e instanceof DataException de) {
            return de;
        }
        return new DataException(
                "Cannot decode image "
                        + file
                        + ": "
                        + e.getMessage()
                        + " (the file is probably corrupt or truncated; replace or delete it)",
                e);
    }

    static Image toImage(BufferedImage img, String file) {
        if (img == null) {
            throw new DataException(
                    "Cannot decode image " + file + ": the decoder returned nothing");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        boolean gray = img.getColorModel().getNumColorComponents() == 1;
        int channels = gray ? 1 : 3;
        byte[] out = new byte[w * h * channels];
        if (!copyInterleavedBytes(img, out, channels)) {
            copySlow(img, out, gray);
        }
        return new Image(w, h, channels, out);
    }

    /** The fast path: 8-bit interleaved rasters (JPEG, most PNGs) are copied without conversion. */
    private static boolean copyInterleavedBytes(BufferedImage img, byte[] out, int channels) {
        Raster raster = img.getRaster();
        if (!(img.getColorModel() instanceof ComponentColorModel cm)
                || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
                || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0
                || !isStandardSpace(cm.getColorSpace())) {
            return false;
        }
        byte[] data = buffer.getData();
        int base = buffer.getOffset();
        int[] bands = sm.getBandOffsets();
        int pixelStride = sm.getPixelStride();
        int scanline = sm.getScanlineStride();
        int w = img.getWidth();
        int h = img.getHeight();
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * scanline;
            for (int x = 0; x < w; x++, p += pixelStride) {
                for (int c = 0; c < channels; c++) {
                    out[o++] = data[p + bands[c]];
                }
            }
        }
        return true;
    }

    private static boolean isStandardSpace(ColorSpace space) {
        return space.isCS_sRGB() || space.getType() == ColorSpace.TYPE_GRAY;
    }

    /** Palette, 16-bit and other unusual layouts: correct but slower. */
    private static void copySlow(BufferedImage img, byte[] out, boolean gray) {
        int w = img.getWidth();
        int h = img.getHeight();
        Raster raster = img.getRaster();
        if (gray && img.getColorModel() instanceof ComponentColorModel) {
            int max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (byte) Math.round(raster.getSample(x, y, 0) * 255f / max);
                }
            }
            return;
        }
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                if (gray) {
                    out[o++] = (byte) (argb & 0xFF);
                } else {
                    out[o++] = (byte) (argb >> 16);
                    out[o++] = (byte) (argb >> 8);
                    out[o++] = (byte) argb;
                }
            }
        }
    }

    /**
     * Converts to {@code channels}: grayscale is replicated to RGB, RGB is reduced by ITU-R 601
     * luma.
     */
    static Image withChannels(Image image, int channels) {
        if (image.channels() == channels) {
            return image;
        }
        byte[] src = image.pixels();
        int n = image.width() * image.height();
        byte[] out = new byte[n * channels];
        if (channels == 3) {
            for (int i = 0; i < n; i++) {
                out[3 * i] = src[i];
                out[3 * i + 1] = src[i];
                out[3 * i + 2] = src[i];
            }
        } else {
            for (int i = 0; i < n; i++) {
                float luma =
                        0.299f * (src[3 * i] & 0xFF)
                                + 0.587f * (src[3 * i + 1] & 0xFF)
                                + 0.114f * (src[3 * i + 2] & 0xFF);
                out[i] = (byte) Math.min(255, Math.round(luma));
            }
        }
        return new Image(image.width(), image.height(), channels, out);
    }
}
