package org.npid.spark;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.npid.eval.TrainedModel;
import org.npid.machine.RuntimeRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trained networks of this JVM, loaded once per checkpoint and shared by every task the
 * executor runs: loading a network costs far more than embedding a batch, and tasks come in their
 * thousands. Inference only reads the weights, so concurrent tasks can share one network.
 */
final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<String, TrainedModel> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorModels() {}

    /**
     * The network of {@code checkpoint}, loaded on first use; {@code threads} sizes PyTorch's
     * thread pool when this JVM has not started PyTorch yet.
     */
    static TrainedModel get(String checkpoint, int threads) {
        return MODELS.computeIfAbsent(
                checkpoint,
                c -> {
                    configureThreads(threads);
                    long t0 = System.nanoTime();
                    TrainedModel model = TrainedModel.load(Path.of(c));
                    LOADS.incrementAndGet();
                    LOG.info(
                            "loaded the network of {} in {} ms (once for this executor)",
                            c,
                            (System.nanoTime() - t0) / 1_000_000);
                    return model;
                });
    }

    /**
     * Sets up this JVM's runtime (an executor does not start through {@code npid-spark}'s main) and
     * sizes PyTorch's thread pool, unless this JVM already chose (PyTorch reads the inter-op
     * setting once, when it starts).
     */
    static synchronized void configureThreads(int threads) {
        RuntimeRecord.ensureApplied();
        if (!RuntimeRecord.threadsChosen()) {
            RuntimeRecord.setThreads(threads);
        }
    }

    /** How many networks this JVM has loaded. */
    static int loads() {
        return LOADS.get();
    }
}
