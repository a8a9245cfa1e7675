package org.npid.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Iterates one epoch of batches, built on worker threads while the caller runs the current step.
 *
 * <p>Everything random is a pure function of the arguments: the epoch's permutation depends only on
 * (seed, epoch), and each sample's augmentation only on (seed, epoch, batch number, position in the
 * batch). Batches are therefore identical whatever the worker count or thread scheduling, and a run
 * resumed at {@code startBatch} sees exactly the batches an uninterrupted run would.
 */
public final class BatchLoader implements Iterator<Batch>, AutoCloseable {
    private static final long PERMUTATION_SALT = 0x5EED_0001L;
    private static final long AUGMENT_SALT = 0x5EED_0002L;
    private static final long VIEW_SALT = 0x5EED_0003L;
    private static final AtomicInteger LOADER_IDS = new AtomicInteger();

    private final ImageDataset ds;
    private final ImageTransform transform;
    private final int batchSize;
    private final long seed;
    private final int epoch;
    private final int[] order;
    private final int batches;
    private final int inFlight;
    private final int views;
    private final ExecutorService pool;
    private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
    private int nextToSubmit;
    private int nextToReturn;
    private boolean closed;

    /**
     * Batches of {@code batchSize} images of {@code ds} under {@code t}: one sequential pass by
     * default; {@link Builder#shuffled}, {@link Builder#from} and friends say otherwise.
     */
    public static Builder over(ImageDataset ds, ImageTransform t, int batchSize) {
        return new Builder(ds, t, batchSize);
    }

    /** The settings of a loader, each named where it is chosen. */
    public static final class Builder {
        private final ImageDataset ds;
        private final ImageTransform t;
        private final int batchSize;
        private boolean shuffle;
        private boolean dropLast;
        private long seed;
        private int epoch;
        private int startBatch;
        private int workers;
        private int prefetch = 2;
        private int views = 1;

        private Builder(ImageDataset ds, ImageTransform t, int batchSize) {
            this.ds = ds;
            this.t = t;
            this.batchSize = batchSize;
        }

        /** The random stream of ({@code seed}, {@code epoch}) drives the augmentation. */
        public Builder seeded(long seed, int epoch) {
            this.seed = seed;
            this.epoch = epoch;
            return this;
        }

        /** Permutes the data set, differently each epoch of the seed. */
        public Builder shuffled(long seed, int epoch) {
            this.shuffle = true;
            return seeded(seed, epoch);
        }

        /** Drops the final partial batch. */
        public Builder dropLast() {
            this.dropLast = true;
            return this;
        }

        /** Starts at batch {@code startBatch}, for resuming mid-epoch. */
        public Builder from(int startBatch) {
            this.startBatch = startBatch;
            return this;
        }

        /** Threads building batches; 0 builds them on the caller thread in {@link #next}. */
        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Batches built ahead of the caller (at least the workers are kept in flight). */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /**
         * Augmented views of each image: with 2, a batch of k images holds their first views, then
         * their second views in the same order (indices and labels twice). The first views are
         * those a one-view loader gives.
         */
        public Builder views(int views) {
            if (views != 1 && views != 2) {
                throw new IllegalArgumentException("views must be 1 or 2, got " + views);
            }
            this.views = views;
            return this;
        }

        public BatchLoader open() {
            return new BatchLoader(
                    ds,
                    t,
                    batchSize,
                    shuffle,
                    dropLast,
                    seed,
                    epoch,
                    startBatch,
                    workers,
                    prefetch,
                    views);
        }
    }

