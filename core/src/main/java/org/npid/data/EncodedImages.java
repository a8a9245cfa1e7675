package org.npid.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Images that arrive as encoded bytes (any format {@link ImageDecoder} reads: JPEG, PNG, BMP, GIF,
 * WebP, TIFF) rather than files on a local disk (Spark's binary files, uploads), decoded exactly as
 * {@link ImageFolderDataset} decodes its files and converted to a fixed channel count, so the same
 * image gives the same pixels either way.
 *
 * <p>A corrupt image, or one over {@link ImageDecoder#MAX_PIXELS} pixels, does not fail the whole
 * lot: it is left out and reported to the caller, which counts and logs it; {@link #position} maps
 * each kept image back to its place in the input.
 */
public final class EncodedImages implements ImageDataset {
    private final List<String> sources;
    private final List<Image> images;
    private final int[] labels;
    private final int[] positions;
    private final List<String> classNames;
    private final int channels;

    private EncodedImages(
            List<String> sources,
            List<Image> images,
            int[] labels,
            int[] positions,
            List<String> classNames,
            int channels) {
        this.sources = sources;
        this.images = images;
        this.labels = labels;
        this.positions = positions;
        this.classNames = classNames;
        this.channels = channels;
    }

    /**
     * Decodes {@code bytes.get(i)} (named {@code sources.get(i)}, labelled {@code labels[i]}, -1
     * for none) to {@code channels} channels; each one that cannot be decoded goes to {@code
     * corrupt} with its source and the error, and is left out.
     */
    public static EncodedImages decode(
            List<String> sources,
            List<byte[]> bytes,
            int[] labels,
            List<String> classNames,
            int channels,
            BiConsumer<String, DataException> corrupt) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (sources.size() != bytes.size() || labels.length != bytes.size()) {
            throw new IllegalArgumentException(
                    sources.size()
                            + " sources, "
                            + bytes.size()
                            + " images and "
                            + labels.length
                            + " labels: give one of each per image");
        }
        List<String> keptSources = new ArrayList<>();
        List<Image> kept = new ArrayList<>();
        int[] keptLabels = new int[bytes.size()];
        int[] positions = new int[bytes.size()];
        try (ImageDecoder decoder = new ImageDecoder()) {
            for (int i = 0; i < bytes.size(); i++) {
                try {
                    Image image =
                            decoder.probe(bytes.get(i), sources.get(i), Integer.MAX_VALUE).image();
                    keptLabels[kept.size()] = labels[i];
                    positions[kept.size()] = i;
                    kept.add(ImageDecoder.withChannels(image, channels));
                    keptSources.add(sources.get(i));
                } catch (DataException e) {
                    corrupt.accept(sources.get(i), e);
                }
            }
        }
        int n = kept.size();
        return new EncodedImages(
                List.copyOf(keptSources),
                List.copyOf(kept),
                java.util.Arrays.copyOf(keptLabels, n),
                java.util.Arrays.copyOf(positions, n),
                List.copyOf(classNames),
                channels);
    }

    /** Where kept image {@code index} was in the input lists. */
    public int position(int index) {
        return positions[index];
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public int channels() {
        return channels;
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

    @Override
    public String source(int index) {
        return sources.get(index);
    }
}
