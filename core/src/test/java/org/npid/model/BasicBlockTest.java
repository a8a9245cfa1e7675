package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BasicBlockTest {

    @Test
    void identityBlockKeepsShapeAndHasNoProjection() {
        try (NDManager m = NDManager.newBaseManager()) {
            BasicBlock block = new BasicBlock(8, 8, 1);
            NDArray y = Nets.forward(m, block, Nets.images(m, 2, 8, 6), false);
            assertThat(y.getShape()).isEqualTo(new Shape(2, 8, 6, 6));
            assertThat(Nets.trainableParameters(block)).isEqualTo(2L * (8 * 8 * 9 + 2 * 8));
            assertThat(block.getChildren().keys()).noneMatch(k -> k.contains("shortcut"));
        }
    }

    @Test
    void stridedBlockHalvesResolutionAndProjectsTheShortcut() {
        try (NDManager m = NDManager.newBaseManager()) {
            BasicBlock block = new BasicBlock(8, 16, 2);
            NDArray y = Nets.forward(m, block, Nets.images(m, 2, 8, 7), false);
            assertThat(y.getShape()).isEqualTo(new Shape(2, 16, 4, 4));
            assertThat(block.getOutputShapes(new Shape[] {new Shape(2, 8, 7, 7)}))
                    .containsExactly(y.getShape());
            long convs = 8 * 16 * 9 + 16 * 16 * 9 + 8 * 16;
            assertThat(Nets.trainableParameters(block)).isEqualTo(convs + 3 * 2 * 16);
        }
    }

    @Test
    void outputIsNonNegativeAfterTheFinalRelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Nets.forward(m, new BasicBlock(4, 4, 1), Nets.images(m, 2, 4, 5), true);
            assertThat(y.min().getFloat()).isGreaterThanOrEqualTo(0f);
        }
    }
}
