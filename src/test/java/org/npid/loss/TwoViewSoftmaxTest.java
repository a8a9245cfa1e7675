package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TwoViewSoftmaxTest {

    /** Unit rows at 0°, 30°, 90° and 180°. */
    private static final float[] BANK = {
        1, 0, (float) Math.cos(Math.PI / 6), 0.5f, 0, 1, -1, 0,
    };

    /** −log of exp(positive) over exp(positive) and the row's other logits (own one left out). */
    private static double oneRow(double positive, double[] logits, int own) {
        double z = Math.exp(positive);
        for (int j = 0; j < logits.length; j++) {
            if (j != own) {
                z += Math.exp(logits[j]);
            }
        }
        return -positive + Math.log(z);
    }

    @Test
    void eachViewsPositiveIsTheOtherViewAndItsOwnBankRowLeavesTheSum() {
        // Image 2 (bank row 2 at 90°), views at 0° and 60°, τ = 0.5: v1·v2 = cos 60° = 0.5.
        float c60 = (float) Math.cos(Math.PI / 3);
        float s60 = (float) Math.sin(Math.PI / 3);
        float[] v = {1, 0, c60, s60};
        double c30 = Math.cos(Math.PI / 6);
        double[] first = {2, 2 * c30, 0, -2};
        double[] second = {
            2 * c60, 2 * (c30 * c60 + 0.5 * s60), 2 * s60, -2 * c60,
        };
        double expected = (oneRow(2 * 0.5, first, 2) + oneRow(2 * 0.5, second, 2)) / 2;
        float loss = Objectives.loss(new TwoViewSoftmax(0.5f), BANK, 2, v, new long[] {2, 2}, 1);
        assertThat(loss).isCloseTo((float) expected, within(1e-5f));
    }

    @Test
    void theBatchsOtherImagesAreNegativesToo() {
        // Images 0 and 3, two views each (rows: 0a, 3a, 0b, 3b), τ = 1 to keep the sums readable.
        float[] v = {1, 0, -1, 0, 0, 1, 0, -1};
        long[] idx = {0, 3, 0, 3};
        double[][] rows = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        double[][] bank = {{1, 0}, {Math.cos(Math.PI / 6), 0.5}, {0, 1}, {-1, 0}};
        double expected = 0;
        for (int r = 0; r < 4; r++) {
            int partner = (r + 2) % 4;
            double positive = dot(rows[r], rows[partner]);
            double z = Math.exp(positive);
            for (int j = 0; j < 4; j++) {
                if (j != idx[r]) {
                    z += Math.exp(dot(rows[r], bank[j]));
                }
            }
            for (int b = 0; b < 4; b++) {
                if (b % 2 != r % 2) {
                    z += Math.exp(dot(rows[r], rows[b]));
                }
            }
            expected += (-positive + Math.log(z)) / 4;
        }
        float[] flatBank = {1, 0, (float) Math.cos(Math.PI / 6), 0.5f, 0, 1, -1, 0};
        assertThat(Objectives.loss(new TwoViewSoftmax(1f), flatBank, 2, v, idx, 1))
                .isCloseTo((float) expected, within(1e-5f));
    }

    private static double dot(double[] a, double[] b) {
        return a[0] * b[0] + a[1] * b[1];
    }

    @Test
    void agreeingViewsScoreBetterThanDisagreeingOnes() {
        float[] same = {0, 1, 0, 1};
        float[] apart = {0, 1, 1, 0};
        TwoViewSoftmax loss = new TwoViewSoftmax(0.1f);
        assertThat(Objectives.loss(loss, BANK, 2, same, new long[] {3, 3}, 1))
                .isLessThan(Objectives.loss(loss, BANK, 2, apart, new long[] {3, 3}, 1));
    }

    @Test
    void anOddBatchIsRefusedAndTheBankGetsNoGradient() {
        assertThatThrownBy(
                        () ->
                                Objectives.loss(
                                        new TwoViewSoftmax(0.1f),
                                        BANK,
                                        2,
                                        new float[] {1, 0, 0, 1, 1, 0},
                                        new long[] {0, 1, 2},
                                        1))
                .hasMessageContaining("even batch");
        assertThatThrownBy(() -> new TwoViewSoftmax(0)).hasMessageContaining("temperature");
    }
}
