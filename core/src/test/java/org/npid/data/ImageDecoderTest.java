package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {
    /** Pillow 9.4: 8x8 RGB, left half (200, 30, 60), right half (20, 180, 90), lossless WebP. */
    private static final String WEBP_LOSSLESS =
            "UklGRiIAAABXRUJQVlA4TBYAAAAvB8ABAA9wD8szId+DZ/7DA4WP6H8A";

    /** Pillow 9.4: 8x8 RGB (40, 120, 200), lossy WebP at quality 90 (Pillow reads 39,119,202). */
    private static final String WEBP_LOSSY =
            "UklGRj4AAABXRUJQVlA4IDIAAADQAQCdASoIAAgAAMASJaACdLoB+AADsAD+8JtD/4yp8SF+JC/8ZU/998Pe"
                    + "+HvfD/JQAA==";

    /**
     * Pillow 9.4: 8x8 RGB (230, 200, 40) converted to CMYK (25, 55, 215, 0) and saved as an Adobe
     * CMYK JPEG at quality 95, without an ICC profile.
     */
    private static final String JPEG_CMYK =
            "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYHCQcG"
                    + "BggLCAkKCgoKCgYICwwLCgwJCgoK/8AAFAgACAAIBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAA"
                    + "AAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGh"
                    + "CCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0"
                    + "dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh"
                    + "4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9mK/SCvyfr9/K/9k=";

    @TempDir Path dir;

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    /** Writes {@code pages} as one multi-image file (GIF frames, TIFF pages). */
    private static byte[] encodeSequence(String format, BufferedImage... pages) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            for (BufferedImage page : pages) {
                writer.writeToSequence(new IIOImage(page, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static Image decode(byte[] bytes) {
        try (ImageDecoder decoder = new ImageDecoder()) {
            return decoder.decode(bytes, "test", 0);
        }
    }

    private static void assertPixel(Image img, int x, int y, int tolerance, int... rgb) {
        for (int c = 0; c < rgb.length; c++) {
            assertThat(img.pixel(x, y, c))
                    .as("channel %d at (%d, %d)", c, x, y)
                    .isBetween(rgb[c] - tolerance, rgb[c] + tolerance);
        }
    }

    @Test
    void sixteenBitGrayPngIsScaledToEightBitsAndStaysGray() throws Exception {
        BufferedImage deep = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        deep.getRaster().setSample(0, 0, 0, 65535);
        deep.getRaster().setSample(1, 0, 0, 0x8080);
        deep.getRaster().setSample(2, 1, 0, 257 * 10);

        Image img = decode(encode(deep, "png"));

        assertThat(img.channels()).isEqualTo(1);
        assertThat(img.pixel(0, 0, 0)).isEqualTo(255);
        assertThat(img.pixel(1, 0, 0)).isEqualTo(128);
        assertThat(img.pixel(2, 1, 0)).isEqualTo(10);
        assertThat(img.pixel(0, 1, 0)).isZero();
    }

    @Test
    void palettePngIsExpandedToRgb() throws Exception {
        BufferedImage indexed = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_INDEXED);
        indexed.setRGB(2, 1, 0x00FF00);
        indexed.setRGB(0, 2, 0x0000FF);

        Image img = decode(encode(indexed, "png"));

        assertThat(img.channels()).isEqualTo(3);
        assertPixel(img, 2, 1, 0, 0, 255, 0);
        assertPixel(img, 0, 2, 0, 0, 0, 255);
        assertPixel(img, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void rgbaPngDropsAlphaKeepingTheColour() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(1, 1, 0x40112233);
        img.setRGB(0, 1, 0x00AABBCC);

        Image decoded = decode(encode(img, "png"));

        assertThat(decoded.channels()).isEqualTo(3);
        assertPixel(decoded, 1, 1, 0, 0x11, 0x22, 0x33);
        assertPixel(decoded, 0, 1, 0, 0xAA, 0xBB, 0xCC);
    }

    @Test
    void bmpIsReadExactly() throws Exception {
        Image img = decode(encode(TestData.rgb(5, 4, 30), "bmp"));

        assertThat(img.width()).isEqualTo(5);
        assertThat(img.height()).isEqualTo(4);
        assertPixel(img, 4, 3, 0, 34, 33, 37);
        assertPixel(img, 0, 0, 0, 30, 30, 30);
    }

    @Test
    void gifGivesItsFirstFrame() throws Exception {
        byte[] gif = encodeSequence("gif", solid(4, 4, 0xFF0000), solid(4, 4, 0x0000FF));

        Image img = decode(gif);

        assertThat(img.channels()).isEqualTo(3);
        assertPixel(img, 3, 3, 0, 255, 0, 0);
    }

    @Test
    void tiffGivesItsFirstPage() throws Exception {
        byte[] tiff = encodeSequence("tiff", TestData.rgb(6, 5, 40), solid(6, 5, 0x0000FF));

        Image img = decode(tiff);

        assertThat(img.width()).isEqualTo(6);
        assertPixel(img, 5, 4, 0, 45, 44, 49);
    }

    @Test
    void progressiveJpegIsRead() throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(solid(16, 16, 0x3C78C8), null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] bytes = out.toByteArray();
        // A progressive JPEG's frame header is SOF2 (FFC2), not baseline SOF0 (FFC0).
        assertThat(indexOf(bytes, (byte) 0xFF, (byte) 0xC2)).isPositive();

        Image img = decode(bytes);

        assertPixel(img, 8, 8, 4, 0x3C, 0x78, 0xC8);
    }

    private static int indexOf(byte[] bytes, byte a, byte b) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == a && bytes[i + 1] == b) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void losslessWebpIsExact() {
        Image img = decode(Base64.getDecoder().decode(WEBP_LOSSLESS));

        assertThat(img.width()).isEqualTo(8);
        assertThat(img.height()).isEqualTo(8);
        assertThat(img.channels()).isEqualTo(3);
        assertPixel(img, 1, 5, 0, 200, 30, 60);
        assertPixel(img, 6, 2, 0, 20, 180, 90);
    }

    @Test
    void lossyWebpIsCloseToItsColour() {
        Image img = decode(Base64.getDecoder().decode(WEBP_LOSSY));

        assertThat(img.width()).isEqualTo(8);
        assertPixel(img, 3, 3, 4, 40, 120, 200);
        assertPixel(img, 7, 0, 4, 40, 120, 200);
    }

    @Test
    void cmykJpegBecomesRgb() {
        Image img = decode(Base64.getDecoder().decode(JPEG_CMYK));

        assertThat(img.width()).isEqualTo(8);
        assertThat(img.channels()).isEqualTo(3);
        // An Adobe CMYK JPEG without a profile is read back as Pillow wrote it (inverted CMYK).
        assertPixel(img, 4, 4, 3, 230, 200, 40);
    }

    @Test
    void theFormatComesFromTheBytesNotTheName() throws Exception {
        Path misnamed = Files.write(dir.resolve("photo.jpg"), encode(TestData.rgb(3, 3, 5), "png"));

        try (ImageDecoder decoder = new ImageDecoder()) {
            Image img = decoder.decode(misnamed, 0);
            assertPixel(img, 2, 1, 0, 7, 6, 8);
        }
    }

    @Test
    void bytesNoSupportedFormatClaimsAreRefused() {
        // Two zero bytes then a size: a valid WBMP header, a format npid does not read.
        byte[] wbmp = {0, 0, 4, 4, 0, 0, 0, 0};
        try (ImageDecoder decoder = new ImageDecoder()) {
            assertThatThrownBy(() -> decoder.decode(wbmp, "odd.gif", 0))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("odd.gif")
                    .hasMessageContaining("not a JPEG, PNG, BMP, GIF, WebP or TIFF file");
        }
    }

    @Test
    void aCorruptFileDoesNotSpoilTheNextDecode() throws Exception {
        byte[] good = encode(TestData.rgb(10, 10, 1), "jpeg");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 3);
        try (ImageDecoder decoder = new ImageDecoder()) {
            assertThatThrownBy(() -> decoder.decode(new byte[] {1, 2, 3, 4, 5}, "junk.png", 0))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("junk.png")
                    .hasMessageContaining("replace or delete it");
            assertThat(decoder.decode(good, "a", 0).width()).isEqualTo(10);
            assertThatThrownBy(() -> decoder.decode(truncated, "half.jpg", 0))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("half.jpg");
            assertThat(decoder.decode(good, "b", 0).height()).isEqualTo(10);
        }
    }

    /** A PNG whose header declares {@code width x height} RGB but whose data is a few bytes. */
    static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height);
        ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[64]);
        deflater.finish();
        byte[] idat = new byte[128];
        int n = deflater.deflate(idat);
        deflater.end();
        chunk(out, "IDAT", java.util.Arrays.copyOf(idat, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data)
            throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(name);
        out.write(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void aHugeImageIsRefusedFromItsHeaderWithoutDecoding() throws Exception {
        byte[] bomb = pngHeaderOnly(30000, 30000);
        assertThat(bomb.length).isLessThan(100);
        Path file = Files.write(dir.resolve("huge.png"), bomb);

        long start = System.nanoTime();
        try (ImageDecoder decoder = new ImageDecoder()) {
            for (int shortSide : new int[] {0, 224}) {
                assertThatThrownBy(() -> decoder.decode(file, shortSide))
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining(file.toString())
                        .hasMessageContaining("30000x30000")
                        .hasMessageContaining("900,000,000 pixels")
                        .hasMessageContaining("downscale it");
            }
            assertThatThrownBy(() -> decoder.probe(file, ImageFolderDataset.MAX_CACHED_SIDE))
                    .isInstanceOf(DataException.class)
                    .hasMessageContaining("30000x30000");
        }
        // Decoding would allocate 2.7 GB and inflate as much; the header check takes milliseconds.
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }

    @Test
    void anImageAtTheLimitIsNotRefusedForItsSize() throws Exception {
        // 13,000 x 13,000 = 169 M pixels, under MAX_PIXELS: a large image's header is read and
        // accepted (its pixels are decoded later, when asked for).
        byte[] big = pngHeaderOnly(13000, 13000);
        try (ImageDecoder decoder = new ImageDecoder()) {
            ImageDecoder.Probe probe = decoder.probe(big, "big.png", 64);
            assertThat(probe.width()).isEqualTo(13000);
            assertThat(probe.image()).isNull();
        }
    }

    @Test
    void downscaleKeepsTheAspectRatioWithTheShorterSideAsAsked() throws Exception {
        try (ImageDecoder decoder = new ImageDecoder()) {
            Image wide = decoder.decode(encode(TestData.rgb(300, 200, 0), "png"), "w", 50);
            assertThat(wide.width()).isEqualTo(75);
            assertThat(wide.height()).isEqualTo(50);
            Image tall = decoder.decode(encode(TestData.rgb(200, 300, 0), "png"), "t", 50);
            assertThat(tall.width()).isEqualTo(50);
            assertThat(tall.height()).isEqualTo(75);
            // 301 * 64 / 200 = 96.32, rounded.
            Image odd = decoder.decode(encode(TestData.rgb(301, 200, 0), "png"), "o", 64);
            assertThat(odd.width()).isEqualTo(96);
            assertThat(odd.height()).isEqualTo(64);
            // Subsampled first (1000 / 5 = 200 >= 4 * 50), then resized: 2500 * 50 / 1000.
            Image sub = decoder.decode(encode(solid(2500, 1000, 0x102030), "png"), "s", 50);
            assertThat(sub.width()).isEqualTo(125);
            assertThat(sub.height()).isEqualTo(50);
        }
    }

    @Test
    void downscaleNeverUpscales() throws Exception {
        byte[] small = encode(TestData.rgb(40, 30, 0), "png");
        try (ImageDecoder decoder = new ImageDecoder()) {
            for (int shortSide : new int[] {30, 64, 1000, 0, -1}) {
                Image img = decoder.decode(small, "small", shortSide);
                assertThat(img.width()).as("shortSide %d", shortSide).isEqualTo(40);
                assertThat(img.height()).as("shortSide %d", shortSide).isEqualTo(30);
                assertThat(img.pixel(39, 29, 2)).isEqualTo(39 + 29);
            }
            Image shrunk = decoder.decode(small, "small", 29);
            assertThat(shrunk.height()).isEqualTo(29);
            assertThat(shrunk.width()).isEqualTo(39);
        }
    }

    @Test
    void aUniformImageKeepsItsColourWhenDownscaled() throws Exception {
        try (ImageDecoder decoder = new ImageDecoder()) {
            for (String format : new String[] {"png", "jpeg", "bmp", "tiff"}) {
                // Lossy JPEG may be off by a step or two, the others are exact.
                int tolerance = format.equals("jpeg") ? 3 : 0;
                for (int[] size : new int[][] {{300, 200}, {2500, 1000}}) {
                    byte[] bytes = encode(solid(size[0], size[1], 0x3C78C8), format);
                    Image img = decoder.decode(bytes, format, 50);
                    assertThat(img.height()).as(format).isEqualTo(50);
                    assertThat(img.width()).as(format).isEqualTo(size[0] / (size[1] / 50));
                    for (int y = 0; y < img.height(); y += 7) {
                        for (int x = 0; x < img.width(); x += 7) {
                            assertPixel(img, x, y, tolerance, 0x3C, 0x78, 0xC8);
                        }
                    }
                }
            }
            BufferedImage gray = TestData.gray(500, 240, 77);
            Image g = decoder.decode(encode(gray, "png"), "gray", 60);
            assertThat(g.channels()).isEqualTo(1);
            assertThat(g.width()).isEqualTo(125);
            assertThat(g.pixel(124, 59, 0)).isEqualTo(77);
        }
    }

    /** Columns alternate black and white, one pixel each. */
    private static BufferedImage stripes(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, x % 2 == 0 ? 0 : 255);
            }
        }
        return img;
    }

    @Test
    void downscalingOnePixelStripesGivesTheMeanGrey() throws Exception {
        // 150 x 100 to a shorter side of 40: no subsampling (100 < 2 * 2 * 40), the antialiased
        // resampler alone averages the stripes. (Where the image is large enough to be read with
        // ImageIO's subsampling, f >= 2, it keeps every f-th column and these stripes come out
        // black: detail finer than f pixels aliases, as the decode Javadoc says.)
        try (ImageDecoder decoder = new ImageDecoder()) {
            Image img = decoder.decode(encode(stripes(150, 100), "png"), "stripes", 40);
            assertThat(img.width()).isEqualTo(60);
            int min = 255;
            int max = 0;
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    min = Math.min(min, img.pixel(x, y, 0));
                    max = Math.max(max, img.pixel(x, y, 0));
                }
            }
            assertThat(min).isGreaterThanOrEqualTo(112);
            assertThat(max).isLessThanOrEqualTo(143);
        }
    }
}
