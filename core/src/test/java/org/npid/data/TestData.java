package org.npid.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Writes tiny data sets for the tests. */
public final class TestData {
    private TestData() {}

    /** An RGB image whose pixel (x, y) is (r, g, b) = (base + x, base + y, base + x + y). */
    public static BufferedImage rgb(int w, int h, int base) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((base + x) << 16) | ((base + y) << 8) | (base + x + y));
            }
        }
        return img;
    }

    public static BufferedImage gray(int w, int h, int value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, value);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        return img;
    }

    public static Path write(BufferedImage img, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString();
        String format = name.substring(name.lastIndexOf('.') + 1);
        if (!ImageIO.write(img, format.equalsIgnoreCase("jpg") ? "jpeg" : format, file.toFile())) {
            throw new IOException("no writer for " + format);
        }
        return file;
    }

    /** CIFAR records: image i has label i % 10 and R, G, B planes filled with i, i + 1, i + 2. */
    static byte[] cifar(int count) {
        byte[] data = new byte[count * 3073];
        for (int i = 0; i < count; i++) {
            int base = i * 3073;
            data[base] = (byte) (i % 10);
            for (int p = 0; p < 1024; p++) {
                data[base + 1 + p] = (byte) i;
                data[base + 1 + 1024 + p] = (byte) (i + 1);
                data[base + 1 + 2048 + p] = (byte) (i + 2);
            }
        }
        return data;
    }

    /** IDX images: image i's pixel at position p is i * 10 + p. */
    static byte[] idxImages(int count, int rows, int cols) {
        byte[] data = new byte[16 + count * rows * cols];
        putInt(data, 0, 0x803);
        putInt(data, 4, count);
        putInt(data, 8, rows);
        putInt(data, 12, cols);
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < rows * cols; p++) {
                data[16 + i * rows * cols + p] = (byte) (i * 10 + p);
            }
        }
        return data;
    }

    static byte[] idxLabels(int count) {
        byte[] data = new byte[8 + count];
        putInt(data, 0, 0x801);
        putInt(data, 4, count);
        for (int i = 0; i < count; i++) {
            data[8 + i] = (byte) ((i * 3) % 10);
        }
        return data;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** A data set held in memory, for transform, loader and evaluation tests. */
    public static ImageDataset memory(Image... images) {
        return new ImageDataset() {
            @Override
            public int size() {
                return images.length;
            }

            @Override
            public int channels() {
                return images[0].channels();
            }

            @Override
            public int label(int index) {
                return index % 3;
            }

            @Override
            public java.util.List<String> classNames() {
                return java.util.List.of("a", "b", "c");
            }

            @Override
            public Image image(int index) {
                return images[index];
            }

            @Override
            public String source(int index) {
                return "mem#" + index;
            }
        };
    }

    /** n distinct 8x8 RGB images. */
    public static ImageDataset memory(int n) {
        Image[] images = new Image[n];
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[8 * 8 * 3];
            for (int p = 0; p < px.length; p++) {
                px[p] = (byte) (i * 7 + p * 13);
            }
            images[i] = new Image(8, 8, 3, px);
        }
        return memory(images);
    }
}
