package org.npid.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CIFAR-10 binary version: records of one label byte followed by 32x32 R, G and B planes.
 * Everything is loaded into one HWC array at open (150 MB for the training set).
 */
public final class CifarBinaryDataset extends PackedDataset {
    static final int SIDE = 32;
    static final int PLANE = SIDE * SIDE;
    static final int RECORD = 1 + 3 * PLANE;
    static final String SUBDIR = "cifar-10-batches-bin";
    static final String TEST_FILE = "test_batch.bin";
    static final List<String> STANDARD_CLASSES =
            List.of(
                    "airplane",
                    "automobile",
                    "bird",
                    "cat",
                    "deer",
                    "dog",
                    "frog",
                    "horse",
                    "ship",
                    "truck");
    private static final Pattern TRAIN_FILE = Pattern.compile("data_batch_(\\d+)\\.bin");

    private final List<String> fileNames;
    private final int[] fileStarts;

    private CifarBinaryDataset(
            byte[] pixels,
            int[] labels,
            List<String> classNames,
            List<String> fileNames,
            int[] fileStarts) {
        super(new PackedImages(SIDE, SIDE, 3, pixels), labels, classNames);
        this.fileNames = fileNames;
        this.fileStarts = fileStarts;
    }

    /** The directory holding the batch files: {@code dir} itself or its cifar-10-batches-bin. */
    static Path batchDir(Path dir) {
        Path sub = dir.resolve(SUBDIR);
        return Files.isDirectory(sub) ? sub : dir;
    }

    /** Whether {@code dir} (or its cifar-10-batches-bin subdirectory) holds CIFAR batch files. */
    static boolean looksLikeCifar(Path dir) {
        Path d = batchDir(dir);
        return Files.isRegularFile(d.resolve(TEST_FILE)) || !trainFiles(d).isEmpty();
    }

    /** Opens the training batches ({@code data_batch_*.bin}) or {@code test_batch.bin}. */
    public static CifarBinaryDataset open(Path dir, Split split) {
        if (!Files.isDirectory(dir)) {
            throw new DataException(
                    "CIFAR-10 directory does not exist: "
                            + dir
                            + "; download and unpack cifar-10-binary.tar.gz there");
        }
        Path d = batchDir(dir);
        List<Path> files;
        if (split == Split.TRAIN) {
            files = trainFiles(d);
        } else {
            files =
                    Files.isRegularFile(d.resolve(TEST_FILE))
                            ? List.of(d.resolve(TEST_FILE))
                            : List.of();
        }
        if (files.isEmpty()) {
            throw new DataException(
                    "No CIFAR-10 "
                            + (split == Split.TRAIN ? "data_batch_*.bin" : TEST_FILE)
                            + " file in "
                            + d
                            + "; unpack the complete cifar-10-binary.tar.gz there");
        }
        return fromFiles(files, classNames(d));
    }

    /** Reads the given batch files in order. */
    public static CifarBinaryDataset fromFiles(List<Path> files, List<String> classNames) {
        long total = 0;
        for (Path f : files) {
            long bytes = fileSize(f);
            if (bytes == 0 || bytes % RECORD != 0) {
                throw new DataException(
                        "CIFAR-10 file "
                                + f
                                + " has "
                                + bytes
                                + " bytes, which is not a multiple of "
                                + RECORD
                                + " bytes (1 label + 3072 pixels per image); it is probably"
                                + " truncated: re-download cifar-10-binary.tar.gz");
            }
            total += bytes / RECORD;
        }
        int n = Math.toIntExact(total);
        byte[] pixels = new byte[Math.multiplyExact(n, 3 * PLANE)];
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        int[] starts = new int[files.size()];
        int index = 0;
        for (int fi = 0; fi < files.size(); fi++) {
            Path f = files.get(fi);
            byte[] data = readAll(f);
            starts[fi] = index;
            names.add(f.getFileName().toString());
            for (int r = 0; r < data.length / RECORD; r++, index++) {
                int base = r * RECORD;
                int label = data[base] & 0xFF;
                if (label >= classNames.size()) {
                    throw new DataException(
                            "CIFAR-10 file "
                                    + f
                                    + " record "
                                    + r
                                    + " has label "
                                    + label
                                    + " but there are only "
                                    + classNames.size()
                                    + " classes; is this the CIFAR-100 or a corrupt file?");
                }
                labels[index] = label;
                planesToInterleaved(data, base + 1, pixels, index * 3 * PLANE);
            }
        }
        return new CifarBinaryDataset(pixels, labels, classNames, names, starts);
    }

    private static void planesToInterleaved(byte[] src, int from, byte[] dst, int to) {
        for (int p = 0; p < PLANE; p++) {
            dst[to + 3 * p] = src[from + p];
            dst[to + 3 * p + 1] = src[from + PLANE + p];
            dst[to + 3 * p + 2] = src[from + 2 * PLANE + p];
        }
    }

    private static List<Path> trainFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> TRAIN_FILE.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(CifarBinaryDataset::batchNumber))
                    .toList();
        } catch (IOException e) {
            throw new DataException("Cannot list directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int batchNumber(Path p) {
        Matcher m = TRAIN_FILE.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    private static List<String> classNames(Path dir) {
        Path meta = dir.resolve("batches.meta.txt");
        if (!Files.isRegularFile(meta)) {
            return STANDARD_CLASSES;
        }
        try {
            List<String> names =
                    Files.readAllLines(meta, StandardCharsets.UTF_8).stream()
                            .map(String::strip)
                            .filter(s -> !s.isEmpty())
                            .toList();
            return names.isEmpty() ? STANDARD_CLASSES : names;
        } catch (IOException e) {
            throw new DataException("Cannot read " + meta + ": " + e.getMessage(), e);
        }
    }

    private static long fileSize(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new DataException("Cannot read CIFAR-10 file " + f + ": " + e.getMessage(), e);
        }
    }

    private static byte[] readAll(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new DataException("Cannot read CIFAR-10 file " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String source(int index) {
        Objects.checkIndex(index, size());
        int fi = fileStarts.length - 1;
        while (fileStarts[fi] > index) {
            fi--;
        }
        return fileNames.get(fi) + "#" + (index - fileStarts[fi]);
    }
}
