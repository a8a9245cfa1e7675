package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import org.npid.machine.RuntimeRecord;

/**
 * A 2-D convolution, bias-free unless asked (ResNet's convolutions have none; AlexNet's and VGG's
 * have one, as torchvision's), that hands oneDNN its weight in channels-last (NHWC) memory order.
 * PyTorch then runs the convolution, and everything after it, in channels-last, which skips the
 * NCHW ↔ blocked reorders that otherwise cost about as much as the convolution itself at these
 * small channel counts (docs/BENCHMARKS.md). DJL has no memory-format API, so the layout comes from
 * strides: the [O, kh, kw, I] copy viewed back as [O, I, kh, kw]. The copy is a few KB per forward
 * and is differentiated like any other op; the parameter stays a plain [O, I, kh, kw].
 */
final class ChannelsLastConv2d extends AbstractBlock {
    private static final byte VERSION = 1;

    /**
     * On by default: the quarter-width NPID step is 1.3× faster and the full-width one 1.1× (same
     * window, docs/BENCHMARKS.md). {@code -Dnpid.channels_last=false} is the escape hatch: one
     * early benchmark run stalled for minutes inside a convolution, cause not found; it has not
     * recurred in the benchmarks, 10-epoch training runs and million-image embedding since.
     */
    static final boolean ENABLED = RuntimeRecord.current().channelsLast();

    private final int filters;
    private final int kernel;
    private final Shape stride;
    private final Shape padding;
    private final Parameter weight;
    private final Parameter bias;

    ChannelsLastConv2d(int filters, int kernel, int stride, int padding, Initializer init) {
        this(filters, kernel, stride, padding, init, false);
    }

    /**
     * Creates the convolution.
     *
     * @param filters output channels
     * @param kernel kernel side
     * @param stride stride in both directions
     * @param padding zero padding on each side
     * @param init the weight's initialiser
     * @param withBias whether to add a per-channel bias (initialised to zero); without one the
     *     block has the single parameter {@code weight}, as before biases existed
     */
    ChannelsLastConv2d(
            int filters, int kernel, int stride, int padding, Initializer init, boolean withBias) {
        super(VERSION);
        this.filters = filters;
        this.kernel = kernel;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optInitializer(init)
                                .build());
        this.bias =
                withBias
                        ? addParameter(
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .build())
                        : null;
    }

    Shape stride() {
        return stride;
    }

    int kernel() {
        return kernel;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        weight.setShape(new Shape(filters, inputShapes[0].get(1), kernel, kernel));
        if (bias != null) {
            bias.setShape(new Shape(filters));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        if (kernel == 1 && padding.get(0) == 0) {
            return new NDList(pointwise(x, w, b));
        }
        if (ENABLED) {
            Shape s = w.getShape();
            // Ops on the parameter land in the model's long-lived manager; move the first
            // derived array into the step's, and everything derived from it follows.
            NDArray nhwc = w.transpose(0, 2, 3, 1);
            nhwc.attach(x.getManager());
            w =
                    nhwc.reshape(s.get(0), -1)
                            .reshape(s.get(0), s.get(2), s.get(3), s.get(1))
                            .transpose(0, 3, 1, 2);
        }
        return Conv2d.conv2d(x, w, b, stride, padding, new Shape(1, 1), 1);
    }

    /**
     * A 1×1 convolution as the matrix product it is: every output pixel is its input pixel's
     * channels times the [I, O] weight. oneDNN 3.7.1 (libtorch 2.7.1) crashes the JVM in its own
     * 1×1 convolution kernels on AVX-512 CPUs without AMX, such as AMD Zen 5: an integer division
     * by zero while choosing blocks for the channel pairs 256→1024, 512→1024, 512→2048, 1024→512
     * and 1024→2048 (ResNet-50's at full width, forward and backward, whatever the memory layout),
     * and a SIGSEGV in the weight gradient of strided ones over fewer than 16 input channels in
     * channels-last (docs/ARCHITECTURE.md has the replay). A product of two matrices runs the BLAS,
     * which has no such cases, so no width or architecture reaches those kernels. In channels-last
     * memory the [B·H·W, I] rows are the input itself, and the result is channels-last again.
     *
     * <p>A stride keeps every step-th pixel. That is a 1×1 average pool with the same stride, exact
     * (a division by one) and one native op each way whose output is contiguous channels-last. The
     * slice {@code x[:, :, ::s, ::s]} it replaces is four slices, each of whose backward fills a
     * zeroed copy of the whole input, and a strided view the product must first copy.
     */
    private NDArray pointwise(NDArray x, NDArray w, NDArray b) {
        NDArray in =
                stride.get(0) == 1
                        ? x
                        : Pool.avgPool2d(x, new Shape(1, 1), stride, new Shape(0, 0), false, true);
        Shape s = in.getShape();
        NDArray rows = in.transpose(0, 2, 3, 1).reshape(-1, s.get(1));
        NDArray matrix = w.reshape(filters, s.get(1));
        matrix.attach(x.getManager());
        NDArray out = rows.matMul(matrix.transpose());
        if (b != null) {
            out = out.add(b);
        }
        return out.reshape(s.get(0), s.get(2), s.get(3), filters).transpose(0, 3, 1, 2);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = (in.get(2) + 2 * padding.get(0) - kernel) / stride.get(0) + 1;
        long w = (in.get(3) + 2 * padding.get(1) - kernel) / stride.get(1) + 1;
        return new Shape[] {new Shape(in.get(0), filters, h, w)};
    }

    @Override
    public void initializeChildBlocks(
            ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        // No children: the weight is this block's own parameter.
    }
}
