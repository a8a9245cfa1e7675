package org.npid.train;

import java.nio.file.Path;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;

/**
 * The data of a run: the training set, the labelled test set used for kNN (null when there is
 * none), and the input normalisation. The mean and std are measured on the training images, so a
 * user's own folder is normalised as well as CIFAR-10 is; a resumed run reuses the stored ones.
 */
record RunData(
        ImageDataset train,
        ImageDataset test,
        int[] trainLabels,
        int[] testLabels,
        float[] mean,
        float[] std,
        int imageSize) {
    private static final int STATS_SAMPLES = 10_000;

    static RunData open(TrainConfig config, Checkpoint.State stored) {
        Path path = Path.of(config.data());
        ImageDataset train = Datasets.open(path, Split.TRAIN);
        ImageDataset test = openTest(config, path, train);
        float[] mean;
        float[] std;
        int size;
        if (stored != null) {
            mean = stored.mean();
            std = stored.std();
            size = stored.imageSize();
        } else {
            float[][] stats = Datasets.channelStats(train, STATS_SAMPLES, config.seed());
            mean = stats[0];
            std = stats[1];
            size = config.imageSize() > 0 ? config.imageSize() : train.image(0).width();
        }
        return new RunData(
                train,
                test,
                Evaluation.labels(train),
                test == null ? null : Evaluation.labels(test),
                mean,
                std,
                size);
    }

    private static ImageDataset openTest(TrainConfig config, Path path, ImageDataset train) {
        if (config.testData() != null && !config.testData().isBlank()) {
            return Datasets.open(Path.of(config.testData()), Split.TEST);
        }
        ImageDataset test = Datasets.open(path, Split.TEST);
        boolean sameImages = test.size() == train.size() && test.source(0).equals(train.source(0));
        return sameImages ? null : test;
    }
}
