package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.npid.fixtures.NearTies;

class ExactIndexTest {
    private static final float S = (float) Math.sqrt(0.5);

    /** e1, e2, (e1+e2)/√2, -e1 in 3-d. */
    private static final Matrix X =
            new Matrix(4, 3, new float[] {1, 0, 0, 0, 1, 0, S, S, 0, -1, 0, 0});

    @Test
    void ranksByInnerProductWithHandComputedScores() {
        try (ExactIndex index = new ExactIndex(X, 1)) {
            // q = (0.6, 0.8, 0): dots are 0.6, 0.8, 1.4/√2 ≈ 0.98995, -0.6.
            List<Hit> hits = index.search(new float[] {0.6f, 0.8f, 0}, 3);
            assertThat(hits).extracting(Hit::id).containsExactly(2, 1, 0);
            assertThat(hits.get(0).score()).isCloseTo(0.98995f, within());
            assertThat(hits.get(1).score()).isCloseTo(0.8f, within());
            assertThat(hits.get(2).score()).isCloseTo(0.6f, within());
        }
    }

    @Test
    void kLargerThanSizeReturnsAllRowsAndTiesGoToLowerId() {
        try (ExactIndex index = new ExactIndex(X, 1)) {
            // q = e3 is orthogonal to every row: all scores tie at 0.
            List<Hit> hits = index.search(new float[] {0, 0, 1}, 10);
            assertThat(hits).extracting(Hit::id).containsExactly(0, 1, 2, 3);
        }
    }

    @Test
    void searchAllMatchesSearchAcrossBlocksAndThreads() {
        Matrix queries = UnitVectors.random(70, 20, 2);
        Matrix base = UnitVectors.random(1500, 20, 1);
        try (ExactIndex index = new ExactIndex(base, 2)) {
            Neighbours all = index.searchAll(queries, 5);
            assertThat(all.queries()).isEqualTo(70);
            for (int q = 0; q < queries.rows(); q++) {
                // One query runs as a matrix-vector product, many as a matrix product: they may
                // round the last bit differently, so rows that tie to rounding may swap.
                assertTopK(queries, q, base, all.hits(q));
                assertTopK(queries, q, base, index.search(queries.row(q), 5));
            }
        }
    }

    @Test
    void searchAllFindsTheTrueTopKAcrossQueryAndRowBlocks() {
        // More rows and queries than one matmul block holds, so block offsets are exercised.
        Matrix base = UnitVectors.random(9000, 8, 3);
        Matrix queries = UnitVectors.random(300, 8, 4);
        try (ExactIndex index = new ExactIndex(base, 2)) {
            Neighbours all = index.searchAll(queries, 4);
            for (int q = 0; q < queries.rows(); q += 7) {
                assertTopK(queries, q, base, all.hits(q));
            }
        }
    }

    /**
     * Query q's hits are its true top k of {@code base} (a padding row or a wrong id would fail),
     * up to rows that tie with the true ones to rounding; never compared id by id with another
     * kernel's list, whose last bits may differ on another CPU.
     */
    static void assertTopK(Matrix queries, int q, Matrix base, List<Hit> hits) {
        NearTies.assertTopK(base, queries.row(q), hits, NearTies.SCORE_TOLERANCE);
    }

    @Test
    void anEmptyIndexFindsNothing() {
        try (ExactIndex index = new ExactIndex(new Matrix(0, 3, new float[0]), 1)) {
            assertThat(index.search(new float[] {1, 0, 0}, 3)).isEmpty();
            assertThat(index.searchAll(X, 3).k()).isZero();
        }
    }

    @Test
    void dotHandlesLengthsThatAreNotMultiplesOfEight() {
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        assertThat(ExactIndex.dot(a, 0, a, 0, 11)).isEqualTo(506f);
        assertThat(ExactIndex.dot(a, 1, a, 2, 3)).isEqualTo(2 * 3 + 3 * 4 + 4 * 5);
    }

    @Test
    void rejectsWrongDimensionAndK() {
        try (ExactIndex index = new ExactIndex(X, 1)) {
            assertThatThrownBy(() -> index.search(new float[2], 1))
                    .hasMessageContaining("query has 2 dims but the index has dim 3");
            assertThatThrownBy(() -> index.search(new float[3], 0)).hasMessageContaining("k");
        }
    }

    /**
     * The last block of 1,000 rows pads to 1,088, not 1,024: with 256 dimensions, a 1×1 convolution
     * with 1,024 outputs is one of the shapes oneDNN 3.7.1 divides by zero on (AVX-512 without
     * AMX). The padding rows must never come back as neighbours.
     */
    @Test
    void aPaddedLastBlockAt256DimensionsFindsTheTrueTopK() {
        assertThat(ExactIndex.paddedRows(1000)).isEqualTo(1088);
        assertThat(ExactIndex.paddedRows(4096)).isEqualTo(4096);
        assertThat(ExactIndex.paddedRows(4)).isEqualTo(64);
        assertThat(ExactIndex.paddedRows(2000)).isEqualTo(2112);
        Matrix base = UnitVectors.random(4096 + 1000, 256, 5);
        Matrix queries = UnitVectors.random(40, 256, 6);
        try (ExactIndex index = new ExactIndex(base, 2)) {
            Neighbours all = index.searchAll(queries, 5);
            for (int q = 0; q < queries.rows(); q++) {
                assertTopK(queries, q, base, all.hits(q));
            }
        }
    }

    @Test
    void reportsMemoryAsTheFloatMatrixAndItsPaddedNativeCopy() {
        try (ExactIndex index = new ExactIndex(X, 1)) {
            assertThat(index.bytesInMemory()).isEqualTo((4 * 3 + 64 * 3) * 4);
            assertThat(index.size()).isEqualTo(4);
            assertThat(index.dim()).isEqualTo(3);
        }
    }

    private static org.assertj.core.data.Offset<Float> within() {
        return org.assertj.core.data.Offset.offset(1e-5f);
    }
}
