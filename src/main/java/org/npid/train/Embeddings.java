package org.npid.train;

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

    /** The sidecar written beside {@code npy}: same name, {@code .tsv}. */
    public static Path sidecarOf(Path npy) {
        String name = npy.getFileName().toString();
        String stem = name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name;
        return npy.resolveSibling(stem + ".tsv");
    }

    public static Report export(
            Path checkpoint, Path data, Split split, Path npy, boolean float16, int workers) {
        ImageDataset ds = Datasets.open(data, split);
        try (TrainedModel model = TrainedModel.load(checkpoint, ds.channels())) {
            long t0 = System.nanoTime();
            float[] v = model.embed(ds, 256, workers);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int dim = ds.size() == 0 ? 0 : v.length / ds.size();
            Npy.write(npy, new Matrix(ds.size(), dim, v), float16);
            Path sidecar = sidecarOf(npy);
            writeSidecar(sidecar, ds);
            return new Report(ds.size(), dim, seconds, ds.size() / seconds, npy, sidecar);
        }
    }

    private static void writeSidecar(Path file, ImageDataset ds) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("row\tlabel\tclass\tsource\n");
            for (int i = 0; i < ds.size(); i++) {
                int label = ds.label(i);
                String cls =
                        label >= 0 && label < ds.classNames().size()
                                ? ds.classNames().get(label)
                                : "";
                w.write(i + "\t" + label + "\t" + cls + "\t" + ds.source(i) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
