package org.npid.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.npid.fixtures.NearTies;
import org.npid.fixtures.ReferenceKnn;
import org.npid.index.ExactIndex;
import org.npid.index.InvertedLists;
import org.npid.index.Matrix;
import org.npid.index.Neighbours;
import org.npid.index.UnitVectors;

class KnnClassifierTest {

    @Test
    void weightedVotesMatchAHandComputedExample() {
        // Bank in 2-d: three rows at e1 (class 0), one at (0.8, 0.6) (class 1), one at e2 (class
        // 1).
        float[] bank = {1, 0, 1, 0, 1, 0, 0.8f, 0.6f, 0, 1};
        int[] labels = {0, 0, 0, 1, 1};
        // Query (0.6, 0.8): sims 0.6, 0.6, 0.6, 0.96, 0.8. With k = 3, τ = 0.1 the neighbours are
        // rows 3, 4 (class 1) and one e1 row: votes class 1 = e^9.6 + e^8, class 0 = e^6 → class 1.
        // With k = 5: class 0 = 3e^6, class 1 = e^9.6 + e^8 → still class 1; 1-NN is class 1.
        float[] q = {0.6f, 0.8f, 1, 0};
        int[] truth = {1, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            KnnResult r = new KnnClassifier(3, 0.1f).evaluate(m, bank, labels, q, truth, 2);
            assertThat(r.predictions()).containsExactly(1, 0);
            assertThat(r.nearest()).containsExactly(1, 0);
            assertThat(r.top1()).isEqualTo(1.0);
            assertThat(r.confusion(truth)[1][1]).isEqualTo(1);
        }
    }

    /**
     * Query e1 against rows at cosines 1, 0.9, 0.8, 0.6, 0.5, 0.3, 0, −0.5 of classes 3, 5, 5, 1,
     * 6, 0, 2, 4; k = 6 keeps the first six, τ = 0.5 weighs each by exp(2s).
     */
    @Test
    void classTotalsAreSumsOfExpSOverTauAndRankTheTopFive() {
        double[] cosines = {1, 0.9, 0.8, 0.6, 0.5, 0.3, 0, -0.5};
        int[] labels = {3, 5, 5, 1, 6, 0, 2, 4};
        float[] rows = new float[2 * cosines.length];
        for (int i = 0; i < cosines.length; i++) {
            rows[2 * i] = (float) cosines[i];
            rows[2 * i + 1] = (float) Math.sqrt(1 - cosines[i] * cosines[i]);
        }
        Matrix queries = new Matrix(4, 2, new float[] {1, 0, 1, 0, 1, 0, 1, 0});
        KnnClassifier knn = new KnnClassifier(6, 0.5f);
        double[] expected = new double[7];
        expected[0] = Math.exp(0.3 / 0.5); // 1.822
        expected[1] = Math.exp(0.6 / 0.5); // 3.320
        expected[3] = Math.exp(1.0 / 0.5); // 7.389
        expected[5] = Math.exp(0.9 / 0.5) + Math.exp(0.8 / 0.5); // 6.050 + 4.953 = 11.003
        expected[6] = Math.exp(0.5 / 0.5); // 2.718
        // Classes 2 and 4 are beyond the 6th neighbour: no vote.
        try (ExactIndex index = new ExactIndex(new Matrix(8, 2, rows), 1)) {
            Neighbours nb = index.searchAll(queries, 6);
            double[] totals = knn.classTotals(nb, 0, labels, 7);
            assertThat(totals).hasSize(7);
            for (int c = 0; c < 7; c++) {
                assertThat(totals[c]).isCloseTo(expected[c], within(1e-6 * expected[3]));
            }
            // Ranking 5, 3, 1, 6, 0, then the empty 2 and 4 (ties to the lower id).
            int[] rankOfClass = new int[7];
            for (int c = 0; c < 7; c++) {
                rankOfClass[c] = KnnClassifier.rankOf(totals, c);
            }
            assertThat(rankOfClass).containsExactly(4, 2, 5, 1, 6, 0, 3);
            // Truths 5 (rank 0), 3 (rank 1, the 1-NN's class), 0 (rank 4), 2 (rank 5): the two
            // rows of class 5 outvote the nearest row; top-5 takes rank 4, not rank 5.
            KnnResult r = knn.evaluate(index, labels, queries, new int[] {5, 3, 0, 2}, 7);
            assertThat(r.predictions()).containsExactly(5, 5, 5, 5);
            assertThat(r.nearest()).containsExactly(3, 3, 3, 3);
            assertThat(r.top1()).isEqualTo(0.25);
            assertThat(r.nn1()).isEqualTo(0.25);
            assertThat(r.top5()).isEqualTo(0.75);
        }
    }

