package org.npid.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.npid.data.Datasets;
import org.npid.data.ImageDataset;
import org.npid.data.Split;

/**
 * The labelled training and test splits of one data set, as every evaluation needs them. The test
 * split's labels index the training split's class names: splits are matched by class name, since a
 * test folder lacking one class would otherwise shift every later class by one.
 */
public record LabelledSplits(ImageDataset train, ImageDataset test) {
    public LabelledSplits {
        if (!train.labeled() || !test.labeled()) {
            throw new IllegalArgumentException(
                    "evaluation needs labels on both splits: give a data set with class folders or"
                            + " label files");
        }
        test = byTrainingNames(train, test);
    }

    /**
     * {@code test} with its labels mapped onto {@code train}'s class names; a training class absent
     * from the test split is fine (nothing to score), a test class absent from training is not.
     */
    private static ImageDataset byTrainingNames(ImageDataset train, ImageDataset test) {
        List<String> names = train.classNames();
        List<String> testNames = test.classNames();
        if (names.equals(testNames)) {
            return test;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        List<String> unknown = new ArrayList<>();
        int[] map = new int[testNames.size()];
        for (int i = 0; i < testNames.size(); i++) {
            Integer t = index.get(testNames.get(i));
            if (t == null) {
                unknown.add(testNames.get(i));
                map[i] = -1;
            } else {
                map[i] = t;
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "the test split has "
                            + (unknown.size() == 1 ? "class " : "classes ")
                            + String.join(", ", unknown.subList(0, Math.min(10, unknown.size())))
                            + (unknown.size() > 10
                                    ? " (and " + (unknown.size() - 10) + " more)"
                                    : "")
                            + " that the training split lacks (training classes: "
                            + String.join(", ", names.subList(0, Math.min(10, names.size())))
                            + (names.size() > 10 ? ", ..." : "")
                            + "): an evaluation can only predict training classes, so name the test"
                            + " folders as the training ones");
        }
        int[] labels = test.labels();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labels[i] < 0 ? labels[i] : map[labels[i]];
        }
        return new Relabelled(test, labels, names);
    }

    /** Opens both splits of {@code data}; {@code what} names the evaluation for the error. */
    public static LabelledSplits open(Path data, String what) {
        ImageDataset train = Datasets.open(data, Split.TRAIN);
        ImageDataset test = Datasets.open(data, Split.TEST, train.channels());
        if (test.size() == train.size()
                && test.size() > 0
                && test.source(0).equals(train.source(0))) {
            // A root with train/ alone opens train/ for both splits; scoring it against itself
            // would report a perfect 1-NN.
            throw new IllegalArgumentException(
                    what
                            + " needs a test split, but "
                            + data
                            + " has none (both splits open the same images): put the test images"
                            + " in "
                            + data.resolve("test")
                            + "/<class>/ beside train/<class>/");
        }
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
