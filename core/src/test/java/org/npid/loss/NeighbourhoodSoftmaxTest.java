package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.npid.index.Neighbours;

class NeighbourhoodSoftmaxTest {

    /** Unit rows at 0°, 30°, 90° and 180°: row 1 is row 0's nearest, row 0 is row 1's. */
    private static final float[] BANK = {
        1, 0, (float) Math.cos(Math.PI / 6), 0.5f, 0, 1, -1, 0,
    };

    /** −log of the softmax mass of {@code logits} on the {@code positives}. */
    private static double minusLogMass(double[] logits, int... positives) {
        double z = 0;
        for (double l : logits) {
            z += Math.exp(l);
        }
        double mass = 0;
        for (int j : positives) {
            mass += Math.exp(logits[j]);
        }
        return -Math.log(mass / z);
    }

    /** The loss of embedding {@code (x, y)} as instance {@code index} against {@link #BANK}. */
    private static double lossOfOneRow(NeighbourhoodSoftmax loss, float x, float y, long index) {
        return Objectives.loss(loss, BANK, 2, new float[] {x, y}, new long[] {index}, 1);
    }

    @Test
    void lossSumsTheSoftmaxOverTheRowAndItsNearestNeighbour() {
        // v = e1 for index 0, τ = 0.5: logits 2·(1, cos30°, 0, -1).
        // The positives of index 0 are rows 0 and 1: −log (P(0) + P(1)).
        double c = Math.cos(Math.PI / 6);
        double[] logits = {2, 2 * c, 0, -2};
        assertThat(lossOfOneRow(new NeighbourhoodSoftmax(0.5f, 1), 1, 0, 0))
                .isCloseTo(minusLogMass(logits, 0, 1), within(1e-5));
    }

    @Test
    void neighboursComeFromTheBankRowNotTheEmbedding() {
        // Index 2 (90°) has row 1 (30°, cos 60° = 0.5) as its nearest neighbour, though v = -e1
        // is nearest row 3. Logits 2·(−1, −cos30°, 0, 1); positives rows 2 and 1.
        double c = Math.cos(Math.PI / 6);
        double[] logits = {-2, -2 * c, 0, 2};
        assertThat(lossOfOneRow(new NeighbourhoodSoftmax(0.5f, 1), -1, 0, 2))
                .isCloseTo(minusLogMass(logits, 2, 1), within(1e-5));
    }

    @Test
    void positivesPutTheRowFirstThenItsNeighboursBestFirst() {
        // Top 3 of rows 0 and 1, unordered: row 0 found itself, 2 (0.9) and 1 (0.5); row 1 has a
        // duplicate, 3, and lost itself from its top 3, so its own index is put first.
        Neighbours top =
                new Neighbours(
                        3,
                        new float[] {0.5f, 1f, 0.9f, 0.7f, 1f, 1f},
                        new int[] {1, 0, 2, 2, 3, 4});
        assertThat(NeighbourhoodSoftmax.positives(top, 2)).containsExactly(0, 2, 1, 1, 3, 4);
    }

    @Test
    void mergeTakesTurnsFromEachTableAndSkipsRepeats() {
        // k = 3. Row 0: a says 1, 2, 3 and b says 2, 5, 6, so 1 (a), 2 (b), then a's 2 is taken
        // and b's 5 comes in. Row 1: both say 0, 2, 3, so agreeing tables give the same row.
        int[] a = {0, 1, 2, 3, 1, 0, 2, 3};
        int[] b = {0, 2, 5, 6, 1, 0, 2, 3};
        assertThat(NeighbourhoodSoftmax.merge(a, b, 2)).containsExactly(0, 1, 2, 5, 1, 0, 2, 3);
        assertThatThrownBy(() -> NeighbourhoodSoftmax.merge(a, new int[] {0, 1}, 2))
                .hasMessageContaining("8 and 2 entries");
    }

    @Test
    void labelAgreementCountsNeighboursOfTheRowsClassButNotTheRowItself() {
        // Rows 0 and 1 are class 7, rows 2 and 3 class 8; 3 of the 4 neighbours share the class.
        int[] table = {0, 1, 1, 2, 2, 3, 3, 2};
        int[] labels = {7, 7, 8, 8};
        assertThat(NeighbourhoodSoftmax.labelAgreement(table, labels)).isEqualTo(0.75);
    }

    @Test
    void aTableOverridesTheBanksNeighbours() {
        // The bank would choose row 1 for index 0; the table says row 3. v = e1, τ = 0.5.
        double c = Math.cos(Math.PI / 6);
        double[] logits = {2, 2 * c, 0, -2};
        NeighbourhoodSoftmax loss = new NeighbourhoodSoftmax(0.5f, 1);
        loss.setTable(new int[] {0, 3, 1, 0, 2, 1, 3, 2});
        assertThat(lossOfOneRow(loss, 1, 0, 0)).isCloseTo(minusLogMass(logits, 0, 3), within(1e-5));
        assertThatThrownBy(() -> loss.setTable(new int[] {0, 1, 2}))
                .hasMessageContaining("k + 1 = 2");
    }

    @Test
    void withEveryRowAPositiveTheLossIsZero() {
        float loss =
                Objectives.loss(
                        new NeighbourhoodSoftmax(0.07f, 10),
                        BANK,
                        2,
                        new float[] {0.6f, 0.8f, 0, 1},
                        new long[] {0, 3},
                        1);
        assertThat(loss).isCloseTo(0f, within(1e-5f));
    }

    @Test
    void gradientFlowsToTheEmbeddingButNotTheBank() {
        Objectives.assertGradientReachesOnlyTheEmbedding(new NeighbourhoodSoftmax(0.07f, 3));
    }

    @Test
    void rejectsAnEmptyNeighbourhood() {
        assertThatThrownBy(() -> new NeighbourhoodSoftmax(0.07f, 0))
                .hasMessageContaining("neighbours must be >= 1");
    }

    @Test
    void mutualShareCountsTheRelationsReturned() {
        // Rows 0 and 1 name each other; row 2 names 0, which names 1: of 3 relations, 2 mutual.
        int[] table = {0, 1, 1, 0, 2, 0};
        assertThat(NeighbourhoodSoftmax.mutualShare(table, 3)).isCloseTo(2.0 / 3, within(1e-12));
        // Two disjoint pairs with k = 1: every relation is mutual.
        assertThat(NeighbourhoodSoftmax.mutualShare(new int[] {0, 1, 1, 0, 2, 3, 3, 2}, 4))
                .isEqualTo(1.0);
        // A hub: rows 1, 2 and 3 all name row 0, which names 1; only 0-1 is returned.
        assertThat(NeighbourhoodSoftmax.mutualShare(new int[] {0, 1, 1, 0, 2, 0, 3, 0}, 4))
                .isCloseTo(2.0 / 4, within(1e-12));
        assertThatThrownBy(() -> NeighbourhoodSoftmax.mutualShare(new int[] {0, 1, 2}, 3))
                .hasMessageContaining("k >= 1");
    }
}
