package org.npid.model;

/** The first layers of the backbone, before the residual stages. */
public enum Stem {
    /**
     * 3x3 conv stride 1, BN, ReLU and no max-pool: the usual CIFAR adaptation, which keeps the
     * 32x32 (or 28x28) resolution for layer1 instead of shrinking it 4x as the ImageNet stem does.
     */
    CIFAR,
    /** 7x7 conv stride 2 pad 3, BN, ReLU, 3x3 max-pool stride 2 pad 1, as torchvision. */
    IMAGENET
}
