package org.npid.cli;

import sun.misc.Signal;

/**
 * Turns Ctrl-C and SIGTERM into a stop request that the training loop honours after the current
 * step. A JVM shutdown would tear the native engine down under a running backward pass and crash; a
 * second Ctrl-C still exits at once, for a run that hangs.
 */
final class StopSignal {
    private StopSignal() {}

    static void install(Runnable onStop) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                boolean[] seen = {false};
                Signal.handle(
                        new Signal(name),
                        s -> {
                            if (seen[0]) {
                                Runtime.getRuntime().halt(130);
                            }
                            seen[0] = true;
                            System.err.println(
                                    "\nnpid: stopping after this step and saving a checkpoint"
                                            + " (press Ctrl-C again to quit at once)");
                            onStop.run();
                        });
            } catch (IllegalArgumentException e) {
                // The signal is not available on this platform; the run just cannot be stopped by
                // it.
            }
        }
    }
}
