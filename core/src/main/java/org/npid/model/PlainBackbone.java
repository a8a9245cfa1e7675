package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain (non-residual) convolutional backbone such as AlexNet or VGG: a chain of conv, optional
 * BN, ReLU and optional max-pool, grouped into {@value Backbone#STAGES} stages. The convolutions
 * are child blocks {@code conv1..convN} and the batch norms {@code bn1..bnN}, numbered in order, so
 * a parameter's name says which torchvision layer it is ({@code org.npid.export}).
 */
public abstract class PlainBackbone extends Backbone {

    /**
     * One convolution and what follows it.
     *
     * @param channels output channels in torchvision's full-width network
     * @param kernel kernel side
     * @param stride stride
     * @param padding zero padding on each side
     * @param pool whether a max-pool follows the ReLU
     * @param endsStage whether the (pooled) output is a stage output for the probes
     */
    public record Conv(
            int channels, int kernel, int stride, int padding, boolean pool, boolean endsStage) {}

    private final NetworkShape config;
    private final List<Conv> convs;
    private final boolean batchNorm;
    private final Shape poolWindow;
    private final Shape poolStride;
    private final List<ChannelsLastConv2d> convBlocks = new ArrayList<>();
    private final List<BatchNorm> bnBlocks = new ArrayList<>();

    /**
     * Builds the layers.
     *
     * @param config the width and input channels
     * @param convs the convolutions in order; exactly {@value Backbone#STAGES} end a stage, the
     *     last among them
     * @param batchNorm whether every convolution is followed by BN
     * @param poolWindow the max-pools' window side
     * @param poolStride the max-pools' stride
     */
    PlainBackbone(
            NetworkShape config,
            List<Conv> convs,
            boolean batchNorm,
            int poolWindow,
            int poolStride) {
        this.config = config;
        this.convs = List.copyOf(convs);
        this.batchNorm = batchNorm;
        this.poolWindow = new Shape(poolWindow, poolWindow);
        this.poolStride = new Shape(poolStride, poolStride);
        if (convs.stream().filter(Conv::endsStage).count() != STAGES
                || !convs.get(convs.size() - 1).endsStage()) {
            throw new IllegalArgumentException(
                    "a plain backbone needs " + STAGES + " stages, the last conv ending one");
        }
        for (int i = 0; i < convs.size(); i++) {
            Conv c = convs.get(i);
            convBlocks.add(
                    addChildBlock(
                            "conv" + (i + 1),
                            Layers.biasedConv(
                                    config.channels(c.channels()),
                                    c.kernel(),
                                    c.stride(),
                                    c.padding())));
            if (batchNorm) {
                bnBlocks.add(addChildBlock("bn" + (i + 1), Layers.batchNorm()));
            }
        }
    }

    /**
     * Returns the convolutions in order, at torchvision's full width (the channels of this network
     * are {@link #convChannels}).
     *
     * @return what each convolution is and what follows it
     */
    public List<Conv> convs() {
        return convs;
    }

    /**
     * Returns whether every convolution is followed by batch norm (VGG16_bn) or not (AlexNet).
     *
     * @return whether the network has batch norms {@code bn1..bnN}
     */
    public boolean batchNorm() {
        return batchNorm;
    }

    /**
     * Returns the max-pools' window side; they have no padding and round down.
     *
     * @return the window side
     */
    public int poolWindow() {
        return (int) poolWindow.get(0);
    }

    /**
     * Returns the max-pools' stride.
     *
     * @return the stride in both directions
     */
    public int poolStride() {
        return (int) poolStride.get(0);
    }

    @Override
    public int featureDim() {
        return config.channels(convs.get(convs.size() - 1).channels());
    }

    @Override
    public int[] convChannels() {
        return convs.stream().mapToInt(c -> config.channels(c.channels())).toArray();
    }

    @Override
    public NDList forwardStages(ParameterStore ps, NDArray x, boolean training) {
        NDList out = new NDList(STAGES);
        NDList y = new NDList(x);
        for (int i = 0; i < convs.size(); i++) {
            y = convBlocks.get(i).forward(ps, y, training);
            if (batchNorm) {
                y = bnBlocks.get(i).forward(ps, y, training);
            }
            NDArray a = Activation.relu(y.singletonOrThrow());
            if (convs.get(i).pool()) {
                a = Pool.maxPool2d(a, poolWindow, poolStride, new Shape(0, 0), false);
            }
            y = new NDList(a);
            if (convs.get(i).endsStage()) {
                out.add(a);
            }
        }
        return out;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        long side = Math.min(in.get(2), in.get(3));
        if (lastSide(side) < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "model.arch %s with model.stem %s needs images of at least %d px, but"
                                    + " these are %dx%d: its convolutions and max-pools shrink"
                                    + " them to nothing; use larger images, another model.stem"
                                    + " or a ResNet (model.arch resnet18)",
                            config.arch().name().toLowerCase(Locale.ROOT),
                            config.stem().name().toLowerCase(Locale.ROOT),
                            minimumSide(),
                            in.get(2),
                            in.get(3)));
        }
        Shape[] shapes = inputShapes;
        for (int i = 0; i < convs.size(); i++) {
            convBlocks.get(i).initialize(manager, dataType, shapes);
            shapes = convBlocks.get(i).getOutputShapes(shapes);
            if (batchNorm) {
                bnBlocks.get(i).initialize(manager, dataType, shapes);
            }
            if (convs.get(i).pool()) {
                Shape s = shapes[0];
                shapes =
                        new Shape[] {
                            new Shape(s.get(0), s.get(1), pooled(s.get(2)), pooled(s.get(3)))
                        };
            }
        }
    }

    /**
     * Returns the side of the last stage's output for a square input.
     *
     * @param side the input side
     * @return the output side; below 1 when the input is too small
     */
    long lastSide(long side) {
        long s = side;
        for (Conv c : convs) {
            s = side(s, c.kernel(), c.stride(), c.padding());
            if (c.pool()) {
                s = pooled(s);
            }
            if (s < 1) {
                return s;
            }
        }
        return s;
    }

    /**
     * Returns the smallest square input this backbone takes.
     *
     * @return the smallest side whose last stage output is at least 1x1
     */
    int minimumSide() {
        int side = 1;
        while (lastSide(side) < 1) {
            side++;
        }
        return side;
    }

    private long pooled(long side) {
        return side(side, (int) poolWindow.get(0), (int) poolStride.get(0), 0);
    }

    /** {@link Layers#outSide}, or 0 where the window does not fit (no truncation towards 0). */
    private static long side(long in, int kernel, int stride, int padding) {
        return in + 2L * padding < kernel ? 0 : Layers.outSide(in, kernel, stride, padding);
    }
}
