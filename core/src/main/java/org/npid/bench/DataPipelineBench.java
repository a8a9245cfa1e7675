package org.npid.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.npid.data.DataException;
import org.npid.data.ImageDataset;
import org.npid.data.ImageTransform;

/** Measures how many images per second the input pipeline (decode + transform) sustains. */
public final class DataPipelineBench {
    private static final int WARMUP_IMAGES = 20_000;

    /**
     * @param images images processed in the timed run, over all threads
     * @param threads threads used
     * @param seconds wall time of the timed run
     * @param imagesPerSecond total throughput
     * @param imagesPerSecondPerThread throughput divided by the thread count
     */
    public record Result(
            int images,
            int threads,
            double seconds,
            double imagesPerSecond,
            double imagesPerSecondPerThread) {}

    private DataPipelineBench() {}

    /** Runs a short warm-up, then times {@code images} images over {@code threads} threads. */
    public static Result measure(ImageDataset ds, ImageTransform t, int images, int threads) {
        if (images < 1 || threads < 1) {
            throw new IllegalArgumentException(
                    "images and threads must be >= 1, got " + images + " and " + threads);
        }
        if (ds.size() == 0) {
            throw new DataException("Cannot benchmark an empty data set");
        }
        // Warm up so the JIT has compiled the hot loops before timing starts; a few thousand
        // images are not enough on a busy machine.
        run(ds, t, 0, Math.min(images, WARMUP_IMAGES), 1);
        long start = System.nanoTime();
        run(ds, t, 0, images, threads);
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        double rate = images / seconds;
        return new Result(images, threads, seconds, rate, rate / threads);
    }

    private static void run(ImageDataset ds, ImageTransform t, long seed, int images, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int first = th;
                futures.add(
                        pool.submit(
                                () -> {
                                    float[] dst = new float[t.outputLength()];
                                    SplittableRandom rng = new SplittableRandom(seed + first);
                                    for (int i = first; i < images; i += threads) {
                                        t.apply(ds.image(i % ds.size()), rng, dst, 0);
                                    }
                                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new DataException("Benchmark failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("Benchmark interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
