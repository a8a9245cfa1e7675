package org.npid.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A few image files given one by one (search queries, uploads), as an unlabelled data set. Each is
 * decoded when opened, so a corrupt or missing file fails at once, naming it.
 */
public final class ImageFiles implements ImageDataset {
    private final List<Path> files;
    private final Image[] images;
    private final int channels;

    private ImageFiles(List<Path> files, Image[] images, int channels) {
        this.files = files;
        this.images = images;
        this.channels = channels;
    }

    /** Decodes {@code files}, converting each to {@code channels} (1 or 3) channels. */
    public static ImageFiles open(List<Path> files, int channels) {
        Image[] images = new Image[files.size()];
        for (int i = 0; i < images.length; i++) {
            Path f = files.get(i);
            if (!Files.isRegularFile(f)) {
                throw new DataException("no image file at " + f + ": check the path");
            }
            images[i] = ImageDecoder.withChannels(ImageDecoder.decode(f), channels);
        }
        return new ImageFiles(List.copyOf(files), images, channels);
    }

    @Override
    public int size() {
        return images.length;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int label(int index) {
        return -1;
    }

    @Override
    public List<String> classNames() {
        return List.of();
    }

    @Override
    public Image image(int index) {
        return images[index];
    }

    @Override
    public String source(int index) {
        return files.get(index).toString();
    }
}
