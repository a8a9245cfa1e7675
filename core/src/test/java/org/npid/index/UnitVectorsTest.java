package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class UnitVectorsTest {
    @Test
    void rowsAreUnitAndSeeded() {
        Matrix a = UnitVectors.random(20, 16, 9);
        assertThat(a).isEqualTo(UnitVectors.random(20, 16, 9));
        for (int r = 0; r < a.rows(); r++) {
            assertThat(ExactIndex.dot(a.data(), r * 16, a.data(), r * 16, 16))
                    .isCloseTo(1f, Offset.offset(1e-5f));
        }
    }

    @Test
    void perturbedQueriesStayCloseToTheirSource() {
        Matrix base = UnitVectors.random(1, 64, 1);
        Matrix q = UnitVectors.perturbed(base, 5, 0.1f, 2);
        for (int r = 0; r < q.rows(); r++) {
            assertThat(ExactIndex.dot(q.data(), r * 64, base.data(), 0, 64)).isGreaterThan(0.98f);
        }
    }

    @Test
    void lowRankBankAndHeldOutQueriesShareOneSubspace() {
        Matrix bank = UnitVectors.lowRank(200, 64, 4, 0f, 1, 2);
        Matrix queries = UnitVectors.lowRank(5, 64, 4, 0f, 1, 3);
        assertThat(bank).isNotEqualTo(queries);
        try (ExactIndex index = new ExactIndex(bank, 1)) {
            // In a 4-d subspace, 200 points leave every query a close neighbour.
            for (int q = 0; q < queries.rows(); q++) {
                assertThat(index.search(queries.row(q), 1).get(0).score()).isGreaterThan(0.8f);
            }
        }
    }
}
