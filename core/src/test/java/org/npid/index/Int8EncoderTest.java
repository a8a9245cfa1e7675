package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class Int8EncoderTest {
    private static final Matrix ROWS = UnitVectors.lowRank(1000, 32, 6, 0.3f, 7, 8);

    @Test
    void indexedRowsUseTheWholeByteRangeAndNeverClip() {
        Int8Encoder e = Int8Encoder.fit(ROWS, 0);
        assertThat(e.dims()).isEqualTo(32);
        int largest = 0;
        for (int r = 0; r < ROWS.rows(); r++) {
            byte[] code = e.encode(ROWS.data(), r * 32);
            float[] reduced = new float[32];
            e.reduce(ROWS.data(), r * 32, reduced);
            for (int i = 0; i < 32; i++) {
                largest = Math.max(largest, Math.abs(code[i]));
                // No clipping: every code is the rounded scaled coordinate.
                assertThat((float) code[i])
                        .isCloseTo(reduced[i] * e.scale(), Offset.offset(0.5f + 1e-3f));
            }
        }
        assertThat(largest).isEqualTo(127);
    }

    @Test
    void aQueryUnlikeTheRowsClipsInsteadOfWrappingRound() {
        // Rows near e0; the opposite direction is far outside their range.
        Matrix near =
                UnitVectors.perturbed(new Matrix(1, 4, new float[] {1, 0, 0, 0}), 50, 0.1f, 3);
        Int8Encoder e = Int8Encoder.fit(near, 0);
        byte[] code = e.encode(new float[] {-1, 0, 0, 0}, 0);
        int extremes = 0;
        for (byte b : code) {
            extremes += Math.abs(b) == 127 ? 1 : 0;
        }
        assertThat(extremes).isPositive();
    }

    @Test
    void squaredCodeDistanceGivesTheCosine() {
        Int8Encoder e = Int8Encoder.fit(ROWS, 0);
        for (int i = 0; i + 1 < ROWS.rows(); i += 2) {
            byte[] a = e.encode(ROWS.data(), i * 32);
            byte[] b = e.encode(ROWS.data(), (i + 1) * 32);
            long d2 = 0;
            for (int c = 0; c < 32; c++) {
                long diff = (long) a[c] - b[c];
                d2 += diff * diff;
            }
            float cos = ExactIndex.dot(ROWS.data(), i * 32, ROWS.data(), (i + 1) * 32, 32);
            // Worst case of the rounding (see HnswIndexTest): sqrt(d) |q - x| / s + d / (2 s^2).
            double distance = Math.sqrt(Math.max(0, 2 - 2 * cos));
            double bound =
                    Math.sqrt(32) * distance / e.scale() + 16 / (e.scale() * e.scale()) + 1e-4;
            assertThat((double) e.cosine(d2)).isCloseTo(cos, Offset.offset(bound));
        }
    }

    @Test
    void theQueryNormDoesNotChangeTheCode() {
        Int8Encoder e = Int8Encoder.fit(ROWS, 8);
        float[] q = ROWS.row(3);
        float[] twice = q.clone();
        for (int i = 0; i < twice.length; i++) {
            twice[i] *= 2;
        }
        assertThat(e.encode(twice, 0)).isEqualTo(e.encode(q, 0));
    }

    @Test
    void fitsAreReproducibleAndSurviveStorage() {
        Int8Encoder a = Int8Encoder.fit(ROWS, 6);
        Int8Encoder b = Int8Encoder.fit(ROWS, 6);
        assertThat(a.dims()).isEqualTo(6);
        assertThat(a.dim()).isEqualTo(32);
        assertThat(a.toMatrix()).isEqualTo(b.toMatrix());
        assertThat(a.toMatrix().rows()).isEqualTo(7);
        assertThat(a.heapBytes()).isEqualTo(7 * 32 * 4);
        Int8Encoder stored = Int8Encoder.of(a.toMatrix(), a.scale());
        for (int r = 0; r < 20; r++) {
            assertThat(stored.encode(ROWS.data(), r * 32)).isEqualTo(a.encode(ROWS.data(), r * 32));
        }
    }

    @Test
    void theRotationIsOrthogonal() {
        Matrix r = Int8Encoder.rotation(10);
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                float dot = ExactIndex.dot(r.data(), i * 10, r.data(), j * 10, 10);
                assertThat(dot).isCloseTo(i == j ? 1f : 0f, Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void badArgumentsNameTheField() {
        assertThatThrownBy(() -> Int8Encoder.fit(ROWS, 33)).hasMessageContaining("dims");
        assertThatThrownBy(() -> Int8Encoder.fit(ROWS, -1)).hasMessageContaining("dims");
        Matrix stored = Int8Encoder.fit(ROWS, 4).toMatrix();
        assertThatThrownBy(() -> Int8Encoder.of(stored, 0f)).hasMessageContaining("scale");
        assertThatThrownBy(() -> Int8Encoder.of(new Matrix(1, 32, new float[32]), 1f))
                .hasMessageContaining("mean row");
    }
}
