package org.npid.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.npid.storage.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ImageCache} kept on disk, so that a second run over the same files does not decode them
 * again (decoding 100,000 photos takes many minutes on two cores).
 *
 * <p>The file is named after a SHA-256 of what it was decoded from: every file's path, size and
 * modification time, the side and the channel count. Any change to the folder therefore names
 * another file, and a stale one is never read. It ends with a CRC-32C of its contents, checked on
 * every read; a damaged file is decoded again and replaced (npid wrote it). It is written to a
 * temporary name and renamed, so a crash or a full disk leaves no half-written cache behind.
 *
 * <p>The directory: the {@code npid.cache} system property, else the {@code NPID_CACHE} environment
 * variable, else {@code $XDG_CACHE_HOME/npid}, else {@code ~/.cache/npid}; {@code off} keeps
 * nothing on disk.
 */
final class ImageCacheFile {
    private static final Logger LOG = LoggerFactory.getLogger(ImageCacheFile.class);
    private static final byte[] MAGIC = "NPIDIMG1".getBytes(StandardCharsets.US_ASCII);

    private final Path path;
    private final byte[] key;

    private ImageCacheFile(Path path, byte[] key) {
        this.path = path;
        this.key = key;
    }

    /** The directory decoded images are kept in, or null when the user turned it off. */
    static Path defaultDirectory() {
        String chosen = System.getProperty("npid.cache");
        if (chosen == null || chosen.isBlank()) {
            chosen = System.getenv("NPID_CACHE");
        }
        if (chosen != null && !chosen.isBlank()) {
            return chosen.trim().equalsIgnoreCase("off") ? null : Path.of(chosen.trim());
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root =
                xdg != null && !xdg.isBlank()
                        ? Path.of(xdg)
                        : Path.of(System.getProperty("user.home"), ".cache");
        return root.resolve("npid");
    }

    /**
     * The digest of every file's path, size and modification time, per data set: stating 100,000
     * files takes a second, and the resolution's choice asks about several sides.
     */
    private static final Map<ImageDataset, byte[]> FILES = new WeakHashMap<>();

    /** The cache file of {@code base}'s images at {@code side} inside {@code directory}. */
    static ImageCacheFile of(Path directory, ImageDataset base, int side) {
        MessageDigest sha = sha256();
        sha.update(MAGIC);
        update(sha, side + " " + base.channels() + " " + base.size());
        sha.update(filesDigest(base));
        byte[] key = sha.digest();
        String name =
                String.format(
                        Locale.ROOT,
                        "images-%dpx-%s.npc",
                        side,
                        HexFormat.of().formatHex(key, 0, 8));
        return new ImageCacheFile(directory.resolve(name), key);
    }

    private static byte[] filesDigest(ImageDataset base) {
        synchronized (FILES) {
            byte[] known = FILES.get(base);
            if (known != null) {
                return known;
            }
        }
        MessageDigest sha = sha256();
        for (int i = 0; i < base.size(); i++) {
            String source = base.source(i);
            update(sha, source);
            Path file = Path.of(source);
            try {
                update(sha, Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis());
            } catch (IOException | RuntimeException e) {
                // Not a file of its own (an archive member): its name alone identifies it.
                update(sha, "-");
            }
        }
        byte[] digest = sha.digest();
        synchronized (FILES) {
            FILES.put(base, digest);
        }
        return digest;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static void update(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    Path path() {
        return path;
    }

    /**
     * The images stored for {@code base} at {@code side}, or null when there is no such file or it
     * cannot be used (damaged, or written for other files); the reason is logged.
     */
    ImageCache read(ImageDataset base, int side) {
        if (!Files.isRegularFile(path)) {
            return null;
        }
        CRC32C crc = new CRC32C();
        try (InputStream raw = Files.newInputStream(path);
                CheckedInputStream checked =
                        new CheckedInputStream(new BufferedInputStream(raw, 1 << 16), crc);
                DataInputStream in = new DataInputStream(checked)) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            byte[] stored = new byte[key.length];
            in.readFully(stored);
            if (!Arrays.equals(magic, MAGIC) || !Arrays.equals(stored, key)) {
                LOG.warn("{} is not the image cache of these files; decoding again", path);
                return null;
            }
            int n = in.readInt();
            int storedSide = in.readInt();
            int channels = in.readInt();
            if (storedSide != side || channels != base.channels() || n < 1 || n > base.size()) {
                LOG.warn("{} does not match these files; decoding again", path);
                return null;
            }
            int[] kept = new int[n];
            int[] widths = new int[n];
            int[] heights = new int[n];
            for (int i = 0; i < n; i++) {
                kept[i] = in.readInt();
                widths[i] = in.readInt();
                heights[i] = in.readInt();
                if (kept[i] < 0
                        || kept[i] >= base.size()
                        || widths[i] < 1
                        || heights[i] < 1
                        || (long) widths[i] * heights[i] * channels > Integer.MAX_VALUE) {
                    LOG.warn("{} is damaged (entry {}); decoding again", path, i);
                    return null;
                }
            }
            byte[][] pixels = new byte[n][];
            for (int i = 0; i < n; i++) {
                pixels[i] = new byte[widths[i] * heights[i] * channels];
                in.readFully(pixels[i]);
            }
            long expected = crc.getValue();
            // Read after the CRC was taken: the trailer is not part of what it covers.
            long written = in.readLong();
            if (written != expected) {
                LOG.warn("{} is damaged (its CRC-32C does not match); decoding again", path);
                return null;
            }
            return new ImageCache(base, side, kept, pixels, widths, heights);
        } catch (EOFException e) {
            LOG.warn("{} is cut short; decoding again", path);
            return null;
        } catch (IOException e) {
            LOG.warn("Cannot read {} ({}); decoding again", path, e.toString());
            return null;
        }
    }

    /**
     * Writes {@code cache} to this file, atomically. A failure (a full disk, no permission) costs
     * only the next run's decoding: it is logged, and the temporary file removed.
     */
    void write(ImageCache cache) {
        Path dir = path.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            long bytes = cache.bytes() + 12L * cache.size() + 64;
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < 2 * bytes) {
                LOG.warn(
                        "Not keeping the decoded images in {}: {} MB would leave too little of the"
                                + " {} MB free; the next run decodes again (set NPID_CACHE to"
                                + " another directory, or off)",
                        dir,
                        bytes >> 20,
                        free >> 20);
                return;
            }
            AtomicFile.writeStream(path, raw -> writeTo(raw, cache));
            LOG.info(
                    "Kept the decoded images in {} ({} MB); the next run reads them from there",
                    path,
                    Files.size(path) >> 20);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "Could not keep the decoded images in {} ({}); the next run decodes again",
                    path,
                    e.toString());
        }
    }

    /** The file's bytes: header, per-image sizes, pixels, then the CRC-32C of all before it. */
    private void writeTo(OutputStream raw, ImageCache cache) throws IOException {
        CRC32C crc = new CRC32C();
        BufferedOutputStream buffered = new BufferedOutputStream(raw, 1 << 16);
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
        out.write(MAGIC);
        out.write(key);
        out.writeInt(cache.size());
        out.writeInt(cache.side());
        out.writeInt(cache.channels());
        for (int i = 0; i < cache.size(); i++) {
            out.writeInt(cache.baseIndex(i));
            out.writeInt(cache.width(i));
            out.writeInt(cache.height(i));
        }
        for (int i = 0; i < cache.size(); i++) {
            out.write(cache.pixels(i));
        }
        out.flush();
        new DataOutputStream(buffered).writeLong(crc.getValue());
        buffered.flush();
    }
}
