package org.npid.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.npid.data.ImageDecoder.Probe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images stored as {@code root/<class>/*.{jpg,jpeg,png}}, or directly as {@code root/*.jpg} for an
 * unlabeled collection. Classes and files are sorted by name so instance indices are stable.
 *
 * <p>Images no larger than {@value #MAX_CACHED_SIDE} pixels a side are decoded once at open into
 * memory; larger ones are decoded on every {@link #image} call.
 */
public final class ImageFolderDataset extends AbstractImageDataset {
    /** Small images (CIFAR, STL at 64px) are cheaper to keep decoded than to decode every epoch. */
    public static final int MAX_CACHED_SIDE = 64;

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);
    private static final int CHUNK = 256;

    private final Path root;
    private final List<Path> files;
    private final int channels;
    // Packed when every image is cached at the same size; otherwise one array per image.
    private final PackedImages uniformCache;
    private final Image[] cache;
    private final int[] widths;
    private final int[] heights;

    private ImageFolderDataset(
            Path root,
            List<Path> files,
            int[] labels,
            List<String> classNames,
            Probe[] probes,
            int forcedChannels) {
        super(labels, classNames);
        this.root = root;
        this.files = List.copyOf(files);
        int gray = 0;
        boolean allCachedSameSize = true;
        this.widths = new int[probes.length];
        this.heights = new int[probes.length];
        for (int i = 0; i < probes.length; i++) {
            widths[i] = probes[i].width();
            heights[i] = probes[i].height();
        }
        for (Probe p : probes) {
            gray += p.gray() ? 1 : 0;
            allCachedSameSize &=
                    p.image() != null
                            && p.width() == probes[0].width()
                            && p.height() == probes[0].height();
        }
        // One stray RGB (or CMYK, or RGBA) file must not turn a grayscale set into colour: the
        // majority decides, unless the caller fixes the count (a test split follows its training
        // split), and every other image is converted.
        this.channels = forcedChannels > 0 ? forcedChannels : gray > probes.length - gray ? 1 : 3;
        int converted = channels == 1 ? probes.length - gray : gray;
        if (converted > 0) {
            LOG.warn(
                    "{}: converted {} of {} images to {}",
                    root,
                    converted,
                    probes.length,
                    channels == 1 ? "grayscale (most images are grayscale)" : "3-channel RGB");
        }
        long cacheBytes = (long) probes[0].width() * probes[0].height() * channels * probes.length;
        // Java arrays stop just short of 2^31 elements; bigger caches stay one array per image.
        if (allCachedSameSize && cacheBytes <= Integer.MAX_VALUE - 8) {
            int width = probes[0].width();
            int height = probes[0].height();
            int stride = width * height * channels;
            byte[] packed = new byte[(int) cacheBytes];
            for (int i = 0; i < probes.length; i++) {
                byte[] px = ImageDecoder.withChannels(probes[i].image(), channels).pixels();
                System.arraycopy(px, 0, packed, i * stride, stride);
                probes[i] = null;
            }
            uniformCache = new PackedImages(width, height, channels, packed);
            cache = null;
        } else {
            uniformCache = null;
            cache = new Image[probes.length];
            for (int i = 0; i < probes.length; i++) {
                Image img = probes[i].image();
                cache[i] = img == null ? null : ImageDecoder.withChannels(img, channels);
                probes[i] = null;
            }
        }
    }

    /** Opens {@code root}, decoding small images with a few threads. */
    public static ImageFolderDataset open(Path root) {
        return open(root, Math.min(4, Runtime.getRuntime().availableProcessors()), 0);
    }

    /**
     * Opens {@code root}, decoding small images with {@code threads} threads, with every image
     * converted to {@code channels} (1 or 3), or to the majority's count when 0.
     */
    public static ImageFolderDataset open(Path root, int threads, int channels) {
        if (channels != 0 && channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 0, 1 or 3, got " + channels);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (!Files.isDirectory(root)) {
            throw new DataException(
                    (Files.exists(root) ? "Not a directory: " : "Image folder does not exist: ")
                            + root
                            + "; expected root/<class>/*.jpg or root/*.jpg");
        }
        long start = System.nanoTime();
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        List<String> classNames = new ArrayList<>();
        for (Path dir : sortedChildren(root, Files::isDirectory)) {
            if (dir.getFileName().toString().startsWith(".")) {
                continue;
            }
            List<Path> images = sortedChildren(dir, ImageFolderDataset::isImageFile);
            if (images.isEmpty()) {
                LOG.warn("Skipping {}: it holds no .jpg/.jpeg/.png files", dir);
                continue;
            }
            for (Path f : images) {
                files.add(f);
                labelList.add(classNames.size());
            }
            classNames.add(dir.getFileName().toString());
        }
        List<Path> loose = sortedChildren(root, ImageFolderDataset::isImageFile);
        if (files.isEmpty()) {
            files.addAll(loose);
            loose.forEach(f -> labelList.add(-1));
        } else if (!loose.isEmpty()) {
            LOG.warn(
                    "Ignoring {} images directly under {}: class subfolders exist, so only"
                            + " root/<class>/* images are used",
                    loose.size(),
                    root);
        }
        if (files.isEmpty()) {
            throw new DataException(
                    "No images found under "
                            + root
                            + ": expected root/<class>/*.jpg or root/*.jpg (.jpg, .jpeg or .png)");
        }
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        Probe[] probes = probeAll(files, threads);
        ImageFolderDataset ds =
                new ImageFolderDataset(root, files, labels, classNames, probes, channels);
        LOG.info(
                "Opened image folder {}: {} images, {} classes, {} channels in {} ms",
                root,
                files.size(),
                classNames.size(),
                ds.channels,
                (System.nanoTime() - start) / 1_000_000);
        return ds;
    }

    private static boolean isImageFile(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".jpg") || name.endsWith(".jpeg") || name.endsWith(".png"))
                && Files.isRegularFile(p);
    }

    private static List<Path> sortedChildren(Path dir, Predicate<Path> keep) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep)
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new DataException("Cannot list directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Probe[] probeAll(List<Path> files, int threads) {
        Probe[] probes = new Probe[files.size()];
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "npid-image-decode");
                            t.setDaemon(true);
                            return t;
                        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < probes.length; from += CHUNK) {
                int lo = from;
                int hi = Math.min(probes.length, from + CHUNK);
                futures.add(
                        pool.submit(
                                () -> {
                                    try (ImageDecoder decoder = new ImageDecoder()) {
                                        for (int i = lo; i < hi; i++) {
                                            probes[i] =
                                                    decoder.probe(files.get(i), MAX_CACHED_SIDE);
                                        }
                                    }
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DataException de) {
                throw new DataException(de.getMessage(), de);
            }
            throw new DataException("Failed to read images: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Interrupted while reading images", e);
        } finally {
            pool.shutdownNow();
        }
        return probes;
    }

    public Path root() {
        return root;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public Image image(int index) {
        if (uniformCache != null) {
            return uniformCache.get(index);
        }
        Image cached = cache[index];
        if (cached != null) {
            return new Image(cached.width(), cached.height(), channels, cached.pixels().clone());
        }
        return ImageDecoder.withChannels(ImageDecoder.decode(files.get(index)), channels);
    }

    @Override
    public Image image(int index, int side) {
        if (uniformCache != null || cache[index] != null) {
            return Resampler.toShortSide(image(index), side);
        }
        return Resampler.toShortSide(
                ImageDecoder.withChannels(ImageDecoder.decode(files.get(index)), channels), side);
    }

    @Override
    public int shortSide(int index) {
        return Math.min(widths[index], heights[index]);
    }

    /** Image {@code index}'s width in pixels, from its file's header. */
    public int width(int index) {
        return widths[index];
    }

    /** Image {@code index}'s height in pixels, from its file's header. */
    public int height(int index) {
        return heights[index];
    }

    @Override
    public boolean inMemory() {
        if (uniformCache != null) {
            return true;
        }
        for (Image image : cache) {
            if (image == null) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String source(int index) {
        return files.get(index).toString();
    }
}
