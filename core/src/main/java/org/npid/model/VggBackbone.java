package org.npid.model;

import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's VGG16 with batch norm ({@code torchvision.models.vgg16_bn}, configuration D of
 * Simonyan and Zisserman 2015) without its classifier: {@code features}, then a global average pool
 * to {@code [B, 512·width]}.
 *
 * <p>{@code features}: five blocks of 2, 2, 3, 3 and 3 convolutions 3×3 stride 1 pad 1 (64, 128,
 * 256, 512 and 512 channels), each conv followed by BN and ReLU, each block ended by a 2×2 stride-2
 * max-pool. The convolutions keep torchvision's bias (redundant before BN, but kept so the
 * parameters are torchvision's), and are initialised as torchvision's VGG: kaiming-normal
 * (fan-out), zero bias; BN with gamma 1 and beta 0.
 *
 * <p>Both stems are the same layers: VGG has no stem to adapt, and torchvision's {@code features}
 * is already the common CIFAR VGG (5 max-pools take 32 px to 1×1; 224 px ends at 7×7). It takes
 * images of at least 32 px, so not 28-px MNIST-like data.
 *
 * <p>Changes from torchvision: the classifier (adaptive average pool to 7×7, fc6 and fc7 of 4096
 * units with dropout, fc8) is replaced by a global average pool and npid's embedding head. The
 * paper's VGG keeps fc6 and fc7 below its 128-d embedding; they are left out because they hold 120M
 * of VGG16's 138M parameters, far beyond what a CPU trains in the time npid aims at, and because
 * pooling makes the network independent of the input size. Every layer's channels are scaled by
 * {@code model.width} and rounded to a multiple of 16 ({@link NetworkShape#channels}).
 *
 * <p>The probe stages are block1..block5, each after its max-pool.
 */
public final class VggBackbone extends PlainBackbone {

    /** torchvision's channels of each block's convolutions. */
    private static final int[] BLOCK_CHANNELS = {64, 128, 256, 512, 512};

    /** How many convolutions each block has (configuration D). */
    private static final int[] BLOCK_CONVS = {2, 2, 3, 3, 3};

    /** Channels of the last block, the pooled feature's length at width 1. */
    static final int LAST_CHANNELS = BLOCK_CHANNELS[BLOCK_CHANNELS.length - 1];

    private static final List<String> STAGE_NAMES =
            List.of("block1", "block2", "block3", "block4", "block5");

    /**
     * Builds the backbone described by {@code config}; its embedding fields are ignored.
     *
     * @param config the width and input channels (the stem does not change VGG)
     */
    public VggBackbone(NetworkShape config) {
        super(config, layers(), true, 2, 2);
    }

    private static List<Conv> layers() {
        List<Conv> convs = new ArrayList<>();
        for (int b = 0; b < BLOCK_CHANNELS.length; b++) {
            for (int i = 0; i < BLOCK_CONVS[b]; i++) {
                boolean last = i == BLOCK_CONVS[b] - 1;
                convs.add(new Conv(BLOCK_CHANNELS[b], 3, 1, 1, last, last));
            }
        }
        return convs;
    }

    @Override
    public List<String> stageNames() {
        return STAGE_NAMES;
    }
}
