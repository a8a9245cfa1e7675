package org.npid.eval;

import java.nio.file.Path;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;

/** The labelled training and test splits of one data set, as every evaluation needs them. */
public record LabelledSplits(ImageDataset train, ImageDataset test) {
    public LabelledSplits {
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    "evaluation needs labels on both splits: give a data set with class folders or"
                            + " label files");
        }
    }

    /** Opens both splits of {@code data}; {@code what} names the evaluation for the error. */
    public static LabelledSplits open(Path data, String what) {
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset test = Datasets.open(data, Split.TEST, train.channels());
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    what + " needs labels: " + data + " has no class folders or label files");
        }
        return new LabelledSplits(train, test);
    }

    public int classes() {
        return train.classNames().size();
    }
}
