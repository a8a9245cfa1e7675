package org.npid.export;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.npid.eval.OnnxModel;
import org.npid.model.Arch;
import org.npid.model.Backbone;
import org.npid.model.EmbeddingHead;
import org.npid.model.Head;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.PlainBackbone;
import org.npid.model.Stem;

/**
 * Translates an {@link NpidNet} into ONNX operators, layer for layer, with the same padding,
 * strides and pooling as npid's forward pass:
 *
 * <ul>
 *   <li>input normalisation folded in: {@code Sub(mean)}, {@code Div(std)} per channel on pixels in
 *       [0, 1] (npid's {@code (p / 255 - mean) / std});
 *   <li>ResNet: stem conv (3×3 stride 1 pad 1, or 7×7 stride 2 pad 3 and a 3×3 stride-2 pad-1
 *       max-pool), basic or bottleneck blocks with the stride on the first block of layer2..layer4
 *       (on the 3×3 convolution), projection shortcuts as a strided 1×1 {@code Conv}: npid computes
 *       those as a 1×1 average pool with the stride and a matrix product, which keeps the same
 *       pixels and is the same function;
 *   <li>AlexNet and VGG16_bn: the backbone's own list of convolutions ({@link
 *       PlainBackbone#convs}), each with its bias, VGG's batch norm, ReLU and, where the list says,
 *       a max-pool without padding that rounds down;
 *   <li>{@code GlobalAveragePool} and {@code Flatten}: the pooled features, output {@value
 *       #FEATURES};
 *   <li>the head as {@code Gemm} (the MLP's hidden layer without its C input, then {@code
 *       BatchNormalization} on [N, C] and {@code Relu});
 *   <li>the L2 normalisation of {@link EmbeddingHead}: {@code ReduceL2} over axis 1, {@code Max}
 *       with {@link EmbeddingHead#NORM_EPSILON}, {@code Div}: output {@value #EMBEDDING}.
 * </ul>
 *
 * Batch norms stay {@code BatchNormalization} nodes with the running statistics and {@link
 * Backbone#BATCH_NORM_EPSILON}, not folded into the convolutions: the file holds the trained
 * parameters as they are, under torchvision's names ({@link TorchvisionNames}), and ONNX Runtime
 * folds them itself when it optimises the graph.
 */
public final class OnnxNetwork {

    /** The input: {@code [batch, C, S, S]} pixels in [0, 1]. */
    public static final String INPUT = OnnxModel.INPUT;

    /** The L2-normalised embedding, {@code [batch, d]}: what {@code npid embed} writes. */
    public static final String EMBEDDING = OnnxModel.EMBEDDING;

    /** The backbone's globally average-pooled features, {@code [batch, F]}, not normalised. */
    public static final String FEATURES = OnnxModel.FEATURES;

    /** The name of the free batch dimension. */
    public static final String BATCH = "batch";

    private final OnnxGraph graph = new OnnxGraph();
    private final Map<String, SafeTensors.Tensor> weights = new TreeMap<>();
    private final TreeSet<String> unused = new TreeSet<>();

    private OnnxNetwork(NpidNet net) {
        TorchvisionExport.stateDict(net)
                .forEach(
                        (name, t) -> {
                            if (t.dtype() == SafeTensors.DType.F32) {
                                weights.put(name, t);
                                unused.add(name);
                            }
                        });
    }

    /**
     * Builds the graph of {@code net} for square inputs of {@code imageSize} pixels.
     *
     * @param net an initialised network in inference mode (its batch norms' running statistics)
     * @param imageSize the side of the input images
     * @param mean the input normalisation's per-channel mean
     * @param std the input normalisation's per-channel standard deviation
     * @return the graph, with input {@value #INPUT} and outputs {@value #EMBEDDING} and {@value
     *     #FEATURES}
     */
    static OnnxGraph build(NpidNet net, int imageSize, float[] mean, float[] std) {
        return new OnnxNetwork(net).translate(net, imageSize, mean, std);
    }

