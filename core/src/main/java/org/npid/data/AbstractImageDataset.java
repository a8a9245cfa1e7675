package org.npid.data;

import java.util.List;

/** The labels and class names, which every data set here fixes at open. */
abstract class AbstractImageDataset implements ImageDataset {
    private final int[] labels;
    private final List<String> classNames;

    /**
     * @param labels one class id per sample, -1 where unlabeled; kept, not copied
     */
    AbstractImageDataset(int[] labels, List<String> classNames) {
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }
}
