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
}
