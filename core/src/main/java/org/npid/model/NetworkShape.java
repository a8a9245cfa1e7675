package org.npid.model;

import java.util.Objects;

/**
 * Shape of an {@link NpidNet}.
 *
 * <p>Made from the YAML {@code model:} section ({@code config.NetworkConfig.forChannels}).
 *
 * @param arch backbone depth
 * @param stem first layers, chosen by input resolution
 * @param width multiplier of the torchvision channel counts (ResNet stage widths 64-128-256-512,
 *     AlexNet's 64-192-384-256-256, VGG16's 64-128-256-512-512)
 * @param embeddingDim size of the unit-norm embedding (128 in the paper)
 * @param inChannels 1 for grey-scale or 3 for RGB input
 * @param head the layers from the pooled features to the embedding
 */
public record NetworkShape(
        Arch arch, Stem stem, double width, int embeddingDim, int inChannels, Head head) {

    private static final int BASE_WIDTH = 64;

    /** Every convolution's channel count is a multiple of this; see {@link #stageWidth}. */
    public static final int CHANNEL_MULTIPLE = 16;

    /** Validates every field; messages name the offending field. */
    public NetworkShape {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(head, "head");
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException("width must be a finite number > 0, got " + width);
        }
        if (Math.round(BASE_WIDTH * width) < 1) {
            throw new IllegalArgumentException(
                    "width " + width + " rounds the 64 stem channels to 0; use width >= 1/128");
        }
        if (Math.round(BASE_WIDTH * 8 * width) > Integer.MAX_VALUE / Bottleneck.EXPANSION) {
            throw new IllegalArgumentException("width " + width + " is too large");
        }
        if (embeddingDim <= 0) {
            throw new IllegalArgumentException("embeddingDim must be > 0, got " + embeddingDim);
        }
        if (inChannels != 1 && inChannels != 3) {
            throw new IllegalArgumentException("inChannels must be 1 or 3, got " + inChannels);
        }
    }

    /** The paper's network: a linear head. */
    public NetworkShape(Arch arch, Stem stem, double width, int embeddingDim, int inChannels) {
        this(arch, stem, width, embeddingDim, inChannels, Head.LINEAR);
    }

    /**
     * Returns the number of channels of the stem output.
     *
     * @return round(64 * width)
     */
    public int stemChannels() {
        return stageWidth(0);
    }

    /**
     * Returns the inner width of a stage: 64 · 2^stage · width, rounded to the nearest multiple of
     * {@value #CHANNEL_MULTIPLE} (at least {@value #CHANNEL_MULTIPLE}).
     *
     * <p>Why the rounding: multiples of 16 fill an AVX-512 register of fp32 exactly, so no CPU
     * needs a tail loop. It was also the first guard against oneDNN's AVX-512 1×1 kernels, which
     * crashed the JVM on AMD Zen 5 with 8-channel layers (width 0.125); 1×1 layers now avoid those
     * kernels altogether ({@link ChannelsLastConv2d}), and widths 0.25 and up are unchanged by it.
     * Multiples of 16 keep the 0.125-width networks trained so far loadable.
     *
     * @param stage index 0..3
     * @return the width of the 3x3 convolutions in that stage
     */
    public int stageWidth(int stage) {
        if (stage < 0 || stage > 3) {
            throw new IllegalArgumentException("stage must be in 0..3, got " + stage);
        }
        return channels(BASE_WIDTH << stage);
    }

    /**
     * Returns a torchvision channel count scaled by the width: {@code base · width}, rounded to the
     * nearest multiple of {@value #CHANNEL_MULTIPLE} (at least {@value #CHANNEL_MULTIPLE}), for the
     * reason given at {@link #stageWidth}. Every layer of every architecture is sized by this.
     *
     * @param base the layer's channels in torchvision's full-width network
     * @return the layer's channels in this network
     */
    public int channels(int base) {
        long raw = Math.round(base * width);
        long rounded = Math.round((double) raw / CHANNEL_MULTIPLE) * CHANNEL_MULTIPLE;
        return Math.toIntExact(Math.max(CHANNEL_MULTIPLE, rounded));
    }

    /**
     * Returns the number of channels a stage outputs.
     *
     * @param stage index 0..3
     * @return {@link #stageWidth} times the block expansion
     */
    public int stageChannels(int stage) {
        return stageWidth(stage) * arch.expansion();
    }

    /**
     * Returns the length of the pooled backbone feature.
     *
     * @return the channels of the last stage (ResNet's layer4, AlexNet's conv5, VGG's block5)
     */
    public int featureDim() {
        return switch (arch) {
            case RESNET18, RESNET50 -> stageChannels(3);
            case ALEXNET -> channels(AlexNetBackbone.CHANNELS[AlexNetBackbone.CHANNELS.length - 1]);
            case VGG16_BN -> channels(VggBackbone.LAST_CHANNELS);
        };
    }
}
