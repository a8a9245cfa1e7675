package org.npid.cli;

/**
 * Sets the native thread count before the engine starts: PyTorch reads it once, at start-up.
 * Inter-op parallelism only adds contention on a 2-core machine, so it is pinned to 1.
 */
final class Threads {
    private Threads() {}

    static void configure(int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(n));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
}
