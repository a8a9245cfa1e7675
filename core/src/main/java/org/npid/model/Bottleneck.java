package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The bottleneck residual block of ResNet-50: conv1x1-BN-ReLU, conv3x3-BN-ReLU, conv1x1-BN with
 * {@link #EXPANSION}x output channels, plus the (projected) input, then ReLU. The stride sits on
 * the 3x3 conv as in torchvision's v1.5, which is slightly more accurate than v1's strided 1x1.
 */
public final class Bottleneck extends AbstractBlock {

    /** Output channels per inner channel. */
    public static final int EXPANSION = 4;

    private final int outChannels;
    private final int stride;
    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block bn2;
    private final Block conv3;
    private final Block bn3;
    private final SequentialBlock shortcut;

    /**
     * Creates the block.
     *
     * @param inChannels channels of the input
     * @param width channels of the inner 3x3 conv; the output has {@code EXPANSION * width}
     * @param stride stride of the 3x3 conv (2 halves the resolution)
     */
    public Bottleneck(int inChannels, int width, int stride) {
        if (inChannels <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "inChannels and width must be > 0, got " + inChannels + ", " + width);
        }
        if (stride <= 0) {
            throw new IllegalArgumentException("stride must be > 0, got " + stride);
        }
        this.outChannels = width * EXPANSION;
        this.stride = stride;
        conv1 = addChildBlock("conv1", Layers.conv(width, 1, 1, 0));
        bn1 = addChildBlock("bn1", Layers.batchNorm());
        conv2 = addChildBlock("conv2", Layers.conv(width, 3, stride, 1));
        bn2 = addChildBlock("bn2", Layers.batchNorm());
        conv3 = addChildBlock("conv3", Layers.conv(outChannels, 1, 1, 0));
        bn3 = addChildBlock("bn3", Layers.batchNorm());
        SequentialBlock projection = Layers.shortcut(inChannels, outChannels, stride);
        shortcut = projection == null ? null : addChildBlock("shortcut", projection);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList y = conv1.forward(ps, inputs, training);
        y = new NDList(Activation.relu(bn1.forward(ps, y, training).singletonOrThrow()));
        y = conv2.forward(ps, y, training);
        y = new NDList(Activation.relu(bn2.forward(ps, y, training).singletonOrThrow()));
        y = bn3.forward(ps, conv3.forward(ps, y, training), training);
        NDArray identity =
                shortcut == null
                        ? inputs.singletonOrThrow()
                        : shortcut.forward(ps, inputs, training).singletonOrThrow();
        return new NDList(Activation.relu(y.singletonOrThrow().add(identity)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {
            new Shape(
                    in.get(0),
                    outChannels,
                    Layers.outSide(in.get(2), 3, stride, 1),
                    Layers.outSide(in.get(3), 3, stride, 1))
        };
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        conv1.initialize(manager, dataType, inputShapes);
        Shape[] s1 = conv1.getOutputShapes(inputShapes);
        bn1.initialize(manager, dataType, s1);
        conv2.initialize(manager, dataType, s1);
        Shape[] s2 = conv2.getOutputShapes(s1);
        bn2.initialize(manager, dataType, s2);
        conv3.initialize(manager, dataType, s2);
        bn3.initialize(manager, dataType, conv3.getOutputShapes(s2));
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
