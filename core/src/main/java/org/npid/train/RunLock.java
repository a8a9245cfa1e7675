package org.npid.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One training process per run directory. The lock is an operating-system lock on {@code .lock},
 * which the kernel releases when its process dies, so a lock file left by a killed run is simply
 * taken over; the file records the holder's process id and start for the error message.
 */
final class RunLock implements AutoCloseable {
    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code dir}, or says which process holds it. */
    static RunLock take(Path dir) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new TrainingException(
                        "run directory "
                                + dir
                                + " is in use by another npid train ("
                                + (holder.isEmpty() ? "process unknown" : holder)
                                + "): wait for it to finish, stop it, or choose another"
                                + " run directory (run_dir)");
            }
            ProcessHandle self = ProcessHandle.current();
            String me =
                    "pid "
                            + self.pid()
                            + ", started "
                            + self.info().startInstant().map(Object::toString).orElse("?");
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(channel, lock);
        } catch (IOException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // The original failure is the one worth reporting.
            }
            throw new TrainingException(
                    "cannot lock run directory "
                            + dir
                            + " ("
                            + e.getMessage()
                            + "): choose a writable run directory (run_dir)",
                    e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // The lock dies with the process anyway; nothing is lost.
        }
    }
}
