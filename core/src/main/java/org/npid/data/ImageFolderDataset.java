package org.npid.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.npid.data.ImageDecoder.Probe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images stored as {@code root/<class>/*.<ext>}, or directly as {@code root/*.<ext>} for an
 * unlabeled collection, where the extension is one of {@code .jpg .jpeg .png .bmp .gif .webp .tif
 * .tiff} (any case; the format itself is read from the bytes, see {@link ImageDecoder}). Classes
 * and files are sorted by name so instance indices are stable.
 *
 * <p>A file that cannot be read (corrupt, truncated header, unsupported format, over {@link
 * ImageDecoder#MAX_PIXELS} pixels) is left out and counted ({@link #skipped}), with one warning
 * naming the first few; so are HEIC/HEIF/AVIF files, which npid cannot read. A class folder with no
 * readable image is not a class. Opening fails only when no image at all can be read.
 *
 * <p>Images no larger than {@value #MAX_CACHED_SIDE} pixels a side are decoded once at open into
 * memory; larger ones have only their header read at open and are decoded on every {@link #image}
 * call, so damage past the header of a large image shows there, naming the file.
 */
public final class ImageFolderDataset extends AbstractImageDataset {
    /** Small images (CIFAR, STL at 64px) are cheaper to keep decoded than to decode every epoch. */
    public static final int MAX_CACHED_SIDE = 64;

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);
    private static final int CHUNK = 256;

    /**
     * One decoder per thread that decodes at a reduced size ({@link #image(int, int)}): looking
     * ImageIO's readers up costs more than decoding a small image, and a decoder is not
     * thread-safe. Its readers go with their thread.
     */
    private static final ThreadLocal<ImageDecoder> DECODERS =
            ThreadLocal.withInitial(ImageDecoder::new);

    private static final List<String> IMAGE_EXTENSIONS =
            List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff");
    private static final List<String> UNREADABLE_EXTENSIONS = List.of(".heic", ".heif", ".avif");
    private static final String EXTENSIONS_TEXT =
            ".jpg, .jpeg, .png, .bmp, .gif, .webp, .tif, .tiff";
    private static final String HEIC_ADVICE =
            "npid cannot read HEIC/HEIF/AVIF; convert them (e.g. `heif-convert`, or export as JPEG)";

    private static final String HEIC_REASON = "a HEIC/HEIF/AVIF file";

    /** How many unreadable files the warning names. */
    private static final int NAMED_FAILURES = 5;

    private final Path root;
    private final List<Path> files;
    private final int channels;
    // Packed when every image is cached at the same size; otherwise one array per image.
    private final PackedImages uniformCache;
    private final Image[] cache;
    private final int[] widths;
    private final int[] heights;
    private final int skipped;
    private final boolean inMemory;

    private ImageFolderDataset(
            Path root,
            List<Path> files,
            int[] labels,
            List<String> classNames,
            Probe[] probes,
            int forcedChannels,
            int skipped) {
        super(labels, classNames);
        this.root = root;
        this.files = List.copyOf(files);
        this.skipped = skipped;
        this.widths = new int[probes.length];
        this.heights = new int[probes.length];
        for (int i = 0; i < probes.length; i++) {
            widths[i] = probes[i].width();
            heights[i] = probes[i].height();
        }
        int gray = 0;
        boolean allCachedSameSize = true;
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
        boolean all = true;
        for (int i = 0; cache != null && i < cache.length && all; i++) {
            all = cache[i] != null;
        }
        this.inMemory = all;
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
        // Candidates: every file with an image extension, with its class folder's index among
        // the folders that hold any (-1 for loose files); classes are renumbered once the
        // unreadable files are out.
        List<Path> candidates = new ArrayList<>();
        List<Integer> folderOf = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        for (Path dir : sortedChildren(root, Files::isDirectory)) {
            if (dir.getFileName().toString().startsWith(".")) {
                continue;
            }
            List<Path> images = sortedChildren(dir, ImageFolderDataset::isImageFile);
            List<Path> heic = sortedChildren(dir, ImageFolderDataset::isHeicFile);
            heic.forEach(f -> failures.add(new Failure(f, HEIC_REASON)));
            if (images.isEmpty()) {
                LOG.warn(
                        "Skipping {}: it holds no image files ({}){}",
                        dir,
                        EXTENSIONS_TEXT,
                        heic.isEmpty() ? "" : "; " + HEIC_ADVICE);
                continue;
            }
            for (Path f : images) {
                candidates.add(f);
                folderOf.add(folders.size());
            }
            folders.add(dir.getFileName().toString());
        }
        List<Path> loose = sortedChildren(root, ImageFolderDataset::isImageFile);
        List<Path> looseHeic = sortedChildren(root, ImageFolderDataset::isHeicFile);
        if (candidates.isEmpty()) {
            candidates.addAll(loose);
            loose.forEach(f -> folderOf.add(-1));
            looseHeic.forEach(f -> failures.add(new Failure(f, HEIC_REASON)));
        } else if (!loose.isEmpty() || !looseHeic.isEmpty()) {
            LOG.warn(
                    "Ignoring {} images directly under {}: class subfolders exist, so only"
                            + " root/<class>/* images are used",
                    loose.size() + looseHeic.size(),
                    root);
        }
        if (candidates.isEmpty()) {
            throw new DataException(
                    "No images found under "
                            + root
                            + ": expected root/<class>/*.jpg or root/*.jpg ("
                            + EXTENSIONS_TEXT
                            + ")"
                            + (failures.isEmpty()
                                    ? ""
                                    : "; found "
                                            + failures.size()
                                            + " HEIC/HEIF/AVIF files: "
                                            + HEIC_ADVICE));
        }
        Probe[] all = new Probe[candidates.size()];
        String[] errors = new String[candidates.size()];
        probeAll(candidates, threads, all, errors);

        List<Path> files = new ArrayList<>();
        List<Probe> probes = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        List<String> classNames = new ArrayList<>();
        int[] classOf = new int[folders.size()];
        Arrays.fill(classOf, -1);
        for (int i = 0; i < all.length; i++) {
            if (all[i] == null) {
                failures.add(new Failure(candidates.get(i), errors[i]));
                continue;
            }
            int folder = folderOf.get(i);
            if (folder >= 0 && classOf[folder] < 0) {
                classOf[folder] = classNames.size();
                classNames.add(folders.get(folder));
            }
            files.add(candidates.get(i));
            probes.add(all[i]);
            labelList.add(folder < 0 ? -1 : classOf[folder]);
            all[i] = null;
        }
        for (int folder = 0; folder < folders.size(); folder++) {
            if (classOf[folder] < 0 && !files.isEmpty()) {
                LOG.warn(
                        "Skipping {}: none of its image files can be read, so it is no class",
                        root.resolve(folders.get(folder)));
            }
        }
        if (files.isEmpty()) {
            throw new DataException(
                    "No readable images under "
                            + root
                            + ": none of its "
                            + candidates.size()
                            + " image files could be decoded, e.g. "
                            + failures.get(failures.size() - 1).reason()
                            + "; check the files (or the folder given)");
        }
        if (!failures.isEmpty()) {
            warnSkipped(root, failures, files.size());
        }
        int[] labels = labelList.stream().mapToInt(Integer::intValue).toArray();
        ImageFolderDataset ds =
                new ImageFolderDataset(
                        root,
                        files,
                        labels,
                        classNames,
                        probes.toArray(Probe[]::new),
                        channels,
                        failures.size());
        LOG.info(
                "Opened image folder {}: {} images, {} classes, {} channels in {} ms",
                root,
                files.size(),
                classNames.size(),
                ds.channels,
                (System.nanoTime() - start) / 1_000_000);
        return ds;
    }

    /** A file left out, and why. */
    private record Failure(Path file, String reason) {}

    private static void warnSkipped(Path root, List<Failure> failures, int kept) {
        List<Failure> sorted =
                failures.stream().sorted(Comparator.comparing(Failure::file)).toList();
        StringBuilder named = new StringBuilder();
        for (int i = 0; i < Math.min(NAMED_FAILURES, sorted.size()); i++) {
            Failure f = sorted.get(i);
            // The decoder's messages already name the file.
            String line =
                    f.reason().contains(f.file().toString())
                            ? f.reason()
                            : f.file() + ": " + f.reason();
            named.append(System.lineSeparator()).append("  ").append(line);
        }
        boolean heic = failures.stream().anyMatch(f -> isHeicFile(f.file()));
        LOG.warn(
                "{}: left out {} files that cannot be read (kept {}){}{}{}",
                root,
                failures.size(),
                kept,
                failures.size() > NAMED_FAILURES ? "; the first " + NAMED_FAILURES + ":" : ":",
                named,
                heic ? System.lineSeparator() + "  " + HEIC_ADVICE : "");
    }

    private static boolean isImageFile(Path p) {
        return hasExtension(p, IMAGE_EXTENSIONS) && Files.isRegularFile(p);
    }

    private static boolean isHeicFile(Path p) {
        return hasExtension(p, UNREADABLE_EXTENSIONS) && Files.isRegularFile(p);
    }

    private static boolean hasExtension(Path p, List<String> extensions) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return extensions.stream().anyMatch(name::endsWith);
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

    /**
     * Probes every file with {@code threads} threads: {@code probes[i]} is filled in, or, when the
     * file cannot be read, left null with the reason in {@code errors[i]}.
     */
    private static void probeAll(List<Path> files, int threads, Probe[] probes, String[] errors) {
        ImageWork.forEach(
                probes.length,
                threads,
                CHUNK,
                "Reading images",
                i -> {
                    try {
                        probes[i] = DECODERS.get().probe(files.get(i), MAX_CACHED_SIDE);
                    } catch (DataException e) {
                        errors[i] = e.getMessage();
                    }
                });
    }

    /** How many files with an image extension (or HEIC/HEIF/AVIF) were left out as unreadable. */
    public int skipped() {
        return skipped;
    }

    /** The width of image {@code index} as its file's header gives it (before any resizing). */
    public int width(int index) {
        return widths[index];
    }

    /** The height of image {@code index} as its file's header gives it (before any resizing). */
    public int height(int index) {
        return heights[index];
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
        return ImageDecoder.withChannels(DECODERS.get().decode(files.get(index), side), channels);
    }

    @Override
    public long area(int index) {
        return (long) widths[index] * heights[index];
    }

    @Override
    public int shortSide(int index) {
        return Math.min(widths[index], heights[index]);
    }

    @Override
    public boolean inMemory() {
        return inMemory;
    }

    @Override
    public String source(int index) {
        return files.get(index).toString();
    }
}
