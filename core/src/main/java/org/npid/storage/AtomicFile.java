package org.npid.storage;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a reader sees the old contents or all of the new ones, never a part: the
 * bytes go to a temporary sibling (same folder, so the rename stays on one file system), are forced
 * to disk, and the sibling is renamed over the target. If anything fails the temporary file is
 * deleted, the target is left as it was, and the first error propagates.
 */
public final class AtomicFile {
    private static final int ATTEMPTS = 16;

    private AtomicFile() {}

    /** Writes the file through a {@link FileChannel}. */
    @FunctionalInterface
    public interface ChannelBody {
        /** Writes the new contents; the channel is forced and closed afterwards. */
        void write(FileChannel channel) throws IOException;
    }

    /** Writes the file through an {@link OutputStream}. */
    @FunctionalInterface
    public interface StreamBody {
        /**
         * Writes the new contents to an unbuffered stream; closing it only flushes, so a body may
         * close the streams it wraps around it.
         */
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code target} atomically with what {@code body} writes to a channel. */
    public static void write(Path target, ChannelBody body) throws IOException {
        Path tmp = createSibling(target);
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                body.write(channel);
                channel.force(true);
            }
            moveIntoPlace(tmp, target);
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(tmp, e);
            throw e;
        }
    }

    /** Writes {@code target} atomically with what {@code body} writes to a stream. */
    public static void writeStream(Path target, StreamBody body) throws IOException {
        write(
                target,
                channel -> {
                    OutputStream shielded =
                            new FilterOutputStream(Channels.newOutputStream(channel)) {
                                @Override
                                public void write(byte[] b, int off, int len) throws IOException {
                                    out.write(b, off, len);
                                }

                                @Override
                                public void close() throws IOException {
                                    flush();
                                }
                            };
                    body.write(shielded);
                    shielded.flush();
                });
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(
                target,
                channel -> {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                });
    }

    /** Writes {@code text} to {@code target} as UTF-8, atomically. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Renames {@code tmp} over {@code target} atomically where the file system allows it. */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(
                    tmp,
                    target,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Some file systems cannot rename atomically; a plain replace is the best they offer.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * A new empty file next to {@code target}, named after it. Created with the folder's default
     * permissions (unlike {@link Files#createTempFile}, which makes it readable by its owner only),
     * so the target ends up with the permissions a plain write would give it.
     */
    private static Path createSibling(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String name = target.getFileName().toString();
        for (int attempt = 1; ; attempt++) {
            long id = ThreadLocalRandom.current().nextLong() >>> 1;
            Path tmp = dir.resolve(name + "." + Long.toString(id, 36) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static void deleteAfterFailure(Path tmp, Throwable first) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            first.addSuppressed(e);
        }
    }
}
