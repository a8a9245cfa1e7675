package org.npid.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
    private static final float[] MEAN = {0.5f, 0.5f, 0.5f};
    private static final float[] STD = {0.25f, 0.25f, 0.25f};
    private static final ImageTransform AUGMENT =
            new TrainAugmentation(AugmentationParams.official(6, MEAN, STD));

    private static List<Batch> epoch(
            ImageDataset ds, long seed, int epoch, int startBatch, int workers) {
        List<Batch> out = new ArrayList<>();
        try (BatchLoader loader =
                BatchLoader.over(ds, AUGMENT, 4)
                        .shuffled(seed, epoch)
                        .from(startBatch)
                        .workers(workers)
                        .open()) {
            loader.forEachRemaining(out::add);
        }
        return out;
    }

    private static void assertSameBatches(List<Batch> actual, List<Batch> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            assertThat(actual.get(i).indices()).containsExactly(expected.get(i).indices());
            assertThat(actual.get(i).labels()).containsExactly(expected.get(i).labels());
            assertThat(actual.get(i).pixels()).containsExactly(expected.get(i).pixels());
        }
    }

    @Test
    void coversEveryIndexExactlyOncePerEpoch() {
        ImageDataset ds = TestData.memory(10);
        List<Batch> batches = epoch(ds, 1, 0, 0, 2);

        assertThat(batches).hasSize(3);
        assertThat(batches.get(2).batchSize()).isEqualTo(2);
        Set<Long> seen = new HashSet<>();
        for (Batch b : batches) {
            assertThat(b.channels()).isEqualTo(3);
            assertThat(b.height()).isEqualTo(6);
            assertThat(b.pixels()).hasSize(b.batchSize() * 3 * 36);
            for (int k = 0; k < b.batchSize(); k++) {
                assertThat(seen.add(b.indices()[k])).isTrue();
                assertThat(b.labels()[k]).isEqualTo(ds.label((int) b.indices()[k]));
            }
        }
        assertThat(seen).hasSize(10);
    }

    @Test
    void dropLastDropsThePartialBatch() {
        assertThat(BatchLoader.batchesPerEpoch(10, 4, true)).isEqualTo(2);
        assertThat(BatchLoader.batchesPerEpoch(10, 4, false)).isEqualTo(3);
        assertThat(BatchLoader.batchesPerEpoch(8, 4, false)).isEqualTo(2);
        try (BatchLoader loader =
                BatchLoader.over(TestData.memory(10), AUGMENT, 4).dropLast().prefetch(1).open()) {
            assertThat(loader.next().indices()).containsExactly(0, 1, 2, 3);
            assertThat(loader.next().indices()).containsExactly(4, 5, 6, 7);
            assertThat(loader.hasNext()).isFalse();
        }
    }

    @Test
    void sameSeedGivesSameBatchesWhateverTheWorkerCount() {
        ImageDataset ds = TestData.memory(23);
        List<Batch> sync = epoch(ds, 7, 3, 0, 0);

        assertSameBatches(epoch(ds, 7, 3, 0, 1), sync);
        assertSameBatches(epoch(ds, 7, 3, 0, 3), sync);
    }

    @Test
    void twoViewsHoldTheOneViewBatchThenSecondViewsOfTheSameImages() {
        ImageDataset ds = TestData.memory(10);
        List<Batch> one = epoch(ds, 3, 1, 0, 2);
        List<Batch> two = new ArrayList<>();
        try (BatchLoader loader =
                BatchLoader.over(ds, AUGMENT, 4).shuffled(3, 1).workers(2).views(2).open()) {
            loader.forEachRemaining(two::add);
        }
        assertThat(two).hasSameSizeAs(one);
        for (int b = 0; b < one.size(); b++) {
            Batch single = one.get(b);
            Batch pair = two.get(b);
            int k = single.batchSize();
            int stride = single.pixels().length / k;
            assertThat(pair.batchSize()).isEqualTo(2 * k);
            for (int r = 0; r < k; r++) {
                assertThat(pair.indices()[r]).isEqualTo(single.indices()[r]);
                assertThat(pair.indices()[k + r]).isEqualTo(single.indices()[r]);
                assertThat(pair.labels()[k + r]).isEqualTo(single.labels()[r]);
            }
            float[] first = java.util.Arrays.copyOfRange(pair.pixels(), 0, k * stride);
            float[] second =
                    java.util.Arrays.copyOfRange(pair.pixels(), k * stride, 2 * k * stride);
            assertThat(first).containsExactly(single.pixels());
            assertThat(second).isNotEqualTo(first);
        }
        assertThatThrownBy(() -> BatchLoader.over(ds, AUGMENT, 4).views(3))
                .hasMessageContaining("views must be 1 or 2");
    }

    @Test
    void permutationDependsOnSeedAndEpoch() {
        int[] a = BatchLoader.permutation(100, true, 5, 0);
        assertThat(BatchLoader.permutation(100, true, 5, 0)).containsExactly(a);
        assertThat(BatchLoader.permutation(100, true, 5, 1)).isNotEqualTo(a);
        assertThat(BatchLoader.permutation(100, true, 6, 0)).isNotEqualTo(a);
        assertThat(a).containsExactlyInAnyOrder(BatchLoader.permutation(100, false, 5, 0));
    }

    @Test
    void resumingAtStartBatchSeesTheRemainingBatches() {
        ImageDataset ds = TestData.memory(23);
        List<Batch> full = epoch(ds, 11, 2, 0, 2);

        assertSameBatches(epoch(ds, 11, 2, 4, 2), full.subList(4, full.size()));
        assertSameBatches(epoch(ds, 11, 2, 4, 0), full.subList(4, full.size()));
        assertThat(epoch(ds, 11, 2, full.size(), 2)).isEmpty();
    }

    @Test
    void workerErrorIsRethrownWithItsMessage() {
        ImageDataset good = TestData.memory(12);
        ImageDataset failing =
                new ForwardingDataset(good) {
                    @Override
                    public Image image(int index) {
                        if (index == 5) {
                            throw new DataException("Cannot decode image /data/bad.jpg: corrupt");
                        }
                        return super.image(index);
                    }
                };
        for (int workers : new int[] {0, 2}) {
            try (BatchLoader loader =
                    BatchLoader.over(failing, AUGMENT, 4).workers(workers).open()) {
                loader.next();
                assertThatThrownBy(loader::next)
                        .isInstanceOf(DataException.class)
                        .hasMessageContaining("/data/bad.jpg");
            }
        }
    }

    /** An open loader of seeded, shuffled batches of two over {@code images} distinct images. */
    private static BatchLoader shuffledPairs(int images, int workers, int prefetch) {
        return BatchLoader.over(TestData.memory(images), AUGMENT, 2)
                .shuffled(0, 0)
                .workers(workers)
                .prefetch(prefetch)
                .open();
    }

    @Test
    void closeStopsIteration() {
        BatchLoader loader = shuffledPairs(40, 2, 4);
        loader.next();
        loader.close();

        assertThat(loader.hasNext()).isFalse();
        assertThatThrownBy(loader::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeEndsTheDaemonWorkerThreads() throws Exception {
        BatchLoader loader = shuffledPairs(400, 3, 8);
        loader.next();
        assertThat(loaderThreads()).isNotEmpty().allMatch(Thread::isDaemon);
        loader.close();

        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!loaderThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(loaderThreads()).isEmpty();
    }

    private static List<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("npid-loader-") && t.isAlive())
                .toList();
    }

    @Test
    void rejectsStartBatchPastTheEnd() {
        assertThatThrownBy(
                        () ->
                                BatchLoader.over(TestData.memory(10), AUGMENT, 4)
                                        .shuffled(0, 0)
                                        .from(4)
                                        .prefetch(1)
                                        .open())
                .hasMessageContaining("startBatch");
    }

    /** Delegates everything to another data set, so tests can override one method. */
    private static class ForwardingDataset implements ImageDataset {
        private final ImageDataset inner;

        ForwardingDataset(ImageDataset inner) {
            this.inner = inner;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public int channels() {
            return inner.channels();
        }

        @Override
        public int label(int index) {
            return inner.label(index);
        }

        @Override
        public List<String> classNames() {
            return inner.classNames();
        }

        @Override
        public Image image(int index) {
            return inner.image(index);
        }

        @Override
        public String source(int index) {
            return inner.source(index);
        }
    }
}
