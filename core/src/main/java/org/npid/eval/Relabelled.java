package org.npid.eval;

import java.util.List;
import org.npid.data.Image;
import org.npid.data.ImageDataset;

/**
 * A data set whose labels index another split's class names, so that a vote for training class i is
 * compared with the test image's class of the same name, not the same position.
 */
final class Relabelled implements ImageDataset {
    private final ImageDataset base;
    private final int[] labels;
    private final List<String> classNames;

    Relabelled(ImageDataset base, int[] labels, List<String> classNames) {
        this.base = base;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public Image image(int index, int side) {
        return base.image(index, side);
    }

    @Override
    public long area(int index) {
        return base.area(index);
    }

    @Override
    public int shortSide(int index) {
        return base.shortSide(index);
    }

    @Override
    public boolean inMemory() {
        return base.inMemory();
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
        return base.image(index);
    }

    @Override
    public String source(int index) {
        return base.source(index);
    }
}
