package org.npid.model;

/**
 * Backbone architecture. The NPID paper reports AlexNet, VGG16 (with batch norm), ResNet-18 and
 * ResNet-50 (Wu et al., CVPR 2018, Sec. 4); the ResNets follow torchvision's v1.5 layout, AlexNet
 * and VGG16_bn torchvision's {@code features} (see {@link AlexNetBackbone}, {@link VggBackbone}).
 */
public enum Arch {
    /** Four stages of [2, 2, 2, 2] {@link BasicBlock}s. */
    RESNET18,
    /** Four stages of [3, 4, 6, 3] {@link Bottleneck}s, output widened by {@link #expansion()}. */
    RESNET50,
    /** torchvision's AlexNet features: five convolutions 64-192-384-256-256, three max-pools. */
    ALEXNET,
    /** torchvision's VGG16_bn features: 13 3x3 convolutions with BN in five pooled blocks. */
    VGG16_BN;

    /**
     * Returns whether this is a residual network (stem and four stages of residual blocks).
     *
     * @return true for ResNet-18 and ResNet-50
     */
    public boolean residual() {
        return this == RESNET18 || this == RESNET50;
    }

    /**
     * Returns how many residual blocks stage {@code stage} (0-based) holds.
     *
     * @param stage index 0..3
     * @return the number of residual blocks in that stage
     * @throws IllegalStateException for AlexNet and VGG, which have no residual blocks
     */
    public int blocks(int stage) {
        if (stage < 0 || stage > 3) {
            throw new IllegalArgumentException("stage must be in 0..3, got " + stage);
        }
        return switch (this) {
            case RESNET18 -> 2;
            case RESNET50 -> stage == 0 || stage == 3 ? 3 : (stage == 1 ? 4 : 6);
            case ALEXNET, VGG16_BN ->
                    throw new IllegalStateException(this + " has no residual blocks");
        };
    }

    /**
     * Returns the ratio of a block's output channels to its stage width.
     *
     * @return 1 for basic blocks (and the plain AlexNet and VGG convolutions), 4 for bottlenecks
     */
    public int expansion() {
        return switch (this) {
            case RESNET18, ALEXNET, VGG16_BN -> 1;
            case RESNET50 -> Bottleneck.EXPANSION;
        };
    }
}
