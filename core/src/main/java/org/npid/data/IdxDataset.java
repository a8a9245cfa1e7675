package org.npid.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * MNIST-style IDX files ({@code train-images-idx3-ubyte[.gz]} and {@code
 * train-labels-idx1-ubyte[.gz]}, or the {@code t10k-} pair), gzipped or not.
 */
public final class IdxDataset extends PackedDataset {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;
    static final List<String> DIGITS = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    static final List<String> FASHION =
            List.of(
                    "T-shirt/top",
                    "Trouser",
                    "Pullover",
                    "Dress",
                    "Coat",
                    "Sandal",
                    "Shirt",
                    "Sneaker",
                    "Bag",
                    "Ankle boot");

    private final String fileName;

    private IdxDataset(
            byte[] pixels,
            int width,
            int height,
            int[] labels,
            List<String> classNames,
            String fileName) {
        super(new PackedImages(width, height, 1, pixels), labels, classNames);
        this.fileName = fileName;
    }

    /** The images file of {@code split} in {@code dir}, or null when there is none. */
    static Path imagesFile(Path dir, Split split) {
        return find(dir, prefix(split) + "-images", "idx3-ubyte");
    }

    private static Path labelsFile(Path dir, Split split) {
        return find(dir, prefix(split) + "-labels", "idx1-ubyte");
    }

    private static String prefix(Split split) {
        return split == Split.TRAIN ? "train" : "t10k";
    }

    private static Path find(Path dir, String stem, String type) {
        // Both the official "-idx3-ubyte" and the common re-packaged ".idx3-ubyte" spellings.
        for (String sep : List.of("-", ".")) {
            for (String ext : List.of("", ".gz")) {
                Path p = dir.resolve(stem + sep + type + ext);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Whether {@code dir} holds IDX image files of either split. */
    static boolean looksLikeIdx(Path dir) {
        return imagesFile(dir, Split.TRAIN) != null || imagesFile(dir, Split.TEST) != null;
    }

    /** Opens the IDX pair of {@code split} in {@code dir}. */
    public static IdxDataset open(Path dir, Split split) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("IDX data directory does not exist: " + dir);
        }
        Path images = imagesFile(dir, split);
        if (images == null) {
            throw new DataException(
                    "No "
                            + prefix(split)
                            + "-images-idx3-ubyte[.gz] file in "
                            + dir
                            + "; download the MNIST or Fashion-MNIST files for this split");
        }
        Path labels = labelsFile(dir, split);
        if (labels == null) {
            throw new DataException(
                    "Found "
                            + images.getFileName()
                            + " but no "
                            + prefix(split)
                            + "-labels-idx1-ubyte[.gz] in "
                            + dir
                            + "; download the matching labels file");
        }
        return fromFiles(images, labels, defaultClassNames(dir));
    }

    /** Fashion-MNIST and MNIST ship the same file names, so the directory name tells them apart. */
    static List<String> defaultClassNames(Path dir) {
        return dir.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("fashion")
                ? FASHION
                : DIGITS;
    }

    /** Reads an images file and its labels file. */
    public static IdxDataset fromFiles(Path images, Path labels, List<String> classNames) {
        byte[] img = readMaybeGzipped(images);
        checkMagic(images, img, IMAGES_MAGIC);
        if (img.length < 16) {
            throw truncated(images, 16, img.length);
        }
        int n = readInt(img, 4);
        int rows = readInt(img, 8);
        int cols = readInt(img, 12);
        long expected = 16L + (long) n * rows * cols;
        if (n < 0 || rows <= 0 || cols <= 0 || img.length != expected) {
            throw truncated(images, expected, img.length);
        }
        byte[] lab = readMaybeGzipped(labels);
        checkMagic(labels, lab, LABELS_MAGIC);
        int m = lab.length >= 8 ? readInt(lab, 4) : -1;
        if (m < 0 || lab.length != 8L + m) {
            throw truncated(labels, 8L + Math.max(m, 0), lab.length);
        }
        if (m != n) {
            throw new DataException(
                    "IDX files disagree: "
                            + images
                            + " holds "
                            + n
                            + " images but "
                            + labels
                            + " holds "
                            + m
                            + " labels; use the images and labels files of the same split");
        }
        int[] labelIds = new int[n];
        for (int i = 0; i < n; i++) {
            int label = lab[8 + i] & 0xFF;
            if (label >= classNames.size()) {
                throw new DataException(
                        "IDX labels file "
                                + labels
                                + " has label "
                                + label
                                + " at "
                                + i
                                + " but only "
                                + classNames.size()
                                + " classes are known");
            }
            labelIds[i] = label;
        }
        byte[] pixels = new byte[n * rows * cols];
        System.arraycopy(img, 16, pixels, 0, pixels.length);
        return new IdxDataset(
                pixels, cols, rows, labelIds, classNames, images.getFileName().toString());
    }

    private static DataException truncated(Path f, long expected, long actual) {
        return new DataException(
                "IDX file "
                        + f
                        + " has "
                        + actual
                        + " bytes but its header implies "
                        + expected
                        + "; it is probably truncated or corrupt: re-download it");
    }

    private static void checkMagic(Path f, byte[] data, int expected) {
        int found = data.length >= 4 ? readInt(data, 0) : -1;
        if (found != expected) {
            throw new DataException(
                    String.format(
                            Locale.ROOT,
                            "%s is not an IDX %s file: expected magic number 0x%08X, found 0x%08X;"
                                    + " check that this is an (unrenamed) MNIST-format file",
                            f,
                            expected == IMAGES_MAGIC ? "images" : "labels",
                            expected,
                            found));
        }
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24)
                | ((b[at + 1] & 0xFF) << 16)
                | ((b[at + 2] & 0xFF) << 8)
                | (b[at + 3] & 0xFF);
    }

    /** Detects gzip by its magic bytes rather than the name, as files are often re-packaged. */
    private static byte[] readMaybeGzipped(Path f) {
        try {
            byte[] raw = Files.readAllBytes(f);
            if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1f && (raw[1] & 0xFF) == 0x8b) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    return in.readAllBytes();
                }
            }
            return raw;
        } catch (IOException e) {
            throw new DataException(
                    "Cannot read IDX file " + f + ": " + e.getMessage() + "; re-download it", e);
        }
    }

    @Override
    public String source(int index) {
        Objects.checkIndex(index, size());
        return fileName + "#" + index;
    }
}
