package org.npid.train;

import java.nio.file.Path;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;

/** Weighted kNN of a checkpoint on a data set, with training features recomputed. */
public final class Evaluation {
    private Evaluation() {}

    /**
     * Embeds the training and test splits of {@code data} with the checkpoint's network and
     * classifies the test images by weighted kNN over the training features.
     */
    public static KnnResult knn(Path checkpoint, Path data, int k, float temperature, int workers) {
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset test = Datasets.open(data, Split.TEST);
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    "kNN needs labels: " + data + " has no class folders or label files");
        }
        try (TrainedModel model = TrainedModel.load(checkpoint, train.channels())) {
            float[] bank = model.embed(train, 256, 2);
            float[] queries = model.embed(test, 256, 2);
            return new KnnClassifier(k, temperature)
                    .evaluate(
                            model.manager(),
                            bank,
                            labels(train),
                            queries,
                            labels(test),
                            train.classNames().size());
        }
    }

    /** Every sample's label, in order. */
    public static int[] labels(ImageDataset ds) {
        int[] labels = new int[ds.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = ds.label(i);
        }
        return labels;
    }
}
