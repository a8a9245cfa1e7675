package org.npid.bench;

import java.util.List;
import org.npid.data.Image;
import org.npid.data.ImageDataset;

/** The first n images of a data set, for the quick benchmark. */
final class Subset implements ImageDataset {
    private final ImageDataset base;
    private final int size;

    private Subset(ImageDataset base, int size) {
        this.base = base;
        this.size = size;
    }

    static ImageDataset first(ImageDataset base, int n) {
        return new Subset(base, Math.min(n, base.size()));
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public int label(int index) {
        return base.label(index);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public Image image(int index) {
        return base.image(index);
    }

    @Override
    public String source(int index) {
        return base.source(index);
    }
}
