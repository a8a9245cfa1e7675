package org.npid.data;

import java.util.List;

/** A data set read whole at open, as the CIFAR and IDX files are small enough to be. */
abstract class PackedDataset extends AbstractImageDataset {
    private final PackedImages images;

    PackedDataset(PackedImages images, int[] labels, List<String> classNames) {
        super(labels, classNames);
        this.images = images;
    }

    @Override
    public int channels() {
        return images.channels();
    }

    @Override
    public Image image(int index) {
        return images.get(index);
    }
}
