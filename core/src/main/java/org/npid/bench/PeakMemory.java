package org.npid.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's peak resident set size (VmHWM) on Linux. Writing 5 to /proc/self/clear_refs resets
 * the peak, so each configuration of a benchmark gets its own figure.
 */
final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR = Path.of("/proc/self/clear_refs");

    private PeakMemory() {}

    static void reset() {
        try {
            Files.writeString(CLEAR, "5");
        } catch (IOException | UnsupportedOperationException e) {
            // Not Linux, or not permitted: the figure then covers the whole process so far.
        }
    }

    /** Peak RSS in MiB since the last reset, or NaN where /proc is unavailable. */
    static double peakMiB() {
        return field("VmHWM:");
    }

    /** Current RSS in MiB, or NaN. */
    static double currentMiB() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String kb = line.substring(name.length()).trim().split("\\s+", -1)[0];
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
