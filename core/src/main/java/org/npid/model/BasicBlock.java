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
 * The two-conv residual block of ResNet-18/34 (He et al., CVPR 2016): conv3x3-BN-ReLU-conv3x3-BN,
 * plus the input (projected by a 1x1 conv and BN when the shape changes), then ReLU.
 */
public final class BasicBlock extends AbstractBlock {

    private final int outChannels;
    private final int stride;
    private final Block conv1;
    private final Block bn1;
    private final Block conv2;
    private final Block bn2;
    private final SequentialBlock shortcut;

    /**
     * Creates the block.
     *
     * @param inChannels channels of the input
     * @param outChannels channels of the output
     * @param stride stride of the first conv (2 halves the resolution)
     */
    public BasicBlock(int inChannels, int outChannels, int stride) {
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(
                    "inChannels and outChannels must be > 0, got "
                            + inChannels
                            + ", "
                            + outChannels);
        }
        if (stride <= 0) {
            throw new IllegalArgumentException("stride must be > 0, got " + stride);
        }
        this.outChannels = outChannels;
        this.stride = stride;
        conv1 = addChildBlock("conv1", Layers.conv(outChannels, 3, stride, 1));
        bn1 = addChildBlock("bn1", Layers.batchNorm());
        conv2 = addChildBlock("conv2", Layers.conv(outChannels, 3, 1, 1));
        bn2 = addChildBlock("bn2", Layers.batchNorm());
        SequentialBlock projection = Layers.shortcut(inChannels, outChannels, stride);
        shortcut = projection == null ? null : addChildBlock("shortcut", projection);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        NDList y = conv1.forward(ps, x, training);
        y = new NDList(Activation.relu(bn1.forward(ps, y, training).singletonOrThrow()));
        y = bn2.forward(ps, conv2.forward(ps, y, training), training);
        NDArray identity =
                shortcut == null
                        ? x.singletonOrThrow()
                        : shortcut.forward(ps, x, training).singletonOrThrow();
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
        Shape[] mid = conv1.getOutputShapes(inputShapes);
        bn1.initialize(manager, dataType, mid);
        conv2.initialize(manager, dataType, mid);
        bn2.initialize(manager, dataType, conv2.getOutputShapes(mid));
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
