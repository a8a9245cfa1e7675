package org.npid.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A data set's images decoded once, each with its shorter side at most {@code side} pixels, and
 * kept in memory as bytes: what a run trains and evaluates on when its files are larger than it
 * needs. A 12-megapixel photo takes tens of milliseconds to decode and 36 MB to hold; at a 64-pixel
 * side it takes 12 KB, so a folder of 100,000 photos fits in memory and every epoch reads memory,
 * not files.
 *
 * <p>The decoded images can be kept on disk ({@link ImageCacheFile}) so that the next run over the
 * same files, at the same side, reads them back instead of decoding again. An image that fails to
 * decode here (a file whose header read but whose data is truncated) is left out and counted.
 */
public final class ImageCache implements ImageDataset {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);

    /**
     * Images are kept at twice the resolution a network takes: RandomResizedCrop's crops cover
     * 45–100 % of a side, so from this cache they are shrunk to the network's size, as from the
     * original file, instead of enlarged from a copy at that size; the test transform shrinks too.
     */
    public static final int FACTOR = 2;

    /** Images whose sizes estimate the bytes of a large set. */
    private static final int SIZE_SAMPLE = 2000;

    /** Images per decoding task: small enough to balance the threads, large enough to batch. */
    private static final int CHUNK = 64;

    private final ImageDataset base;
    private final int side;
    private final int[] kept;
    private final byte[][] pixels;
    private final int[] widths;
    private final int[] heights;

    ImageCache(
            ImageDataset base, int side, int[] kept, byte[][] pixels, int[] widths, int[] heights) {
        this.base = base;
        this.side = side;
        this.kept = kept;
        this.pixels = pixels;
        this.widths = widths;
        this.heights = heights;
    }

    /**
     * {@code base} with every image's shorter side at most {@code side}: {@code base} itself when
     * its images are in memory and small enough already, else the images decoded once with {@code
     * threads} threads. With a {@code directory} (null for none), decoded files are kept there and
     * read back by a later call over the same files at the same side.
     */
    public static ImageDataset of(ImageDataset base, int side, int threads, Path directory) {
        if (side < 1) {
            throw new IllegalArgumentException("side must be >= 1, got " + side);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        boolean small = true;
        for (int i = 0; i < base.size() && small; i++) {
            small = base.shortSide(i) <= side;
        }
        if (base.inMemory() && small) {
            return base;
        }
        // Images already in memory are quick to shrink again; only decoded files are worth a disk.
        ImageCacheFile file =
                directory != null && !base.inMemory()
                        ? ImageCacheFile.of(directory, base, side)
                        : null;
        if (file != null) {
            ImageCache stored = file.read(base, side);
            if (stored != null) {
                LOG.info(
                        "Read {} decoded images ({} px) from {}", stored.size(), side, file.path());
                return stored;
            }
        }
        ImageCache built = build(base, side, threads);
        if (file != null) {
            file.write(built);
        }
        return built;
    }

    /**
     * {@code base} ready for a network of input side {@code resolution}: its images at most {@link
     * #FACTOR} times that on their shorter side, decoded once, kept on disk in {@link
     * #defaultDirectory()}. Training and every evaluation of its checkpoint read images this way,
     * so they see the same pixels.
     */
    public static ImageDataset forResolution(ImageDataset base, int resolution) {
        int side = FACTOR * resolution;
        long budget = memoryBudget();
        // Less than twice the resolution when that would not fit: never less than the resolution.
        while (side > resolution && bytesAt(base, side) > budget) {
            side = Math.max(resolution, (int) (side * 0.9));
        }
        if (side < FACTOR * resolution) {
            LOG.info(
                    "Keeping the images at {} px (not {}): {} MB at {} px would pass the cache's"
                            + " {} MB (a quarter of the Java heap; NPID_JAVA_OPTS=-Xmx… for more)",
                    side,
                    FACTOR * resolution,
                    bytesAt(base, FACTOR * resolution) >> 20,
                    FACTOR * resolution,
                    budget >> 20);
        }
        return of(
                base,
                side,
                Math.min(4, Runtime.getRuntime().availableProcessors()),
                defaultDirectory());
    }

    /**
     * The bytes the images may take in memory: a quarter of the Java heap, leaving the rest to the
     * batches, the bank and evaluation (2 GB under the launcher's -Xmx8g).
     */
    public static long memoryBudget() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /**
     * About the bytes {@code base}'s images take with their shorter side at most {@code side}, from
     * the sizes in their headers (a seeded sample of a large set).
     */
    public static long bytesAt(ImageDataset base, int side) {
        int n = base.size();
        int sample = Math.min(n, SIZE_SAMPLE);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(n);
        double total = 0;
        for (int k = 0; k < sample; k++) {
            int i = sample == n ? k : rng.nextInt(n);
            double area = base.area(i);
            int shorter = base.shortSide(i);
            total += shorter > side ? area * side / shorter * side / shorter : area;
        }
        return (long) (total / sample * n * base.channels());
    }

    /** Where decoded images are kept between runs: {@link ImageCacheFile}; null when off. */
    public static Path defaultDirectory() {
        return ImageCacheFile.defaultDirectory();
    }

    /** Whether {@link #of} would read {@code base} at {@code side} from {@code directory}. */
    public static boolean stored(ImageDataset base, int side, Path directory) {
        return directory != null
                && !base.inMemory()
                && java.nio.file.Files.isRegularFile(
                        ImageCacheFile.of(directory, base, side).path());
    }

    private static ImageCache build(ImageDataset base, int side, int threads) {
        int n = base.size();
        byte[][] pixels = new byte[n][];
        int[] widths = new int[n];
        int[] heights = new int[n];
        String[] failures = new String[n];
        long start = System.nanoTime();
        ImageWork.forEach(
                n,
                threads,
                CHUNK,
                "Decoding images at " + side + " px",
                i -> {
                    try {
                        Image image = base.image(i, side);
                        pixels[i] = image.pixels();
                        widths[i] = image.width();
                        heights[i] = image.height();
                    } catch (DataException e) {
                        failures[i] = e.getMessage();
                    }
                });
        int[] kept = new int[n];
        int count = 0;
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (failures[i] == null) {
                kept[count] = i;
                pixels[count] = pixels[i];
                widths[count] = widths[i];
                heights[count] = heights[i];
                count++;
            } else {
                failed.add(failures[i]);
            }
        }
        if (count == 0) {
            throw new DataException(
                    "None of the "
                            + n
                            + " images could be decoded, e.g. "
                            + failed.get(0)
                            + ": check the folder holds readable images");
        }
        if (!failed.isEmpty()) {
            LOG.warn(
                    "Left out {} of {} images that could not be decoded (e.g. {}); replace or"
                            + " delete them",
                    failed.size(),
                    n,
                    failed.subList(0, Math.min(3, failed.size())));
        }
        LOG.info(
                "Decoded {} images at {} px in {} s",
                count,
                side,
                Math.round((System.nanoTime() - start) / 1e9));
        return new ImageCache(
                base,
                side,
                Arrays.copyOf(kept, count),
                Arrays.copyOf(pixels, count),
                Arrays.copyOf(widths, count),
                Arrays.copyOf(heights, count));
    }

    /** The largest shorter side an image here has. */
    public int side() {
        return side;
    }

    /** Bytes of pixels held. */
    public long bytes() {
        long total = 0;
        for (byte[] p : pixels) {
            total += p.length;
        }
        return total;
    }

    /** Where kept image {@code index} is in the base data set. */
    int baseIndex(int index) {
        return kept[index];
    }

    int width(int index) {
        return widths[index];
    }

    int height(int index) {
        return heights[index];
    }

    byte[] pixels(int index) {
        return pixels[index];
    }

    @Override
    public int size() {
        return kept.length;
    }

    @Override
    public int channels() {
        return base.channels();
    }

    @Override
    public int label(int index) {
        return base.label(kept[index]);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public Image image(int index) {
        // A copy: a caller that writes into the pixels must not change the cache.
        return new Image(widths[index], heights[index], base.channels(), pixels[index].clone());
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
    public String source(int index) {
        return base.source(kept[index]);
    }
}
