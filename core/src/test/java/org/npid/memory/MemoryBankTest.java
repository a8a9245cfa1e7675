package org.npid.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class MemoryBankTest {

    @Test
    void randomRowsHaveUnitNormAndDependOnlyOnTheSeed() {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank a = MemoryBank.random(m, 50, 16, 0.5f, false, 7);
                MemoryBank b = MemoryBank.random(m, 50, 16, 0.5f, false, 7);
                MemoryBank c = MemoryBank.random(m, 50, 16, 0.5f, false, 8)) {
            float[] rows = a.toFloatArray();
            for (int r = 0; r < 50; r++) {
                assertThat(norm(rows, r, 16)).isCloseTo(1.0, within(1e-5));
            }
            assertThat(b.toFloatArray()).containsExactly(rows);
            assertThat(c.toFloatArray()).isNotEqualTo(rows);
        }
    }

    @Test
    void momentumUpdateMatchesThePaperByHand() {
        // m = 0.8, unequal weights, so m·old + (1−m)·new and its swap differ.
        float[] init = {1, 0, 0, 1, -1, 0};
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.fromArray(m, init, 3, 2, 0.8f, false)) {
            try (NDManager step = m.newSubManager()) {
                NDArray idx = step.create(new long[] {0, 2});
                NDArray v = step.create(new float[] {0, 1, 0.6f, 0.8f}, new Shape(2, 2));
                bank.update(idx, v);
            }
            float[] rows = bank.toFloatArray();
            // Row 0: 0.8(1, 0) + 0.2(0, 1) = (0.8, 0.2), norm √0.68.
            assertThat((double) rows[0]).isCloseTo(0.8 / Math.sqrt(0.68), within(1e-6));
            assertThat((double) rows[1]).isCloseTo(0.2 / Math.sqrt(0.68), within(1e-6));
            assertThat(rows[2]).isEqualTo(0f);
            assertThat(rows[3]).isEqualTo(1f);
            // Row 2: 0.8(−1, 0) + 0.2(0.6, 0.8) = (−0.68, 0.16), norm √(0.4624 + 0.0256) = √0.488.
            assertThat((double) rows[4]).isCloseTo(-0.68 / Math.sqrt(0.488), within(1e-6));
            assertThat((double) rows[5]).isCloseTo(0.16 / Math.sqrt(0.488), within(1e-6));
        }
    }

    /**
     * An index twice in one batch gets one update from the mean of its embeddings, whatever their
     * order: libtorch's index_put would leave it to chance which occurrence's row is written.
     */
    @Test
    void aRepeatedIndexIsUpdatedOnceFromTheMeanOfItsEmbeddings() {
        float[] init = {1, 0, 0, 1, -1, 0};
        float[] first =
                repeatedIndexUpdate(init, new long[] {0, 2, 0}, 0, 1, 0.6f, 0.8f, 0.6f, -0.8f);
        // Row 0: mean of (0, 1) and (0.6, −0.8) is (0.3, 0.1); 0.8(1, 0) + 0.2(0.3, 0.1) =
        // (0.86, 0.02), norm √(0.7396 + 0.0004) = √0.74. Last occurrence alone would give
        // (0.92, −0.16)/√0.872, first alone (0.8, 0.2)/√0.68.
        assertThat((double) first[0]).isCloseTo(0.86 / Math.sqrt(0.74), within(1e-6));
        assertThat((double) first[1]).isCloseTo(0.02 / Math.sqrt(0.74), within(1e-6));
        assertThat(first[2]).isEqualTo(0f);
        assertThat(first[3]).isEqualTo(1f);
        assertThat((double) first[4]).isCloseTo(-0.68 / Math.sqrt(0.488), within(1e-6));
        assertThat((double) first[5]).isCloseTo(0.16 / Math.sqrt(0.488), within(1e-6));
        float[] reordered =
                repeatedIndexUpdate(init, new long[] {0, 0, 2}, 0.6f, -0.8f, 0, 1, 0.6f, 0.8f);
        for (int i = 0; i < init.length; i++) {
            assertThat(reordered[i]).isCloseTo(first[i], within(1e-6f));
        }
    }

    /** The rows after one update of a 3 × 2 bank at m = 0.8. */
    private static float[] repeatedIndexUpdate(float[] init, long[] idx, float... v) {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.fromArray(m, init, 3, 2, 0.8f, false)) {
            try (NDManager step = m.newSubManager()) {
                bank.update(step.create(idx), step.create(v, new Shape(idx.length, 2)));
            }
            return bank.toFloatArray();
        }
    }

    @Test
    void zeroMomentumOverwritesTheRowsWithTheNormalisedEmbeddings() {
        // The first-epoch fill: V[1] = (0, 1) is replaced by normalise((3, 4)) = (0.6, 0.8).
        float[] init = {1, 0, 0, 1};
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.fromArray(m, init, 2, 2, 0.5f, false)) {
            try (NDManager step = m.newSubManager()) {
                bank.update(
                        step.create(new long[] {1}),
                        step.create(new float[] {3, 4}, new Shape(1, 2)),
                        0f);
                assertThatThrownBy(
                                () ->
                                        bank.update(
                                                step.create(new long[] {1}),
                                                step.create(new float[] {3, 4}, new Shape(1, 2)),
                                                1f))
                        .hasMessageContaining("bank momentum");
            }
            float[] rows = bank.toFloatArray();
            assertThat(rows[0]).isEqualTo(1f);
            assertThat(rows[2]).isCloseTo(0.6f, within(1e-6f));
            assertThat(rows[3]).isCloseTo(0.8f, within(1e-6f));
            assertThat(bank.momentum()).isEqualTo(0.5f);
        }
    }

    @Test
    void updateKeepsRowsUnitNormAndIgnoresTheGradient() {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank = MemoryBank.random(m, 20, 8, 0.5f, false, 1)) {
            try (NDManager step = m.newSubManager()) {
                NDArray v = step.randomNormal(new Shape(4, 8));
                v.setRequiresGradient(true);
                bank.update(step.create(new long[] {1, 5, 9, 19}), v);
            }
            float[] rows = bank.toFloatArray();
            for (int r = 0; r < 20; r++) {
                assertThat(norm(rows, r, 8)).isCloseTo(1.0, within(1e-5));
            }
        }
    }

    @Test
    void float16StorageHalvesMemoryAndStaysClose() {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank f32 = MemoryBank.random(m, 100, 32, 0.5f, false, 3);
                MemoryBank f16 = MemoryBank.random(m, 100, 32, 0.5f, true, 3)) {
            assertThat(f16.isFloat16()).isTrue();
            float[] a = f32.toFloatArray();
            float[] b = f16.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).isCloseTo(a[i], within(1e-3f));
            }
        }
    }

    @Test
    void saveAndLoadRoundTripAndRejectAnotherShape() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank a = MemoryBank.random(m, 10, 4, 0.5f, false, 1);
                MemoryBank b = MemoryBank.random(m, 10, 4, 0.5f, false, 2);
                MemoryBank other = MemoryBank.random(m, 11, 4, 0.5f, false, 2)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            a.save(out);
            b.load(new ByteArrayInputStream(out.toByteArray()));
            assertThat(b.toFloatArray()).containsExactly(a.toFloatArray());
            assertThatThrownBy(() -> other.load(new ByteArrayInputStream(out.toByteArray())))
                    .hasMessageContaining("another data set");
        }
    }

    @Test
    void rejectsBadSettings() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> MemoryBank.random(m, 0, 4, 0.5f, false, 1))
                    .hasMessageContaining("bank size");
            assertThatThrownBy(() -> MemoryBank.random(m, 4, 4, 1f, false, 1))
                    .hasMessageContaining("bank momentum");
        }
    }

    private static double norm(float[] rows, int r, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            s += rows[r * d + c] * rows[r * d + c];
        }
        return Math.sqrt(s);
    }
}