    private OnnxGraph translate(NpidNet net, int imageSize, float[] mean, float[] std) {
        NetworkShape shape = net.config();
        int c = shape.inChannels();
        if (mean.length != c || std.length != c) {
            throw new IllegalArgumentException(
                    "the normalisation has "
                            + mean.length
                            + " channels but the network takes "
                            + c);
        }
        long side = imageSize;
        graph.input(
                INPUT,
                "pixels / 255 in [0, 1], NCHW float32, "
                        + (c == 3 ? "RGB" : "grayscale")
                        + ", resized (shorter side) and centre-cropped to "
                        + imageSize
                        + "x"
                        + imageSize
                        + "; the normalisation is applied inside the model",
                BATCH,
                (long) c,
                side,
                side);
        List<Long> perChannel = List.of(1L, (long) c, 1L, 1L);
        String x =
                graph.node(
                        "Sub",
                        "input_centred",
                        List.of(INPUT, graph.initializer("input_mean", perChannel, mean)));
        x =
                graph.node(
                        "Div",
                        "input_normalised",
                        List.of(x, graph.initializer("input_std", perChannel, std)));
        x = shape.arch().residual() ? resnet(shape, x) : plain(net, x);
        String pooled = graph.node("GlobalAveragePool", "pooled", List.of(x));
        String features =
                graph.node(
                        "Flatten", FEATURES, List.of(pooled), OnnxGraph.Attribute.of("axis", 1L));
        String projected = head(shape, features);
        String norm =
                graph.node(
                        "ReduceL2",
                        "embedding_norm",
                        List.of(projected),
                        OnnxGraph.Attribute.ints("axes", 1),
                        OnnxGraph.Attribute.of("keepdims", 1L));
        String clipped =
                graph.node(
                        "Max",
                        "embedding_norm_clipped",
                        List.of(
                                norm,
                                graph.initializer(
                                        "norm_epsilon", List.of(), EmbeddingHead.NORM_EPSILON)));
        graph.node("Div", EMBEDDING, List.of(projected, clipped));
        graph.output(
                EMBEDDING,
                "npid's embedding: the head's output divided by its L2 norm (at least "
                        + EmbeddingHead.NORM_EPSILON
                        + ")",
                BATCH,
                (long) shape.embeddingDim());
        graph.output(
                FEATURES,
                "the backbone's last stage, globally average-pooled (the head's input), not"
                        + " normalised",
                BATCH,
                (long) shape.featureDim());
        if (!unused.isEmpty()) {
            throw new IllegalStateException(
                    "the ONNX graph leaves out the parameters " + unused + " of " + shape);
        }
        return graph;
    }

    private String resnet(NetworkShape shape, String input) {
        boolean cifar = shape.stem() == Stem.CIFAR;
        String x = conv(input, "conv1", cifar ? 1 : 2, cifar ? 1 : 3, false);
        x = relu(batchNorm(x, "bn1"));
        if (!cifar) {
            x = maxPool(x, "maxpool", 3, 2, 1);
        }
        for (int stage = 0; stage < 4; stage++) {
            for (int b = 0; b < shape.arch().blocks(stage); b++) {
                String p = "layer" + (stage + 1) + "." + b + ".";
                // torchvision downsamples in the first block of layer2..layer4 only.
                int stride = (stage > 0 && b == 0) ? 2 : 1;
                String y;
                if (shape.arch() == Arch.RESNET18) {
                    y = relu(batchNorm(conv(x, p + "conv1", stride, 1, false), p + "bn1"));
                    y = batchNorm(conv(y, p + "conv2", 1, 1, false), p + "bn2");
                } else {
                    y = relu(batchNorm(conv(x, p + "conv1", 1, 0, false), p + "bn1"));
                    y = relu(batchNorm(conv(y, p + "conv2", stride, 1, false), p + "bn2"));
                    y = batchNorm(conv(y, p + "conv3", 1, 0, false), p + "bn3");
                }
                String identity =
                        weights.containsKey(p + "downsample.0.weight")
                                ? batchNorm(
                                        conv(x, p + "downsample.0", stride, 0, false),
                                        p + "downsample.1")
                                : x;
                x = relu(graph.node("Add", p + "add", List.of(y, identity)));
            }
        }
        return x;
    }

