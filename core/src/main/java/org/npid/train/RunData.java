package org.npid.train;

import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.ImageCache;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.data.TestTransform;
import org.npid.eval.LabelledSplits;
import org.npid.model.Stem;

/**
 * The data of a run: the training set, the labelled test set used for kNN (null when there is
 * none), and the input normalisation. The mean and std are measured on the training images, so a
 * user's own folder is normalised as well as CIFAR-10 is; a resumed run reuses the stored ones.
 */
final class RunData {
    private final ImageDataset train;
    private final ImageDataset test;
    private final float[] mean;
    private final float[] std;
    private final int imageSize;
    private final Resolution chosen;

    /** Holds {@code mean} and {@code std} as they are, without copying. */
    RunData(
            ImageDataset train,
            ImageDataset test,
            float[] mean,
            float[] std,
            int imageSize,
            Resolution chosen) {
        this.train = train;
        this.test = test;
        this.mean = mean;
        this.std = std;
        this.imageSize = imageSize;
        this.chosen = chosen;
    }

    ImageDataset train() {
        return train;
    }

    /** The labelled test set for kNN, or null. */
    ImageDataset test() {
        return test;
    }

    /** Per-channel mean (the array itself). */
    float[] mean() {
        return mean;
    }

    /** Per-channel standard deviation (the array itself). */
    float[] std() {
        return std;
    }

    int imageSize() {
        return imageSize;
    }

    /** The resolution chosen for this run, or null when it was given or stored. */
    Resolution chosen() {
        return chosen;
    }

    private static final int STATS_SAMPLES = 10_000;
    private static final int FINGERPRINT_IMAGES = 256;

    private static final int CACHE_FACTOR = ImageCache.FACTOR;

    /** Images decoded to time decoding. */
    private static final int DECODE_SAMPLE = 16;

    static RunData open(TrainConfig config, Checkpoint.State stored) {
        return open(config, stored, 0, TrainListener.NONE);
    }

    /**
     * Opens the run's images at its training resolution: the stored one on resume, else {@code
     * augmentation.image_size}, else the one {@link Resolution} chooses ({@code elapsed} seconds of
     * the budget being gone), reported to {@code listener}. Large images are decoded once at {@link
     * ImageCache#FACTOR} times that side ({@link ImageCache}).
     */
    static RunData open(
            TrainConfig config, Checkpoint.State stored, double elapsed, TrainListener listener) {
        Path path = Path.of(config.data());
        ImageDataset all = Datasets.open(path, Split.TRAIN);
        ImageDataset test;
        if (config.evaluation().onValidation()) {
            // Held out before train_images draws its subset, so a small run still gets the full
            // share of the folder as queries, and no held image is ever trained on.
            Subset.HeldOut split =
                    Subset.holdOut(all, config.evaluation().validation(), config.seed());
            all = split.rest();
            test = split.held();
        } else {
            test = openTest(config, path, all);
        }
        ImageDataset train =
                config.trainImages() > 0
                        ? Subset.random(all, config.trainImages(), config.seed())
                        : all;
        if (test != null && config.testImages() > 0) {
            test = Subset.random(test, config.testImages(), config.seed());
        }
        int size = stored != null ? stored.inputs().imageSize() : config.augmentation().imageSize();
        Resolution chosen = null;
        if (size == 0) {
            chosen = choose(config, train, test, elapsed);
            listener.onMessage("resolution: " + chosen.reason());
            size = chosen.size();
        }
        train = ImageCache.forResolution(train, size);
        if (test != null) {
            test = ImageCache.forResolution(test, size);
        }
        if (stored != null) {
            Checkpoint.Inputs in = stored.inputs();
            return new RunData(train, test, in.mean(), in.std(), in.imageSize(), null);
        }
        float[][] stats = Datasets.channelStats(train, STATS_SAMPLES, config.seed());
        return new RunData(train, test, stats[0], stats[1], size, chosen);
    }

