package org.npid.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.npid.memory.MemoryBank;

class ProximalTermTest {

    @Test
    void isLambdaTimesMeanSquaredDistanceToOwnMemory() {
        // v_0 = e1 vs V[1] = e2: ‖·‖² = 2; v_1 = e2 vs V[1] = e2: 0. λ = 0.5 → 0.5 · mean(2, 0) =
        // 0.5.
        try (NDManager m = NDManager.newBaseManager();
                MemoryBank bank =
                        MemoryBank.fromArray(m, new float[] {1, 0, 0, 1}, 2, 2, 0.5f, false)) {
            float loss =
                    new ProximalTerm(0.5f)
                            .loss(
                                    m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2)),
                                    m.create(new long[] {1, 1}),
                                    bank)
                            .getFloat();
            assertThat(loss).isCloseTo(0.5f, within(1e-6f));
        }
    }

    @Test
    void zeroLambdaIsInactiveAndNegativeIsRejected() {
        assertThat(new ProximalTerm(0).active()).isFalse();
        assertThatThrownBy(() -> new ProximalTerm(-1)).hasMessageContaining("proximal lambda");
    }
}