    private String plain(NpidNet net, String input) {
        PlainBackbone backbone = (PlainBackbone) net.backbone();
        Arch arch = net.config().arch();
        String x = input;
        List<PlainBackbone.Conv> convs = backbone.convs();
        for (int i = 0; i < convs.size(); i++) {
            PlainBackbone.Conv c = convs.get(i);
            int index = TorchvisionNames.featuresIndex(arch, i);
            x = conv(x, "features." + index, c.stride(), c.padding(), true);
            if (backbone.batchNorm()) {
                x = batchNorm(x, "features." + (index + 1));
            }
            x = relu(x);
            if (c.pool()) {
                x =
                        maxPool(
                                x,
                                "features." + index + ".pool",
                                backbone.poolWindow(),
                                backbone.poolStride(),
                                0);
            }
        }
        return x;
    }

    private String head(NetworkShape shape, String features) {
        String fc = TorchvisionNames.headModule(shape.arch());
        OnnxGraph.Attribute transB = OnnxGraph.Attribute.of("transB", 1L);
        if (shape.head() == Head.LINEAR) {
            return graph.node(
                    "Gemm",
                    fc,
                    List.of(features, weight(fc + ".weight"), weight(fc + ".bias")),
                    transB);
        }
        String h =
                graph.node("Gemm", fc + ".0", List.of(features, weight(fc + ".0.weight")), transB);
        h = relu(batchNorm(h, fc + ".1"));
        return graph.node(
                "Gemm",
                fc + ".3",
                List.of(h, weight(fc + ".3.weight"), weight(fc + ".3.bias")),
                transB);
    }

    /** A square convolution whose kernel side comes from its weight. */
    private String conv(String x, String module, int stride, int padding, boolean bias) {
        String w = weight(module + ".weight");
        long kernel = weights.get(module + ".weight").shape().get(3);
        List<String> in = bias ? List.of(x, w, weight(module + ".bias")) : List.of(x, w);
        return graph.node(
                "Conv",
                module,
                in,
                OnnxGraph.Attribute.ints("kernel_shape", kernel, kernel),
                OnnxGraph.Attribute.ints("strides", stride, stride),
                OnnxGraph.Attribute.ints("pads", padding, padding, padding, padding),
                OnnxGraph.Attribute.ints("dilations", 1, 1),
                OnnxGraph.Attribute.of("group", 1L));
    }

    private String batchNorm(String x, String module) {
        return graph.node(
                "BatchNormalization",
                module,
                List.of(
                        x,
                        weight(module + ".weight"),
                        weight(module + ".bias"),
                        weight(module + ".running_mean"),
                        weight(module + ".running_var")),
                OnnxGraph.Attribute.of("epsilon", Backbone.BATCH_NORM_EPSILON));
    }

    private String relu(String x) {
        return graph.node("Relu", x + ".relu", List.of(x));
    }

    private String maxPool(String x, String name, int window, int stride, int padding) {
        return graph.node(
                "MaxPool",
                name,
                List.of(x),
                OnnxGraph.Attribute.ints("kernel_shape", window, window),
                OnnxGraph.Attribute.ints("strides", stride, stride),
                OnnxGraph.Attribute.ints("pads", padding, padding, padding, padding),
                OnnxGraph.Attribute.of("ceil_mode", 0L));
    }

    /** Adds the parameter as an initializer on its first use and returns its name. */
    private String weight(String name) {
        SafeTensors.Tensor t = weights.get(name);
        if (t == null) {
            throw new IllegalStateException("the network has no parameter " + name);
        }
        if (unused.remove(name)) {
            graph.initializer(name, t.shape(), t.data());
        }
        return name;
    }
}
