package org.npid.machine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Which native libraries this process has mapped, read from Linux's /proc/self/maps: it tells
 * whether libtorch runs without starting it (asking DJL for its engine would load it), so that
 * inference on ONNX Runtime never loads the 200 MB of libtorch.
 */
public final class NativeLibraries {
    private static final Path MAPS = Path.of("/proc/self/maps");

    private NativeLibraries() {}

    /**
     * Whether a library whose file name contains {@code name} is mapped into this process.
     *
     * @param name part of the file name, e.g. "libtorch"
     * @return true if seen; false if not seen or where /proc/self/maps cannot be read
     */
    public static boolean mapped(String name) {
        return Boolean.TRUE.equals(lookUp(name));
    }

    /**
     * As {@link #mapped}, but true where this process's libraries cannot be listed (not Linux), for
     * callers that must act when the library might run.
     *
     * @param name part of the file name
     * @return false only when the list was read and the library is not in it
     */
    public static boolean mayBeMapped(String name) {
        return !Boolean.FALSE.equals(lookUp(name));
    }

    /** True, false, or null where the list cannot be read. */
    private static Boolean lookUp(String name) {
        if (!Files.isReadable(MAPS)) {
            return null;
        }
        try (Stream<String> maps = Files.lines(MAPS)) {
            return maps.anyMatch(l -> l.contains(name));
        } catch (IOException | UncheckedIOException e) {
            return null;
        }
    }
}
