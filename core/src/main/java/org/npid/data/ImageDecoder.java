package org.npid.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes image files to {@link Image} with ImageIO, reading rasters directly when possible.
 *
 * <p>Formats: JPEG (baseline, progressive, CMYK/YCCK and some damaged files, through TwelveMonkeys'
 * reader), PNG (1 to 16 bits, gray, palette, alpha), BMP, GIF (first frame), WebP (lossy and
 * lossless) and TIFF (first page). The reader is picked from the file's bytes, never from its name.
 * Alpha is dropped (as PIL's {@code convert("RGB")}), 16-bit samples are scaled to 8 bits, palettes
 * are expanded; grayscale images keep 1 channel and all others become 3-channel RGB.
 *
 * <p>No image larger than {@link #MAX_PIXELS} is decoded: the header's size is checked first, so a
 * huge (or maliciously declared) image fails at once with a {@link DataException} instead of
 * exhausting memory.
 *
 * <p>An instance keeps one ImageIO reader per format for reuse, since creating readers costs more
 * than decoding a 32x32 JPEG; it is therefore not thread-safe: use one per thread.
 */
final class ImageDecoder implements AutoCloseable {
    /**
     * The most pixels (width x height) an image may have. Pillow refuses images over 2 x 89,478,485
     * pixels as decompression bombs ({@code DecompressionBombError}); npid uses the same bound, so
     * no image a PIL-based pipeline (torchvision's ImageFolder) accepts is refused here for its
     * size. At this size an RGB image is 537 MB as bytes (twice that while the decoder's own raster
     * is alive), well within the launcher's 8 GB heap, and {@code width * height * 4} still fits an
     * int, so no buffer size overflows.
     */
    static final long MAX_PIXELS = 2L * 89_478_485;

    /**
     * The bytes read to learn a large file's size: JPEG's frame header follows its EXIF and ICC
     * segments, which rarely exceed this; when they do, the whole file is read.
     */
    private static final int HEAD_BYTES = 256 * 1024;

    /** What the header says, plus the pixels when they were decoded. */
    record Probe(int width, int height, boolean gray, Image image) {}

    /**
     * The formats read. Other plug-ins ImageIO has (WBMP, ICO, CUR, whatever else is on the class
     * path) are left out: WBMP in particular accepts almost any bytes starting with two zeros, and
     * would turn a corrupt file into a black-and-white image instead of an error.
     */
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "bmp", "gif", "webp", "tiff");

    /**
     * The reader plug-ins for {@link #FORMATS}, in ImageIO's preference order (TwelveMonkeys'
     * before the JDK's).
     */
    private final List<ImageReaderSpi> providers = new ArrayList<>();

    /** One reader per plug-in (per format), created on first use. */
    private final Map<ImageReaderSpi, ImageReader> readers = new HashMap<>();

    ImageDecoder() {
        IIORegistry.getDefaultInstance()
                .getServiceProviders(ImageReaderSpi.class, true)
                .forEachRemaining(
                        spi -> {
                            if (Arrays.stream(spi.getFormatNames())
                                    .anyMatch(n -> FORMATS.contains(n.toLowerCase(Locale.ROOT)))) {
                                providers.add(spi);
                            }
                        });
    }

    /** Decodes {@code file} once, keeping its own channel count (1 for grayscale, else 3). */
    static Image decode(Path file) {
        try (ImageDecoder decoder = new ImageDecoder()) {
            return decoder.probe(file, Integer.MAX_VALUE).image();
        }
    }

    /**
     * Decodes {@code file} with its shorter side scaled down to {@code shortSide} pixels, the
     * aspect ratio kept (the longer side is rounded); an image whose shorter side is already no
     * more than {@code shortSide}, or any image when {@code shortSide <= 0}, comes back at its own
     * size (never upscaled).
     *
     * <p>An image at least eight times as large as needed is read with ImageIO's source subsampling
     * by the largest integer factor that leaves at least {@code 4 * shortSide} on the shorter side,
     * which bounds memory and time (a 2.5-megapixel JPEG: 17 ms whole, 7.6 ms at a quarter, 5.4 ms
     * at an eighth, on Zen 3), then resized with the antialiased {@link Resampler}. Subsampling
     * keeps every f-th pixel, so detail finer than f pixels can alias; keeping four times the
     * output before the antialiased resize leaves most of that above what the output can show, at
     * little cost (an eighth of the side costs 30 % less than a quarter).
     */
    Image decode(Path file, int shortSide) {
        return decode(read(file), file.toString(), shortSide);
    }

    /** As {@link #decode(Path, int)}, for a file already read ({@code source} names it). */
    Image decode(byte[] bytes, String source, int shortSide) {
        ImageReader reader = null;
        try (ImageInputStream in = streamOf(bytes)) {
            reader = readerFor(source, in);
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkSize(source, width, height);
            int shorter = Math.min(width, height);
            ImageReadParam param = reader.getDefaultReadParam();
            boolean resize = shortSide > 0 && shorter > shortSide;
            if (resize) {
                int f = shorter / (4 * shortSide);
                if (f >= 2) {
                    param.setSourceSubsampling(f, f, 0, 0);
                }
            }
            Image image = toImage(reader.read(0, param), source);
            reader.setInput(null);
            if (!resize) {
                return image;
            }
            int outW;
            int outH;
            if (width <= height) {
                outW = shortSide;
                outH = (int) Math.round((double) height * shortSide / width);
            } else {
                outH = shortSide;
                outW = (int) Math.round((double) width * shortSide / height);
            }
            return resize(image, outW, outH);
        } catch (IOException | RuntimeException e) {
            // A reader that failed mid-file may hold broken state; start the next file afresh.
            forget(reader);
            throw corrupt(source, e);
        }
    }

    /** {@code image} resized to {@code outW x outH} with the antialiased resampler. */
    private static Image resize(Image image, int outW, int outH) {
        int c = image.channels();
        int w = image.width();
        int h = image.height();
        return Resampler.bytes(
                Resampler.resize(Planar.of(image, c), c, w, h, 0, 0, w, h, outW, outH),
                c,
                outW,
                outH);
    }

    /**
     * Reads the header of {@code file} and decodes the pixels only when neither side exceeds {@code
     * maxSide}, so folders of large images open quickly.
     */
    Probe probe(Path file, int maxSide) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw corrupt(file.toString(), e);
        }
        if (size > HEAD_BYTES) {
            // Only the header of a large file is needed: reading 100,000 photos whole to learn
            // their sizes would read tens of gigabytes.
            Probe head = headerOnly(readHead(file), file.toString(), maxSide);
            if (head != null) {
                return head;
            }
        }
        return probe(read(file), file.toString(), maxSide);
    }

    /**
     * The size and colour of an image too large to decode at {@code maxSide}, from the first bytes
     * of its file; null when they do not say (the header lies further in) or the image is small
     * enough to be decoded, for the caller to read the whole file.
     */
    private Probe headerOnly(byte[] head, String source, int maxSide) {
        ImageReader reader = null;
        int width;
        int height;
        boolean gray;
        try (ImageInputStream in = streamOf(head)) {
            reader = readerFor(source, in);
            reader.setInput(in, true, true);
            width = reader.getWidth(0);
            height = reader.getHeight(0);
            gray = isGray(reader);
            reader.setInput(null);
        } catch (IOException | RuntimeException e) {
            // Cut off before the header ends, or not an image: the whole file decides.
            forget(reader);
            return null;
        }
        checkSize(source, width, height);
        return width <= maxSide && height <= maxSide ? null : new Probe(width, height, gray, null);
    }

    private static byte[] readHead(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(HEAD_BYTES);
        } catch (IOException e) {
            throw corrupt(file.toString(), e);
        }
    }

    /**
     * As {@link #probe(Path, int)}, for a file already read into memory ({@code source} names it in
     * errors): Spark's binary files, uploads.
     */
    Probe probe(byte[] bytes, String source, int maxSide) {
        ImageReader reader = null;
        try (ImageInputStream in = streamOf(bytes)) {
            reader = readerFor(source, in);
            reader.setInput(in, true, true);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkSize(source, width, height);
            Probe probe;
            if (width <= maxSide && height <= maxSide) {
                Image image = toImage(reader.read(0), source);
                probe = new Probe(width, height, image.channels() == 1, image);
            } else {
                probe = new Probe(width, height, isGray(reader), null);
            }
            reader.setInput(null);
            return probe;
        } catch (IOException | RuntimeException e) {
            // A reader that failed mid-file may hold broken state; start the next file afresh.
            forget(reader);
            throw corrupt(source, e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw corrupt(file.toString(), e);
        }
    }

    /** Whole-file reads are fast and keep ImageIO from creating temporary cache files. */
    private static ImageInputStream streamOf(byte[] bytes) {
        return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
    }

    /** Refuses an image over {@link #MAX_PIXELS} before a single pixel is decoded. */
    private static void checkSize(String source, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new DataException(
                    "Cannot decode image "
                            + source
                            + ": its header says "
                            + width
                            + "x"
                            + height
                            + " pixels (the file is corrupt; replace or delete it)");
        }
        long pixels = (long) width * height;
        if (pixels > MAX_PIXELS) {
            throw new DataException(
                    String.format(
                            Locale.ROOT,
                            "Image %s is too large to decode: %dx%d is %,d pixels, over npid's"
                                    + " limit of %,d; downscale it (e.g. to at most 4096 pixels a"
                                    + " side) or delete it",
                            source,
                            width,
                            height,
                            pixels,
                            MAX_PIXELS));
        }
    }

    /**
     * The reader for the format the bytes start with: the first plug-in, in ImageIO's order, that
     * can decode them (as {@link ImageIO#getImageReaders} picks), without creating a new reader
     * each time.
     */
    private ImageReader readerFor(String file, ImageInputStream in) throws IOException {
        for (ImageReaderSpi spi : providers) {
            if (canDecode(spi, in)) {
                ImageReader reader = readers.get(spi);
                if (reader == null) {
                    reader = spi.createReaderInstance();
                    readers.put(spi, reader);
                }
                return reader;
            }
        }
        throw new DataException(
                "Cannot decode image "
                        + file
                        + ": not a JPEG, PNG, BMP, GIF, WebP or TIFF file (corrupt, or another"
                        + " format under an image extension); replace or delete it");
    }

    /** As ImageIO's own filter: a plug-in that fails to look at short input does not claim it. */
    private static boolean canDecode(ImageReaderSpi spi, ImageInputStream in) throws IOException {
        in.mark();
        try {
            return spi.canDecodeInput(in);
        } catch (IOException e) {
            return false;
        } finally {
            in.reset();
        }
    }

    private void forget(ImageReader reader) {
        if (reader == null) {
            return;
        }
        reader.dispose();
        readers.values().remove(reader);
    }

    @Override
    public void close() {
        readers.values().forEach(ImageReader::dispose);
        readers.clear();
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
