package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

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
        Matrix base = UnitVectors.random(1500, 20, 1);
        Matrix queries = UnitVectors.random(70, 20, 2);
        try (ExactIndex index = new ExactIndex(base, 2)) {
            List<List<Hit>> all = index.searchAll(queries, 5);
            assertThat(all).hasSize(70);
            for (int q = 0; q < queries.rows(); q++) {
                assertThat(all.get(q)).isEqualTo(index.search(queries.row(q), 5));
            }
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

    @Test
    void reportsMemoryAsTheFloatMatrix() {
        try (ExactIndex index = new ExactIndex(X, 1)) {
            assertThat(index.bytesInMemory()).isEqualTo(4 * 3 * 4);
            assertThat(index.size()).isEqualTo(4);
            assertThat(index.dim()).isEqualTo(3);
        }
    }

    private static org.assertj.core.data.Offset<Float> within() {
        return org.assertj.core.data.Offset.offset(1e-5f);
    }
}