    /** The side {@link Resolution} picks, timing this machine on images of noise. */
    private static Resolution choose(
            TrainConfig config, ImageDataset train, ImageDataset test, double elapsed) {
        int typical = Resolution.medianShortSide(train, config.seed());
        double aspect = Resolution.medianAspect(train, config.seed());
        int n = train.size();
        boolean labelled = test != null && train.labeled() && test.labeled();
        int tests = labelled ? test.size() : 0;
        Resolution.Costs costs =
                new Resolution.Costs() {
                    private boolean warm;

                    @Override
                    public TrainingBudget.Timing time(int side, Stem stem) {
                        ImageDataset noise =
                                Resolution.noise(
                                        n,
                                        CACHE_FACTOR * side,
                                        (int) Math.round(CACHE_FACTOR * side * aspect),
                                        train.channels());
                        float[] mean = new float[train.channels()];
                        float[] std = new float[train.channels()];
                        java.util.Arrays.fill(mean, 127.5f / 255);
                        java.util.Arrays.fill(std, 0.29f);
                        RunData probe = new RunData(noise, null, mean, std, side, null);
                        TrainConfig probing = config.withStem(stem);
                        if (!warm) {
                            // The process's first steps compile Java and native kernels: on
                            // photo64-b they timed 0.396 s a step against 0.222 s a minute later.
                            TrainingBudget.time(probing, probe, null);
                            warm = true;
                        }
                        return TrainingBudget.time(probing, probe, null);
                    }

                    @Override
                    public boolean fitsInMemory(int side) {
                        long bytes =
                                ImageCache.bytesAt(train, side)
                                        + (test == null ? 0 : ImageCache.bytesAt(test, side));
                        return bytes <= ImageCache.memoryBudget();
                    }

                    @Override
                    public double decodeSeconds(int side) {
                        return decodingSeconds(train, CACHE_FACTOR * side, config.seed())
                                + (test == null
                                        ? 0
                                        : decodingSeconds(
                                                test, CACHE_FACTOR * side, config.seed()));
                    }
                };
        return Resolution.choose(config, typical, n, tests, elapsed, costs);
    }

    /**
     * Seconds to decode all of {@code images} at {@code side} with the cache's threads, measured on
     * a seeded sample; none when they are in memory or already decoded on disk.
     */
    private static double decodingSeconds(ImageDataset images, int side, long seed) {
        if (images.inMemory() || ImageCache.stored(images, side, ImageCache.defaultDirectory())) {
            return 0;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int sample = Math.min(DECODE_SAMPLE, images.size());
        long start = System.nanoTime();
        for (int i = 0; i < sample; i++) {
            images.image(rng.nextInt(images.size()), side);
        }
        double each = (System.nanoTime() - start) / 1e9 / sample;
        int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
        return each * images.size() / threads;
    }

    private static ImageDataset openTest(TrainConfig config, Path path, ImageDataset train) {
        // The test images take the training images' channel count, whatever their own majority.
        if (config.testData() != null && !config.testData().isBlank()) {
            return Datasets.open(Path.of(config.testData()), Split.TEST, train.channels());
        }
        ImageDataset test = Datasets.open(path, Split.TEST, train.channels());
        boolean sameImages = test.size() == train.size() && test.source(0).equals(train.source(0));
        return sameImages ? null : test;
    }

    /** Both splits when kNN can be measured (a labelled test set beside labelled training data). */
    LabelledSplits labelled() {
        return test != null && train.labeled() && test.labeled()
                ? new LabelledSplits(train, test)
                : null;
    }

    Checkpoint.Inputs inputs() {
        return new Checkpoint.Inputs(mean, std, imageSize);
    }

    TestTransform testTransform() {
        return new TestTransform(imageSize, mean, std);
    }

    /**
     * The identity of the training images: count, channels, input size, and a SHA-256 of the pixels
     * of up to {@value #FINGERPRINT_IMAGES} evenly spaced images (labels excluded: they never reach
     * training).
     */
    Checkpoint.DataIdentity identity(String path) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        int n = train.size();
        int step = Math.max(1, n / FINGERPRINT_IMAGES);
        for (int i = 0; i < n; i += step) {
            var img = train.image(i);
            sha.update(ByteBuffer.allocate(8).putInt(img.width()).putInt(img.height()).array());
            sha.update(img.pixels());
        }
        return new Checkpoint.DataIdentity(
                path, n, train.channels(), imageSize, HexFormat.of().formatHex(sha.digest()));
    }

    /** One image, for initialising the network. */
    Shape inputShape() {
        return new Shape(1, train.channels(), imageSize, imageSize);
    }
}
