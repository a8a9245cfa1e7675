package org.npid.model;

import java.util.List;

/**
 * torchvision's AlexNet ({@code torchvision.models.alexnet}, the one-GPU variant of Krizhevsky et
 * al. 2014) without its classifier: {@code features}, then a global average pool to {@code [B,
 * 256·width]}.
 *
 * <p>ImageNet stem ({@code model.stem: imagenet}, 224×224 input), exactly torchvision's {@code
 * features}: conv 11×11 stride 4 pad 2 (64), ReLU, max-pool 3×3 stride 2; conv 5×5 pad 2 (192),
 * ReLU, max-pool; conv 3×3 pad 1 (384), ReLU; conv 3×3 pad 1 (256), ReLU; conv 3×3 pad 1 (256),
 * ReLU, max-pool. Every convolution has a bias and there is no batch norm, as in torchvision. It
 * takes images of at least 63 px (224 px ends at 6×6).
 *
 * <p>CIFAR stem ({@code model.stem: cifar}, 32×32 or 28×28 input): the same, except that the first
 * convolution is 3×3 stride 1 pad 1, as the ResNets' CIFAR stem, instead of 11×11 stride 4; the
 * three max-pools then take 32 px to 15, 7 and 3 (28 px to 13, 6 and 2).
 *
 * <p>Changes from torchvision, both stems: torchvision's classifier (adaptive average pool to 6×6,
 * dropout, fc6 and fc7 of 4096 units, fc8) is replaced by a global average pool and npid's
 * embedding head. The paper's AlexNet keeps fc6 and fc7 below its 128-d embedding; they are left
 * out here because they hold 54M of AlexNet's 61M parameters, which a CPU cannot train in the time
 * npid aims at, and because pooling makes the network independent of the input size (a 6×6×256 fc6
 * input exists only at 224 px). Weights start from kaiming-normal (fan-out) with zero biases rather
 * than PyTorch's default uniform initialisation, as there is no batch norm to rescale the
 * activations. Every layer's channels are scaled by {@code model.width} and rounded to a multiple
 * of 16 ({@link NetworkShape#channels}).
 *
 * <p>The probe stages are conv1..conv5, each after its ReLU and, for conv1, conv2 and conv5, after
 * its max-pool, as the paper's Table 2 probes AlexNet's conv1..conv5.
 */
public final class AlexNetBackbone extends PlainBackbone {

    /** torchvision's channels of conv1..conv5. */
    static final int[] CHANNELS = {64, 192, 384, 256, 256};

    private static final List<String> STAGE_NAMES =
            List.of("conv1", "conv2", "conv3", "conv4", "conv5");

    /**
     * Builds the backbone described by {@code config}; its embedding fields are ignored.
     *
     * @param config the stem, width and input channels
     */
    public AlexNetBackbone(NetworkShape config) {
        super(config, layers(config.stem()), false, 3, 2);
    }

    private static List<Conv> layers(Stem stem) {
        Conv first =
                stem == Stem.IMAGENET
                        ? new Conv(CHANNELS[0], 11, 4, 2, true, true)
                        : new Conv(CHANNELS[0], 3, 1, 1, true, true);
        return List.of(
                first,
                new Conv(CHANNELS[1], 5, 1, 2, true, true),
                new Conv(CHANNELS[2], 3, 1, 1, false, true),
                new Conv(CHANNELS[3], 3, 1, 1, false, true),
                new Conv(CHANNELS[4], 3, 1, 1, true, true));
    }

    @Override
    public List<String> stageNames() {
        return STAGE_NAMES;
    }
}
