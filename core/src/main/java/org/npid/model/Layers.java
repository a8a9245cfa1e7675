package org.npid.model;

import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.XavierInitializer;

/** Factories for the layers of torchvision-style backbones with PyTorch's defaults. */
final class Layers {

    /**
     * kaiming_normal_(mode="fan_out", nonlinearity="relu"), which torchvision's ResNet applies to
     * every conv: N(0, 2 / (out * k * k)).
     */
    private static final XavierInitializer KAIMING_FAN_OUT =
            new XavierInitializer(
                    XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2);

    /**
     * DJL's BatchNorm momentum is the weight of the running value (the PyTorch engine passes 1 -
     * momentum to torch), so PyTorch's default momentum 0.1 is 0.9 here.
     */
    private static final float BN_MOMENTUM = 0.9f;

    private static final float BN_EPSILON = Backbone.BATCH_NORM_EPSILON;

    private Layers() {}

    /**
     * A bias-free square convolution; the following BN makes a bias redundant.
     *
     * @param filters output channels
     * @param kernel kernel side
     * @param stride stride in both directions
     * @param padding zero padding on each side
     * @return the convolution block
     */
    static ChannelsLastConv2d conv(int filters, int kernel, int stride, int padding) {
        return new ChannelsLastConv2d(filters, kernel, stride, padding, KAIMING_FAN_OUT);
    }

    /**
     * A square convolution with a bias, as torchvision's AlexNet and VGG have (VGG keeps it even
     * before BN). The weight is initialised as {@link #conv}'s, which is what torchvision's VGG
     * does; the bias starts at zero.
     *
     * @param filters output channels
     * @param kernel kernel side
     * @param stride stride in both directions
     * @param padding zero padding on each side
     * @return the convolution block
     */
    static ChannelsLastConv2d biasedConv(int filters, int kernel, int stride, int padding) {
        return new ChannelsLastConv2d(filters, kernel, stride, padding, KAIMING_FAN_OUT, true);
    }

    /**
     * Batch normalisation over the channel axis with PyTorch's defaults (gamma 1, beta 0).
     *
     * @return the block
     */
    static BatchNorm batchNorm() {
        return BatchNorm.builder().optMomentum(BN_MOMENTUM).optEpsilon(BN_EPSILON).build();
    }

    /**
     * The projection shortcut of torchvision's v1.5 ResNet: a strided 1x1 conv and BN, used where a
     * residual block changes the channel count or the resolution.
     *
     * @param inChannels channels entering the block
     * @param outChannels channels leaving the block
     * @param stride the block's stride
     * @return the projection, or {@code null} when the identity already has the right shape
     */
    static SequentialBlock shortcut(int inChannels, int outChannels, int stride) {
        if (inChannels == outChannels && stride == 1) {
            return null;
        }
        return new SequentialBlock().add(conv(outChannels, 1, stride, 0)).add(batchNorm());
    }

    /**
     * Output side of a square conv or pool window.
     *
     * @param in input side
     * @param kernel window side
     * @param stride stride
     * @param padding padding on each side
     * @return floor((in + 2 * padding - kernel) / stride) + 1
     */
    static long outSide(long in, int kernel, int stride, int padding) {
        return (in + 2L * padding - kernel) / stride + 1;
    }
}
