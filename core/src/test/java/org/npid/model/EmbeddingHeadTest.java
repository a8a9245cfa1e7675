package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class EmbeddingHeadTest {

    @Test
    void rowsHaveUnitNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            EmbeddingHead head = new EmbeddingHead(32, 8);
            NDArray v = Nets.forward(m, head, m.randomNormal(new Shape(5, 32)).mul(50), false);
            assertThat(v.getShape()).isEqualTo(new Shape(5, 8));
            for (float n : v.norm(new int[] {1}).toFloatArray()) {
                assertThat(n).isCloseTo(1f, within(1e-5f));
            }
        }
    }

    @Test
    void hasAWeightAndABiasLikeTorchLinear() {
        try (NDManager m = NDManager.newBaseManager()) {
            EmbeddingHead head = new EmbeddingHead(32, 8);
            Nets.forward(m, head, m.ones(new Shape(2, 32)), false);
            assertThat(Nets.trainableParameters(head)).isEqualTo(32 * 8 + 8);
            // PyTorch's default bound 1/sqrt(fan_in) for both weight and bias.
            float bound = (float) (1 / Math.sqrt(32));
            head.getParameters()
                    .values()
                    .forEach(
                            p ->
                                    assertThat(p.getArray().abs().max().getFloat())
                                            .isLessThanOrEqualTo(bound));
        }
    }

    @Test
    void zeroRowStaysFinite() {
        try (NDManager m = NDManager.newBaseManager()) {
            EmbeddingHead head = new EmbeddingHead(4, 3);
            Nets.forward(m, head, m.ones(new Shape(1, 4)), false);
            head.getParameters().values().forEach(p -> p.getArray().muli(0));
            NDArray v =
                    head.forward(
                                    new ai.djl.training.ParameterStore(m, false),
                                    new ai.djl.ndarray.NDList(m.ones(new Shape(1, 4))),
                                    false)
                            .singletonOrThrow();
            assertThat(v.isNaN().any().getBoolean()).isFalse();
        }
    }

    @Test
    void mlpHeadIsLinearReluLinearThenNormalised() {
        try (NDManager m = NDManager.newBaseManager()) {
            EmbeddingHead head = new EmbeddingHead(2, 2, Head.MLP);
            Nets.forward(m, head, m.ones(new Shape(1, 2)), false);
            // hidden weight, batch norm's scale and shift, output weight and bias.
            assertThat(Nets.trainableParameters(head)).isEqualTo(2 * 2 + 2 + 2 + 2 * 2 + 2);
            // hidden: diag(1, -1), so x = (1, 3) gives (1, -3); a fresh batch norm at inference
            // (mean 0, variance 1) keeps it, the ReLU makes it (1, 0) and the output layer swaps
            // the two, (0, 1). Without the ReLU it would be (-3, 1) normalised.
            set(head, "hidden_weight", m.create(new float[] {1, 0, 0, -1}, new Shape(2, 2)));
            set(head, "linear_weight", m.create(new float[] {0, 1, 1, 0}, new Shape(2, 2)));
            set(head, "linear_bias", m.zeros(new Shape(2)));
            NDArray v = Nets.forward(m, head, m.create(new float[] {1, 3}, new Shape(1, 2)), false);
            assertThat(v.toFloatArray()).containsExactly(new float[] {0, 1}, within(1e-5f));
        }
    }

    @Test
    void linearHeadKeepsThePaperParameterNames() {
        try (NDManager m = NDManager.newBaseManager()) {
            EmbeddingHead head = new EmbeddingHead(4, 3);
            Nets.forward(m, head, m.ones(new Shape(1, 4)), false);
            assertThat(head.kind()).isEqualTo(Head.LINEAR);
            assertThat(head.getParameters().keys()).allMatch(k -> k.contains("linear")).hasSize(2);
        }
    }

    private static void set(EmbeddingHead head, String suffix, NDArray value) {
        head.getParameters().stream()
                .filter(p -> p.getKey().endsWith(suffix))
                .findFirst()
                .orElseThrow()
                .getValue()
                .getArray()
                .set(value.toFloatArray());
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThatThrownBy(() -> new EmbeddingHead(0, 8)).hasMessageContaining("featureDim");
        assertThatThrownBy(() -> new EmbeddingHead(8, 0)).hasMessageContaining("embeddingDim");
    }
}