    private BatchLoader(
            ImageDataset ds,
            ImageTransform t,
            int batchSize,
            boolean shuffle,
            boolean dropLast,
            long seed,
            int epoch,
            int startBatch,
            int workers,
            int prefetch,
            int views) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0, got " + workers);
        }
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
        }
        this.views = views;
        this.ds = ds;
        this.transform = t;
        this.batchSize = batchSize;
        this.seed = seed;
        this.epoch = epoch;
        this.batches = batchesPerEpoch(ds.size(), batchSize, dropLast);
        if (startBatch < 0 || startBatch > batches) {
            throw new IllegalArgumentException(
                    "startBatch must be in [0, " + batches + "], got " + startBatch);
        }
        this.order = permutation(ds.size(), shuffle, seed, epoch);
        this.nextToSubmit = startBatch;
        this.nextToReturn = startBatch;
        this.inFlight = Math.max(prefetch, workers);
        if (workers == 0) {
            this.pool = null;
        } else {
            int id = LOADER_IDS.incrementAndGet();
            AtomicInteger threadIds = new AtomicInteger();
            this.pool =
                    Executors.newFixedThreadPool(
                            workers,
                            r -> {
                                Thread th =
                                        new Thread(
                                                r,
                                                "npid-loader-"
                                                        + id
                                                        + "-"
                                                        + threadIds.incrementAndGet());
                                th.setDaemon(true);
                                return th;
                            });
            fill();
        }
    }

    /** Number of batches in an epoch of {@code n} samples. */
    public static int batchesPerEpoch(int n, int batchSize, boolean dropLast) {
        if (n < 0 || batchSize < 1) {
            throw new IllegalArgumentException(
                    "need n >= 0 and batchSize >= 1, got n=" + n + ", batchSize=" + batchSize);
        }
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The epoch's sample order: Fisher-Yates seeded by (seed, epoch), or identity. */
    static int[] permutation(int n, boolean shuffle, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(Seeds.mix(seed ^ PERMUTATION_SALT, epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    public int batchCount() {
        return batches;
    }

    @Override
    public boolean hasNext() {
        return !closed && nextToReturn < batches;
    }

    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("BatchLoader is closed");
        }
        if (nextToReturn >= batches) {
            throw new NoSuchElementException(
                    "Epoch " + epoch + " has only " + batches + " batches");
        }
        int b = nextToReturn++;
        if (pool == null) {
            return build(b);
        }
        Future<Batch> f = pending.poll();
        try {
            Batch batch = f.get();
            fill();
            return batch;
        } catch (ExecutionException e) {
            close();
            Throwable cause = e.getCause();
            String message = cause.getMessage() != null ? cause.getMessage() : cause.toString();
            throw new DataException(message, cause);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new DataException("Interrupted while waiting for batch " + b, e);
        } catch (CancellationException e) {
            throw new IllegalStateException("BatchLoader was closed while waiting for a batch", e);
        }
    }

    private void fill() {
        while (pending.size() < inFlight && nextToSubmit < batches) {
            int b = nextToSubmit++;
            pending.add(pool.submit(() -> build(b)));
        }
    }

    private Batch build(int b) {
        int from = b * batchSize;
        int count = Math.min(batchSize, order.length - from);
        int c = transform.channels();
        int s = transform.size();
        int stride = transform.outputLength();
        int rows = views * count;
        float[] pixels = new float[rows * stride];
        long[] indices = new long[rows];
        int[] labels = new int[rows];
        long batchSeed = Seeds.mix(Seeds.mix(seed ^ AUGMENT_SALT, epoch), b);
        for (int k = 0; k < count; k++) {
            int index = order[from + k];
            Image image = ds.image(index);
            int label = ds.label(index);
            for (int view = 0; view < views; view++) {
                int row = view * count + k;
                indices[row] = index;
                labels[row] = label;
                // The second view's stream is salted so that it never repeats the first's.
                long viewSeed =
                        view == 0 ? Seeds.mix(batchSeed, k) : Seeds.mix(batchSeed ^ VIEW_SALT, k);
                transform.apply(image, new SplittableRandom(viewSeed), pixels, row * stride);
            }
        }
        return new Batch(pixels, rows, c, s, s, indices, labels);
    }

    /** Stops the workers; batches not yet returned are discarded. */
    @Override
    public void close() {
        closed = true;
        if (pool != null) {
            pool.shutdownNow();
            for (Future<Batch> f : pending) {
                f.cancel(true);
            }
            pending.clear();
        }
    }
}
