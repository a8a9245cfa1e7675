package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.npid.eval.KnnClassifier;
import org.npid.eval.KnnResult;
import org.npid.fixtures.NearTies;
import org.npid.fixtures.ReferenceKnn;

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
    void probingEveryCellGivesTheExactNeighbours() {
        SplittableRandom rng = new SplittableRandom(5);
        Matrix bank = unitMatrix(600, 16, rng);
        Matrix q = unitMatrix(40, 16, rng);
        try (ExactIndex exact = new ExactIndex(bank, 2);
                InvertedLists all = InvertedLists.build(bank, 8, 8, 1)) {
            Neighbours want = exact.searchAll(q, 10);
            Neighbours got = all.searchAll(q, 10);
            for (int i = 0; i < 40; i++) {
                ExactIndexTest.assertTopK(q, i, bank, got.hits(i));
                ExactIndexTest.assertTopK(q, i, bank, all.search(q.row(i), 10));
                assertThat(got.scores()[got.nearest(i)])
                        .isCloseTo(want.scores()[want.nearest(i)], within(1e-5f));
            }
            assertThat(all.size()).isEqualTo(600);
            assertThat(all.dim()).isEqualTo(16);
        }
    }

    private static Matrix unitMatrix(int n, int d, SplittableRandom rng) {
        return new Matrix(n, d, unitRows(n, d, rng));
    }

    /** Each query's k hits from {@code lists} are its true top k, up to rows tied by rounding. */
    private static void assertSameIdsAsExact(Matrix bank, Matrix q, InvertedLists lists, int k) {
        Neighbours nb = lists.searchAll(q, k);
        for (int i = 0; i < q.rows(); i++) {
            ExactIndexTest.assertTopK(q, i, bank, nb.hits(i));
        }
    }

    private static java.util.Set<Integer> idsOf(Neighbours nb, int q) {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
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
        Matrix rows = new Matrix(n, d, bank);
        Matrix queries = new Matrix(m, d, q);
        try (NDManager mgr = NDManager.newBaseManager();
                ExactIndex exactIndex = new ExactIndex(rows, 2);
                InvertedLists ivfIndex = InvertedLists.build(rows, 16, 4, 17, 20)) {
            KnnClassifier exact = new KnnClassifier(20, 0.07f);
            KnnClassifier ivf = exact.withInvertedLists(16, 4);
            Neighbours a = exactIndex.searchAll(queries, 20);
            Neighbours b = ivfIndex.searchAll(queries, 20);
            int same = 0;
            boolean[] missed = new boolean[m];
            for (int i = 0; i < m; i++) {
                java.util.Set<Integer> ids = idsOf(a, i);
                ids.retainAll(idsOf(b, i));
                same += ids.size();
                missed[i] = ids.size() < 20;
            }
            // 10 clusters in 16 cells: the 4 nearest cells hold every near neighbour.
            assertThat(same / (double) (m * 20)).isGreaterThan(0.99);
            // The vote may differ only where the lists missed a neighbour or rounding decides.
            KnnResult want = exact.evaluate(mgr, bank, bankLabels, q, queryLabels, 10);
            KnnResult got = ivf.evaluate(mgr, bank, bankLabels, q, queryLabels, 10);
            ReferenceKnn reference =
                    ReferenceKnn.of(
                            bank,
                            bankLabels,
                            q,
                            queryLabels,
                            10,
                            20,
                            0.07,
                            NearTies.SCORE_TOLERANCE);
            reference.assertAgrees(want, 0.02);
            for (int i = 0; i < m; i++) {
                if (!missed[i] && !reference.voteFragile(i)) {
                    assertThat(got.predictions()[i])
                            .as("vote of query %d, whose neighbours the lists all found", i)
                            .isEqualTo(want.predictions()[i]);
                }
            }
        }
    }

    @Test
    void rejectsProbesOutsideOneToLists() {
        Matrix bank = unitMatrix(10, 4, new SplittableRandom(1));
        assertThatThrownBy(() -> InvertedLists.build(bank, 8, 9, 1)).hasMessageContaining("probes");
        assertThatThrownBy(() -> InvertedLists.build(bank, 8, 0, 1)).hasMessageContaining("probes");
        assertThatThrownBy(() -> InvertedLists.build(bank, 0, 1, 1)).hasMessageContaining("lists");
        assertThatThrownBy(() -> new KnnClassifier(5, 0.1f).withInvertedLists(8, 9))
                .hasMessageContaining("probes");
    }

    @Test
    void aSmallBankGetsFewerLargerCellsAndExactNeighbours() {
        SplittableRandom rng = new SplittableRandom(3);
        Matrix bank = unitMatrix(64, 8, rng);
        Matrix q = unitMatrix(4, 8, rng);
        // 32 cells of two rows could not hold 60 neighbours in one probe: one cell of all 64 rows.
        try (InvertedLists lists = InvertedLists.build(bank, 32, 1, 1, 60)) {
            assertSameIdsAsExact(bank, q, lists, 60);
        }
    }

    @Test
    void queriesWhoseCellsHoldFewerThanKRowsFallBackToExact() {
        SplittableRandom rng = new SplittableRandom(4);
        Matrix bank = unitMatrix(400, 8, rng);
        Matrix q = unitMatrix(30, 8, rng);
        // Sized for k = 1: 40 cells of about 10 rows, so one probed cell cannot hold 50.
        try (InvertedLists lists = InvertedLists.build(bank, 40, 1, 2)) {
            assertSameIdsAsExact(bank, q, lists, 50);
        }
    }

    @Test
    void trainedCentroidsAreUnitRowsFixedByTheSeed() {
        Matrix rows = unitMatrix(500, 16, new SplittableRandom(3));
        Matrix a = InvertedLists.trainCentroids(rows, 8, 5);
        assertThat(a.rows()).isEqualTo(8);
        assertThat(a.cols()).isEqualTo(16);
        for (int c = 0; c < a.rows(); c++) {
            double sq = 0;
            for (float x : a.row(c)) {
                sq += x * x;
            }
            assertThat(Math.sqrt(sq)).as("centroid %d", c).isCloseTo(1.0, within(1e-5));
        }
        assertThat(InvertedLists.trainCentroids(rows, 8, 5).data()).isEqualTo(a.data());
        assertThat(InvertedLists.trainCentroids(rows, 8, 6).data()).isNotEqualTo(a.data());
        assertThatThrownBy(() -> InvertedLists.trainCentroids(rows, 501, 5))
                .hasMessageContaining("cells must be in [1, rows = 500], got 501");
    }
}
