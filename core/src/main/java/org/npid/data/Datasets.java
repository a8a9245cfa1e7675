package org.npid.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Entry points: open a data set by auto-detecting its format, and compute its statistics. */
public final class Datasets {
    private Datasets() {}

    /**
     * Opens {@code path} by auto-detecting its format:
     *
     * <ul>
     *   <li>a directory with {@code data_batch_*.bin} / {@code test_batch.bin} (also inside a
     *       {@code cifar-10-batches-bin} subdirectory): CIFAR-10 binary;
     *   <li>a directory with {@code train-images-idx3-ubyte[.gz]} / {@code
     *       t10k-images-idx3-ubyte[.gz]} and their idx1 labels: MNIST / Fashion-MNIST;
     *   <li>a directory with {@code train/} and {@code test/} subdirectories: the image folder of
     *       that split;
     *   <li>otherwise the directory itself is an image folder, whatever the split.
     * </ul>
     */
    public static ImageDataset open(Path path, Split split) {
        return open(path, split, 0);
    }

    /**
     * As {@link #open(Path, Split)}, with an image folder's images converted to {@code channels} (1
     * or 3; 0 = the majority's), so that a test split can follow its training split.
     */
    public static ImageDataset open(Path path, Split split, int channels) {
        if (!Files.exists(path)) {
            throw new DataException(
                    "Data path does not exist: "
                            + path
                            + "; pass a directory holding CIFAR-10 binary batches, MNIST IDX files,"
                            + " or images as root/<class>/*.jpg");
        }
        if (!Files.isDirectory(path)) {
            throw new DataException(
                    "Data path is a file, not a directory: "
                            + path
                            + "; pass the directory that contains it");
        }
        return switch (format(path)) {
            case CIFAR_BINARY -> CifarBinaryDataset.open(path, split);
            case IDX -> IdxDataset.open(path, split);
            case IMAGE_FOLDER -> {
                Path train = path.resolve("train");
                Path test = path.resolve("test");
                int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
                Path folder = path;
                if (Files.isDirectory(train)) {
                    // A root with train/ alone has no test split: both splits are train/, which
                    // the training run recognises and then skips kNN.
                    folder = split == Split.TEST && Files.isDirectory(test) ? test : train;
                }
                yield ImageFolderDataset.open(folder, threads, channels);
            }
        };
    }

    /** The kinds of data {@link #open} reads, by how it recognises them. */
    public enum Format {
        CIFAR_BINARY,
        IDX,
        IMAGE_FOLDER
    }

    /** Which reader {@link #open} would use for {@code path}, without reading any image. */
    public static Format format(Path path) {
        if (Files.isDirectory(path) && CifarBinaryDataset.looksLikeCifar(path)) {
            return Format.CIFAR_BINARY;
        }
        if (Files.isDirectory(path) && IdxDataset.looksLikeIdx(path)) {
            return Format.IDX;
        }
        return Format.IMAGE_FOLDER;
    }

    /**
     * Per-channel mean and standard deviation of {@code pixel / 255}, over all images or a seeded
     * random sample of {@code maxSamples} of them.
     *
     * @return {@code {mean[], std[]}}, each of length {@code ds.channels()}
     */
    public static float[][] channelStats(ImageDataset ds, int maxSamples, long seed) {
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be >= 1, got " + maxSamples);
        }
        if (ds.size() == 0) {
            throw new DataException("Cannot compute channel statistics of an empty data set");
        }
        int n = ds.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        int count = Math.min(n, maxSamples);
        if (count < n) {
            // A partial Fisher-Yates shuffle: the first count entries are a uniform sample.
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < count; i++) {
                int j = i + rng.nextInt(n - i);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        // Each image weighs the same whatever its size, as if all were resized to one training
        // size first: one 6000 × 6000 photo among 28 px digits must not set the statistics.
        int c = ds.channels();
        double[] sum = new double[c];
        double[] sumSq = new double[c];
        for (int k = 0; k < count; k++) {
            Image img = ds.image(order[k]);
            byte[] px = img.pixels();
            double[] imgSum = new double[c];
            double[] imgSumSq = new double[c];
            for (int i = 0; i < px.length; i += c) {
                for (int ch = 0; ch < c; ch++) {
                    double v = (px[i + ch] & 0xFF) / 255.0;
                    imgSum[ch] += v;
                    imgSumSq[ch] += v * v;
                }
            }
            double pixels = (double) img.width() * img.height();
            for (int ch = 0; ch < c; ch++) {
                sum[ch] += imgSum[ch] / pixels;
                sumSq[ch] += imgSumSq[ch] / pixels;
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / count;
            mean[ch] = (float) m;
            std[ch] = (float) Math.sqrt(Math.max(0, sumSq[ch] / count - m * m));
        }
        return new float[][] {mean, std};
    }
}
