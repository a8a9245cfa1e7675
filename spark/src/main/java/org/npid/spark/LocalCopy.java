package org.npid.spark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
