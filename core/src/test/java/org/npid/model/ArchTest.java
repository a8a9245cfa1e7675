package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ArchTest {

    @Test
    void resnet18HasTwoBasicBlocksPerStage() {
        assertThat(blocksPerStage(Arch.RESNET18)).containsExactly(2, 2, 2, 2);
        assertThat(Arch.RESNET18.expansion()).isEqualTo(1);
    }

    @Test
    void resnet50HasTheThreeFourSixThreeBottleneckLayout() {
        assertThat(blocksPerStage(Arch.RESNET50)).containsExactly(3, 4, 6, 3);
        assertThat(Arch.RESNET50.expansion()).isEqualTo(4);
    }

    @Test
    void rejectsAStageOutsideTheFour() {
        assertThatThrownBy(() -> Arch.RESNET18.blocks(4)).hasMessageContaining("stage");
    }

    @Test
    void onlyTheResNetsHaveResidualBlocks() {
        assertThat(Arch.RESNET18.residual()).isTrue();
        assertThat(Arch.RESNET50.residual()).isTrue();
        assertThat(Arch.ALEXNET.residual()).isFalse();
        assertThat(Arch.VGG16_BN.residual()).isFalse();
        assertThatThrownBy(() -> Arch.VGG16_BN.blocks(0)).hasMessageContaining("no residual");
    }

    private static int[] blocksPerStage(Arch arch) {
        return IntStream.range(0, 4).map(arch::blocks).toArray();
    }
}
