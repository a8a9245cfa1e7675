package org.npid.eval;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.index.Matrix;
import org.npid.index.Npy;

/**
 * Exports a data set's embeddings, computed with a checkpoint, as a NumPy {@code .npy} matrix (one
 * row per image, float32 or float16) plus a tab-separated sidecar naming each row's image and
 * label, so Python users can {@code np.load} the features directly.
 */
public final class Embeddings {
    /** What was written, and how fast the images were embedded. */
    public record Report(
            int rows, int dim, double seconds, double imagesPerSecond, Path npy, Path sidecar) {}

    private Embeddings() {}

    /**
     * The file beside {@code npy} ({@code .model}) holding the fingerprint of the model that made
     * it, so that a search by image can refuse embeddings of another model.
     */
    public static Path modelOf(Path npy) {
        return npy.resolveSibling(npy.getFileName() + ".model");
    }

    /**
     * Whether {@code model} made the embeddings in {@code npy}: true or false when the file beside
     * them ({@link #modelOf}) says, empty for embeddings written before npid recorded it.
     */
    public static java.util.Optional<Boolean> madeBy(Path npy, ImageEmbedder model) {
        Path file = modelOf(npy);
        if (!Files.exists(file)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(
                    Files.readString(file, StandardCharsets.UTF_8)
                            .strip()
                            .equals(model.fingerprint()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The sidecar written beside {@code npy}: same stem, {@code .tsv}, one line per row naming its
     * image and label, so a search's row ids can be turned back into files.
     */
    public static Path sidecarOf(Path npy) {
        String name = npy.getFileName().toString();
        String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return npy.resolveSibling(stem + ".tsv");
    }

    /** One row of the sidecar: the label as written (-1 for none), the class name, the image. */
    public record SidecarRow(String label, String className, String source) {}

    /**
     * The sidecar of {@code npy} ({@link #sidecarOf}), one entry per embeddings row in row order;
     * empty when there is no sidecar. A line with fewer than four fields gives a null entry.
     */
    public static java.util.List<SidecarRow> readSidecar(Path npy) throws IOException {
        Path tsv = sidecarOf(npy);
        if (!Files.exists(tsv)) {
            return java.util.List.of();
        }
        java.util.List<String> lines = Files.readAllLines(tsv);
        java.util.List<SidecarRow> rows = new java.util.ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split("\t", -1);
            rows.add(f.length < 4 ? null : new SidecarRow(f[1], f[2], f[3]));
        }
        return java.util.Collections.unmodifiableList(rows);
    }

    /**
     * Embeds {@code split} of {@code data} with {@code checkpoint} under its test transform and
     * writes {@code npy}, its sidecar and its model file: the library form of {@code npid embed},
     * whose output {@code npid search} and the indexes read.
     */
    public static Report export(
            Path checkpoint, Path data, Split split, Path npy, boolean float16, int workers) {
        return export(checkpoint, data, split, npy, float16, workers, 0, 0);
    }

    /**
     * As {@link #export(Path, Path, Split, Path, boolean, int)}; with {@code views > 0}, each image
     * is embedded {@code views} times under the checkpoint's training augmentation (seeded by
     * {@code seed}) instead of once under the test transform, and the sidecar gains a view column.
     * Augmented views grow a real data set into a large bank of real embeddings (a retrieval
     * benchmark at a million rows from 70,000 images).
     */
    public static Report export(
            Path checkpoint,
            Path data,
            Split split,
            Path npy,
            boolean float16,
            int workers,
            int views,
            long seed) {
        if (views < 0) {
            throw new IllegalArgumentException(
                    "views must be >= 0 (0 = test transform), got " + views);
        }
        requireDirectory(npy);
        ImageDataset ds = Datasets.open(data, split);
        try (TrainedModel model = TrainedModel.load(checkpoint, ds.channels())) {
            long t0 = System.nanoTime();
            float[] v =
                    views == 0
                            ? model.embed(ds, 256, workers)
                            : model.embedViews(ds, views, seed, 256, workers);
            return write(ds, v, views, System.nanoTime() - t0, npy, float16, model.fingerprint());
        }
    }

    /**
     * As {@link #export(Path, Path, Split, Path, boolean, int)}, with a model already open on
     * either engine, e.g. an {@link OnnxModel} run by ONNX Runtime; the file beside the embeddings
     * records the model's fingerprint.
     */
    public static Report export(
            ImageEmbedder model, ImageDataset ds, Path npy, boolean float16, int workers) {
        requireDirectory(npy);
        long t0 = System.nanoTime();
        float[] v = model.embed(ds, 256, workers);
        return write(ds, v, 0, System.nanoTime() - t0, npy, float16, model.fingerprint());
    }

    private static void requireDirectory(Path npy) {
        Path dir = npy.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "--out "
                            + npy
                            + ": the directory "
                            + dir
                            + " does not exist; create it first or choose another path");
        }
    }

    private static Report write(
            ImageDataset ds,
            float[] v,
            int views,
            long nanos,
            Path npy,
            boolean float16,
            String fingerprint) {
        double seconds = nanos / 1e9;
        int rows = ds.size() * Math.max(views, 1);
        int dim = rows == 0 ? 0 : v.length / rows;
        Npy.write(npy, new Matrix(rows, dim, v), float16);
        Path sidecar = sidecarOf(npy);
        writeSidecar(sidecar, ds, views);
        try {
            Files.writeString(modelOf(npy), fingerprint + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write " + modelOf(npy) + ": " + e.getMessage(), e);
        }
        return new Report(rows, dim, seconds, rows / seconds, npy, sidecar);
    }

    private static void writeSidecar(Path file, ImageDataset ds, int views) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(
                    views == 0
                            ? "row\tlabel\tclass\tsource\n"
                            : "row\tlabel\tclass\tsource\tview\n");
            for (int row = 0; row < ds.size() * Math.max(views, 1); row++) {
                int i = row % ds.size();
                int label = ds.label(i);
                String cls =
                        label >= 0 && label < ds.classNames().size()
                                ? ds.classNames().get(label)
                                : "";
                w.write(row + "\t" + label + "\t" + cls + "\t" + ds.source(i));
                w.write(views == 0 ? "\n" : "\t" + row / ds.size() + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
