package org.npid.cli;

import org.npid.machine.RuntimeRecord;
import picocli.CommandLine.Option;

/** {@code --threads} of the commands that run a trained network once and exit. */
final class NativeThreads {
    @Option(names = "--threads", defaultValue = "0", description = "Native threads (0 = all).")
    int threads;

    /** Sizes the native thread pools; must run before the first native operation. */
    void apply() {
        RuntimeRecord.setThreads(threads);
    }
}
