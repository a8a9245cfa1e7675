package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.npid.eval.KnnClassifier;

class InvertedListsTest {

    private static float[] unitRows(int n, int d, SplittableRandom rng) {
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                out[i * d + c] = (float) rng.nextGaussian();
                s += out[i * d + c] * out[i * d + c];
            }
            for (int c = 0; c < d; c++) {
                out[i * d + c] /= (float) Math.sqrt(s);
            }
        }
        return out;
    }

    /** Rows near one of {@code centres} random directions, with the centre's index as label. */
    private static float[] clustered(int n, int d, int centres, int[] labels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] c = unitRows(centres, d, new SplittableRandom(99));
        float[] out = new float[n * d];
        for (int i = 0; i < n; i++) {
            int k = rng.nextInt(centres);
            if (labels != null) {
                labels[i] = k;
            }
            double s = 0;
            for (int j = 0; j < d; j++) {
                out[i * d + j] = c[k * d + j] + 0.15f * (float) rng.nextGaussian();
                s += out[i * d + j] * out[i * d + j];
            }
            for (int j = 0; j < d; j++) {
                out[i * d + j] /= (float) Math.sqrt(s);
            }
        }
        return out;
    }

    @Test
    void probingEveryCellGivesTheExactNeighboursInOrder() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 600;
        int d = 16;
        int m = 40;
        float[] bank = unitRows(n, d, rng);
        float[] q = unitRows(m, d, rng);
        try (NDManager mgr = NDManager.newBaseManager()) {
            Neighbours exact = new KnnClassifier(10, 0.07f).neighbours(mgr, bank, n, d, q, m);
            Neighbours all = new InvertedLists(8, 8, 1).search(mgr, bank, d, q, 10);
            assertThat(all.k()).isEqualTo(10);
            for (int i = 0; i < m; i++) {
                assertThat(idsOf(all, i)).isEqualTo(idsOf(exact, i));
                assertThat(all.scores()[all.nearest(i)])
                        .isCloseTo(exact.scores()[exact.nearest(i)], within(1e-5f));
                assertThat(all.ids()[all.nearest(i)]).isEqualTo(exact.ids()[exact.nearest(i)]);
            }
        }
    }

    private static java.util.Set<Integer> idsOf(Neighbours nb, int q) {
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        for (int j = 0; j < nb.k(); j++) {
            ids.add(nb.ids()[q * nb.k() + j]);
        }
        return ids;
    }

    @Test
    void fewProbesFindTheNeighboursOfClusteredFeatures() {
        int n = 2000;
        int d = 32;
        int m = 200;
        int[] bankLabels = new int[n];
        int[] queryLabels = new int[m];
        float[] bank = clustered(n, d, 10, bankLabels, 1);
        float[] q = clustered(m, d, 10, queryLabels, 2);
        try (NDManager mgr = NDManager.newBaseManager()) {
            KnnClassifier exact = new KnnClassifier(20, 0.07f);
            KnnClassifier ivf = exact.withInvertedLists(16, 4);
            Neighbours a = exact.neighbours(mgr, bank, n, d, q, m);
            Neighbours b = new InvertedLists(16, 4, 17).search(mgr, bank, d, q, 20);
            int same = 0;
            for (int i = 0; i < m; i++) {
                java.util.Set<Integer> ids = idsOf(a, i);
                ids.retainAll(idsOf(b, i));
                same += ids.size();
            }
            // 10 clusters in 16 cells: the 4 nearest cells hold every near neighbour.
            assertThat(same / (double) (m * 20)).isGreaterThan(0.99);
            assertThat(ivf.evaluate(mgr, bank, bankLabels, q, queryLabels, 10).top1())
                    .isEqualTo(exact.evaluate(mgr, bank, bankLabels, q, queryLabels, 10).top1());
        }
    }

    @Test
    void rejectsProbesOutsideOneToLists() {
        assertThatThrownBy(() -> new InvertedLists(8, 9, 1)).hasMessageContaining("probes");
        assertThatThrownBy(() -> new InvertedLists(8, 0, 1)).hasMessageContaining("probes");
        assertThatThrownBy(() -> new InvertedLists(0, 1, 1)).hasMessageContaining("lists");
    }

    @Test
    void aSmallBankGetsFewerLargerCellsAndExactNeighbours() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] bank = unitRows(64, 8, rng);
        float[] q = unitRows(4, 8, rng);
        try (NDManager mgr = NDManager.newBaseManager()) {
            // 32 cells of two rows could not hold 60 neighbours in one probe: one cell of all 64
            // rows.
            Neighbours nb = new InvertedLists(32, 1, 1).search(mgr, bank, 8, q, 60);
            Neighbours exact = new KnnClassifier(60, 0.07f).neighbours(mgr, bank, 64, 8, q, 4);
            for (int i = 0; i < 4; i++) {
                assertThat(idsOf(nb, i)).isEqualTo(idsOf(exact, i));
            }
        }
    }
}
