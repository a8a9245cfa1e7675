package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A torchvision-layout ResNet without its classifier: stem, layer1..layer4, global average pool.
 * Maps {@code [B, C, H, W]} to {@code [B, featureDim]}.
 */
public final class ResNetBackbone extends Backbone {

    private static final int LAYERS = 4;
    private static final List<String> STAGE_NAMES =
            List.of("stem", "layer1", "layer2", "layer3", "layer4");
    private static final Shape POOL_WINDOW = new Shape(3, 3);
    private static final Shape POOL_STRIDE = new Shape(2, 2);
    private static final Shape POOL_PADDING = new Shape(1, 1);

    private final NetworkShape config;
    private final Block stemConv;
    private final Block stemBn;
    private final List<SequentialBlock> layers = new ArrayList<>(LAYERS);

    /**
     * Builds the backbone described by {@code config}; its embedding fields are ignored.
     *
     * @param config the architecture, stem, width and input channels
     */
    public ResNetBackbone(NetworkShape config) {
        this.config = config;
        int stemChannels = config.stemChannels();
        stemConv =
                addChildBlock(
                        "stem_conv",
                        config.stem() == Stem.CIFAR
                                ? Layers.conv(stemChannels, 3, 1, 1)
                                : Layers.conv(stemChannels, 7, 2, 3));
        stemBn = addChildBlock("stem_bn", Layers.batchNorm());
        int in = stemChannels;
        for (int stage = 0; stage < LAYERS; stage++) {
            SequentialBlock layer = new SequentialBlock();
            int width = config.stageWidth(stage);
            for (int b = 0; b < config.arch().blocks(stage); b++) {
                // torchvision downsamples in the first block of layer2..layer4 only.
                int stride = (stage > 0 && b == 0) ? 2 : 1;
                Block block =
                        config.arch() == Arch.RESNET18
                                ? new BasicBlock(in, width, stride)
                                : new Bottleneck(in, width, stride);
                layer.add(block);
                in = config.stageChannels(stage);
            }
            layers.add(addChildBlock("layer" + (stage + 1), layer));
        }
    }

    /**
     * Returns the length of the pooled feature.
     *
     * @return the channels of layer4
     */
    @Override
    public int featureDim() {
        return config.featureDim();
    }

    @Override
    public List<String> stageNames() {
        return STAGE_NAMES;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = stem(ps, inputs, training);
        for (SequentialBlock layer : layers) {
            x = layer.forward(ps, x, training);
        }
        // Adaptive average pool to 1x1 already returns [B, C]: no separate flatten is needed.
        return new NDList(Pool.globalAvgPool2d(x.singletonOrThrow()));
    }

    /**
     * Features of every stage for linear probes: [stem, layer1, layer2, layer3, layer4] each NCHW
     * (inference).
     *
     * @param ps the parameter store
     * @param x images {@code [B, C, H, W]}
     * @param training whether BN uses batch statistics (and updates its running ones)
     * @return five NCHW feature maps
     */
    @Override
    public NDList forwardStages(ParameterStore ps, NDArray x, boolean training) {
        NDList out = new NDList(STAGES);
        NDList y = stem(ps, new NDList(x), training);
        out.add(y.singletonOrThrow());
        for (SequentialBlock layer : layers) {
            y = layer.forward(ps, y, training);
            out.add(y.singletonOrThrow());
        }
        return out;
    }

    private NDList stem(ParameterStore ps, NDList x, boolean training) {
        NDArray y = stemBn.forward(ps, stemConv.forward(ps, x, training), training).head();
        y = Activation.relu(y);
        if (config.stem() == Stem.IMAGENET) {
            y = Pool.maxPool2d(y, POOL_WINDOW, POOL_STRIDE, POOL_PADDING, false);
        }
        return new NDList(y);
    }

    private Shape[] stemOutputShapes(Shape[] inputShapes) {
        Shape s = stemConv.getOutputShapes(inputShapes)[0];
        if (config.stem() == Stem.IMAGENET) {
            s =
                    new Shape(
                            s.get(0),
                            s.get(1),
                            Layers.outSide(s.get(2), 3, 2, 1),
                            Layers.outSide(s.get(3), 3, 2, 1));
        }
        return new Shape[] {s};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        stemConv.initialize(manager, dataType, inputShapes);
        stemBn.initialize(manager, dataType, stemConv.getOutputShapes(inputShapes));
        Shape[] shapes = stemOutputShapes(inputShapes);
        for (SequentialBlock layer : layers) {
            layer.initialize(manager, dataType, shapes);
            shapes = layer.getOutputShapes(shapes);
        }
    }
}
