package org.npid.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work on every image of a set by a few daemon threads, in chunks, logging its progress every
 * {@value #PROGRESS_SECONDS} s: reading 100,000 headers or decoding 100,000 photos takes minutes,
 * and a silent wait looks like a hang.
 */
final class ImageWork {
    private static final Logger LOG = LoggerFactory.getLogger(ImageWork.class);

    /** How often long work reports its progress. */
    private static final long PROGRESS_SECONDS = 10;

    private ImageWork() {}

    /**
     * Runs {@code body} for every index in [0, n) on {@code threads} threads, {@code chunk} indices
     * a task; {@code label} names the work in the progress lines. The body handles a bad image
     * itself; anything it throws fails the whole work.
     */
    static void forEach(int n, int threads, int chunk, String label, IntConsumer body) {
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        threads,
                        r -> {
                            Thread t = new Thread(r, "npid-images");
                            t.setDaemon(true);
                            return t;
                        });
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int from = 0; from < n; from += chunk) {
                int lo = from;
                int hi = Math.min(n, from + chunk);
                futures.add(
                        pool.submit(
                                () -> {
                                    for (int i = lo; i < hi; i++) {
                                        body.accept(i);
                                        done.incrementAndGet();
                                    }
                                }));
            }
            pool.shutdown();
            while (!pool.awaitTermination(PROGRESS_SECONDS, TimeUnit.SECONDS)) {
                int d = done.get();
                double elapsed = (System.nanoTime() - start) / 1e9;
                LOG.info(
                        String.format(
                                Locale.ROOT,
                                "%s: %,d of %,d (%d %%), about %ds left",
                                label,
                                d,
                                n,
                                100L * d / n,
                                d == 0 ? 0 : Math.round(elapsed * (n - d) / d)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Interrupted: " + label, e);
        } catch (ExecutionException e) {
            throw new DataException(label + " failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
