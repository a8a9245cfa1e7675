package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * A feature extractor without its classifier: five stages, then a global average pool. Maps {@code
 * [B, C, H, W]} to {@code [B, featureDim]}. The stages are what the linear probes read (the paper's
 * Table 2): ResNet's stem and layer1..layer4, AlexNet's conv1..conv5, VGG's block1..block5.
 */
public abstract class Backbone extends AbstractBlock {

    /** Number of stages {@link #forwardStages} returns. */
    public static final int STAGES = 5;

    /**
     * The epsilon of every batch norm npid builds (backbones and the MLP head), PyTorch's default.
     */
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    /**
     * Builds the backbone of {@code config}'s architecture; its embedding fields are ignored.
     *
     * @param config the architecture, stem, width and input channels
     * @return an uninitialised backbone
     */
    public static Backbone create(NetworkShape config) {
        return switch (config.arch()) {
            case RESNET18, RESNET50 -> new ResNetBackbone(config);
            case ALEXNET -> new AlexNetBackbone(config);
            case VGG16_BN -> new VggBackbone(config);
        };
    }

    /**
     * Returns the length of the pooled feature.
     *
     * @return the channels of the last stage
     */
    public abstract int featureDim();

    /**
     * Returns the output channels of every convolution of a plain backbone, in order.
     *
     * @return AlexNet's 5 or VGG's 13 channel counts; empty for a ResNet, whose widths are {@link
     *     NetworkShape#stageWidth}
     */
    public int[] convChannels() {
        return new int[0];
    }

    /**
     * Returns the names of the stages, in the order {@link #forwardStages} returns them.
     *
     * @return {@value #STAGES} names, e.g. {@code conv1}..{@code conv5}
     */
    public abstract List<String> stageNames();

    /**
     * Features of every stage for linear probes, each NCHW.
     *
     * @param ps the parameter store
     * @param x images {@code [B, C, H, W]}
     * @param training whether BN uses batch statistics (and updates its running ones)
     * @return {@value #STAGES} NCHW feature maps, named by {@link #stageNames}
     */
    public abstract NDList forwardStages(ParameterStore ps, NDArray x, boolean training);

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList stages = forwardStages(ps, inputs.singletonOrThrow(), training);
        // Adaptive average pool to 1x1 already returns [B, C]: no separate flatten is needed.
        return new NDList(Pool.globalAvgPool2d(stages.get(stages.size() - 1)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), featureDim())};
    }
}
