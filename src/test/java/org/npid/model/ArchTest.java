package org.npid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ArchTest {

    @Test
    void resnet18HasTwoBasicBlocksPerStage() {
        assertThat(
                        new int[] {
                            blocks(Arch.RESNET18, 0),
                            blocks(Arch.RESNET18, 1),
                            blocks(Arch.RESNET18, 2),
                            blocks(Arch.RESNET18, 3)
                        })
                .containsExactly(2, 2, 2, 2);
        assertThat(Arch.RESNET18.expansion()).isEqualTo(1);
    }

    @Test
    void resnet50HasTheThreeFourSixThreeBottleneckLayout() {
        assertThat(
                        new int[] {
                            blocks(Arch.RESNET50, 0),
                            blocks(Arch.RESNET50, 1),
                            blocks(Arch.RESNET50, 2),
                            blocks(Arch.RESNET50, 3)
                        })
                .containsExactly(3, 4, 6, 3);
        assertThat(Arch.RESNET50.expansion()).isEqualTo(4);
    }

    @Test
    void rejectsAStageOutsideTheFour() {
        assertThatThrownBy(() -> Arch.RESNET18.blocks(4)).hasMessageContaining("stage");
    }

    private static int blocks(Arch arch, int stage) {
        return arch.blocks(stage);
    }
}
