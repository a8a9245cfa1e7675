package org.npid.train;

import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.data.Subset;
import org.npid.data.TestTransform;
import org.npid.eval.LabelledSplits;

/**
 * The data of a run: the training set, the labelled test set used for kNN (null when there is
 * none), and the input normalisation. The mean and std are measured on the training images, so a
 * user's own folder is normalised as well as CIFAR-10 is; a resumed run reuses the stored ones.
 */
record RunData(ImageDataset train, ImageDataset test, float[] mean, float[] std, int imageSize) {
    private static final int STATS_SAMPLES = 10_000;
    private static final int FINGERPRINT_IMAGES = 256;

    static RunData open(TrainConfig config, Checkpoint.State stored) {
        Path path = Path.of(config.data());
        ImageDataset all = Datasets.open(path, Split.TRAIN);
        ImageDataset train =
                config.trainImages() > 0
                        ? Subset.random(all, config.trainImages(), config.seed())
                        : all;
        ImageDataset test = openTest(config, path, all);
        if (test != null && config.testImages() > 0) {
            test = Subset.random(test, config.testImages(), config.seed());
        }
        if (stored != null) {
            Checkpoint.Inputs in = stored.inputs();
            return new RunData(train, test, in.mean(), in.std(), in.imageSize());
        }
        float[][] stats = Datasets.channelStats(train, STATS_SAMPLES, config.seed());
        int size =
                config.augmentation().imageSize() > 0
                        ? config.augmentation().imageSize()
                        : train.image(0).width();
        return new RunData(train, test, stats[0], stats[1], size);
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
