package org.npid.model;

/**
 * Backbone depth. The NPID paper reports ResNet-18 and ResNet-50 (Wu et al., CVPR 2018, Sec. 4);
 * both follow torchvision's ResNet v1.5 layout.
 */
public enum Arch {
    /** Four stages of [2, 2, 2, 2] {@link BasicBlock}s. */
    RESNET18,
    /** Four stages of [3, 4, 6, 3] {@link Bottleneck}s, output widened by {@link #expansion()}. */
    RESNET50;

    /**
     * Returns how many residual blocks stage {@code stage} (0-based) holds.
     *
     * @param stage index 0..3
     * @return the number of residual blocks in that stage
     */
    public int blocks(int stage) {
        if (stage < 0 || stage > 3) {
            throw new IllegalArgumentException("stage must be in 0..3, got " + stage);
        }
        return switch (this) {
            case RESNET18 -> 2;
            case RESNET50 -> stage == 0 || stage == 3 ? 3 : (stage == 1 ? 4 : 6);
        };
    }

    /**
     * Returns the ratio of a block's output channels to its stage width.
     *
     * @return 1 for basic blocks, 4 for bottlenecks
     */
    public int expansion() {
        return switch (this) {
            case RESNET18 -> 1;
            case RESNET50 -> Bottleneck.EXPANSION;
        };
    }
}