    @Test
    void weightsCanOverturnAMajority() {
        // One very close class-1 row outvotes two far class-0 rows at low temperature.
        float[] bank = {1, 0, 0.5f, 0.866f, 0.5f, 0.866f};
        int[] labels = {1, 0, 0};
        float[] q = {1, 0};
        try (NDManager m = NDManager.newBaseManager()) {
            assertThat(
                            new KnnClassifier(3, 0.07f)
                                    .evaluate(m, bank, labels, q, new int[] {1}, 2)
                                    .top1())
                    .isEqualTo(1.0);
            // At a high temperature the weights flatten and the majority wins.
            assertThat(
                            new KnnClassifier(3, 100f)
                                    .evaluate(m, bank, labels, q, new int[] {1}, 2)
                                    .top1())
                    .isEqualTo(0.0);
        }
    }

    @Test
    void oneHotClustersAreClassifiedByTheirCluster() {
        int classes = 4;
        int perClass = 25;
        int d = 8;
        float[] bank = new float[classes * perClass * d];
        int[] labels = new int[classes * perClass];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % classes;
            bank[i * d + labels[i]] = 1;
            bank[i * d + classes + rng.nextInt(4)] = 0.3f;
        }
        float[] q = new float[classes * d];
        int[] truth = new int[classes];
        for (int c = 0; c < classes; c++) {
            q[c * d + c] = 1;
            truth[c] = c;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            KnnResult r =
                    new KnnClassifier(200, 0.07f).evaluate(m, bank, labels, q, truth, classes);
            assertThat(r.top1()).isEqualTo(1.0);
            assertThat(r.top5()).isEqualTo(1.0);
            assertThat(r.nn1()).isEqualTo(1.0);
            assertThat(r.perClassTop1(truth)[2]).isCloseTo(1.0, within(1e-12));
        }
    }

    @Test
    void anIndexGivesTheSameResultAsTheArrays() {
        Matrix bank = UnitVectors.random(500, 12, 7);
        Matrix queries = UnitVectors.random(60, 12, 8);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(9);
        int[] labels = rng.ints(500, 0, 5).toArray();
        int[] truth = rng.ints(60, 0, 5).toArray();
        KnnClassifier knn = new KnnClassifier(20, 0.07f);
        KnnResult arrays;
        try (NDManager m = NDManager.newBaseManager()) {
            arrays = knn.evaluate(m, bank.data(), labels, queries.data(), truth, 5);
        }
        ReferenceKnn reference =
                ReferenceKnn.of(
                        bank.data(),
                        labels,
                        queries.data(),
                        truth,
                        5,
                        20,
                        0.07,
                        NearTies.SCORE_TOLERANCE);
        try (ExactIndex exact = new ExactIndex(bank, 2);
                InvertedLists everyCell = InvertedLists.build(bank, 8, 8, 1)) {
            for (KnnResult r :
                    new KnnResult[] {
                        arrays,
                        knn.evaluate(exact, labels, queries, truth, 5),
                        knn.evaluate(everyCell, labels, queries, truth, 5)
                    }) {
                // Each index scores with its own kernel: equal votes wherever rounding cannot
                // decide.
                reference.assertAgrees(r, 0.05);
            }
        }
    }

    @Test
    void refusesLabelsThatDoNotMatchTheIndex() {
        Matrix bank = UnitVectors.random(10, 4, 1);
        try (ExactIndex exact = new ExactIndex(bank, 1)) {
            assertThatThrownBy(
                            () ->
                                    new KnnClassifier(3, 0.1f)
                                            .evaluate(exact, new int[9], bank, new int[10], 2))
                    .hasMessageContaining("pass one label per indexed row");
        }
    }
}
