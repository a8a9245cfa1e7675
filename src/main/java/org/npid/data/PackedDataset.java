package org.npid.data;

import java.util.List;

/** A labelled data set read whole at open, as the CIFAR and IDX files are small enough to be. */
abstract class PackedDataset implements ImageDataset {
    private final PackedImages images;
    private final byte[] labels;
    private final List<String> classNames;

    PackedDataset(PackedImages images, byte[] labels, List<String> classNames) {
        this.images = images;
        this.labels = labels;
        this.classNames = classNames;
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int channels() {
        return images.channels();
    }

    @Override
    public int label(int index) {
        return labels[index];
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public Image image(int index) {
        return images.get(index);
    }
}
