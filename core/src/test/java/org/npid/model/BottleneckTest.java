package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class BottleneckTest {

    @Test
    void expandsChannelsFourTimesAndStridesOnTheThreeByThree() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bottleneck block = new Bottleneck(8, 4, 2);
            NDArray y = Nets.forward(m, block, Nets.images(m, 2, 8, 8), false);
            assertThat(y.getShape()).isEqualTo(new Shape(2, 16, 4, 4));
            // torchvision v1.5: the stride lives on conv2 (3x3), conv1 (1x1) keeps the resolution.
            assertThat(conv(block, "conv1").stride()).isEqualTo(new Shape(1, 1));
            assertThat(conv(block, "conv2").stride()).isEqualTo(new Shape(2, 2));
            assertThat(conv(block, "conv2").kernel()).isEqualTo(3);
            long expected = 8 * 4 + 2 * 4 + 4 * 4 * 9 + 2 * 4 + 4 * 16 + 2 * 16 + 8 * 16 + 2 * 16;
            assertThat(Nets.trainableParameters(block)).isEqualTo(expected);
        }
    }

    @Test
    void matchingShapesUseTheIdentityShortcut() {
        try (NDManager m = NDManager.newBaseManager()) {
            Bottleneck block = new Bottleneck(16, 4, 1);
            NDArray y = Nets.forward(m, block, Nets.images(m, 2, 16, 5), false);
            assertThat(y.getShape()).isEqualTo(new Shape(2, 16, 5, 5));
            assertThat(block.getChildren().keys()).noneMatch(k -> k.contains("shortcut"));
        }
    }

    private static ChannelsLastConv2d conv(Bottleneck block, String name) {
        return (ChannelsLastConv2d)
                block.getChildren().stream()
                        .filter(p -> p.getKey().endsWith(name))
                        .findFirst()
                        .orElseThrow()
                        .getValue();
    }
}
