package org.npid.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.npid.storage.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-machine files written beside a job's Parquet table (the {@code .npy} and its sidecar,
 * the neighbour text table): only when the table is on this machine's disk and the result fits
 * comfortably in the driver's heap, unless the user insists, and each file appears whole or not at
 * all.
 */
public final class LocalCopy {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCopy.class);

    /** When to write the single-machine files. */
    public enum Mode {
        /** When the table is on this machine's disk and the result fits a quarter of the heap. */
        AUTO,
        ALWAYS,
        NEVER
    }

    /** Writes a text file's body. */
    interface Body {
        void write(Writer out) throws IOException;
    }

    private LocalCopy() {}

    /**
     * This machine's path of table {@code out} when the files of {@code what} ({@code bytes} in
     * memory) should be written beside it under {@code mode}, else null; {@code option} names the
     * flag in the error for an impossible {@link Mode#ALWAYS}.
     */
    static Path target(String out, long bytes, Mode mode, String what, String option) {
        URI uri = new org.apache.hadoop.fs.Path(out).toUri();
        boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
        boolean fits = bytes <= Runtime.getRuntime().maxMemory() / 4;
        if (mode == Mode.NEVER) {
            return null;
        }
        if (mode == Mode.AUTO && !(local && fits)) {
            LOG.info(
                    "no {} written: {}",
                    what,
                    local
                            ? bytes + " bytes is over a quarter of the heap"
                            : out + " is not on this machine");
            return null;
        }
        if (!local) {
            throw new IllegalArgumentException(
                    option
                            + " always: "
                            + out
                            + " is not on this machine's disk; write the table locally or use "
                            + option
                            + " never");
        }
        return Path.of(uri.getPath());
    }

    /**
     * A file written beside the table, and how its first bytes show that npid wrote it.
     *
     * @param file where it goes
     * @param head what a file npid wrote there begins with
     */
    // Built from a string once and only compared by content (startsWith), never shared out.
    @SuppressWarnings("ArrayRecordComponent")
    record Beside(Path file, byte[] head) {
        Beside(Path file, String head) {
            this(file, head.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** This machine's path of {@code sparkPath}, or null when it is on another file system. */
    static Path local(String sparkPath) {
        URI uri = new org.apache.hadoop.fs.Path(sparkPath).toUri();
        boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
        return local ? Path.of(uri.getPath()).toAbsolutePath().normalize() : null;
    }

    /**
     * Refuses, before any work and again before the write, to write {@code files}: one that is an
     * input, inside one or above one; a folder; or an existing file npid did not write (unless
     * {@code overwrite}), as {@code --out} itself. {@code option} names the flag that turns the
     * files off.
     */
    static void checkBeside(
            List<Beside> files, List<String> inputs, boolean overwrite, String option) {
        for (Beside b : files) {
            Path target = b.file().toAbsolutePath().normalize();
            for (String input : inputs) {
                Path in = local(input);
                if (in != null && (in.startsWith(target) || target.startsWith(in))) {
                    throw new IllegalArgumentException(
                            target
                                    + ", which npid-spark writes beside --out, is the input "
                                    + input
                                    + ", inside it or above it: choose an --out outside the"
                                    + " input folders");
                }
            }
            if (Files.isDirectory(target)) {
                throw new IllegalArgumentException(
                        target
                                + ", which npid-spark writes beside --out, is a folder, so it is"
                                + " left alone: choose another --out, move it away yourself, or"
                                + " pass "
                                + option
                                + " never");
            }
            if (!overwrite && Files.exists(target) && !startsWith(target, b.head())) {
                throw new IllegalArgumentException(
                        target
                                + ", which npid-spark writes beside --out, exists and was not"
                                + " written by npid: pass --overwrite to replace it, choose"
                                + " another --out, or pass "
                                + option
                                + " never");
            }
        }
    }

    private static boolean startsWith(Path file, byte[] head) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(head.length), head);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code file}, written through a temporary sibling renamed into place. */
    static void writeText(Path file, Body body) {
        try {
            AtomicFile.writeStream(
                    file,
                    out -> {
                        // The encoder reports unmappable text, as Files.newBufferedWriter's does.
                        try (BufferedWriter w =
                                new BufferedWriter(
                                        new OutputStreamWriter(
                                                out, StandardCharsets.UTF_8.newEncoder()))) {
                            body.write(w);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        LOG.info("wrote {}", file);
    }

    /** A {@code file:} path as this machine names the file; other paths unchanged. */
    static String localPath(String sparkPath) {
        URI uri = new org.apache.hadoop.fs.Path(sparkPath).toUri();
        return "file".equals(uri.getScheme()) ? uri.getPath() : sparkPath;
    }
}
