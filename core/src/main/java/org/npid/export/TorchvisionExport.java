package org.npid.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.npid.checkpoint.Checkpoint;
import org.npid.eval.TrainedModel;
import org.npid.model.Arch;
import org.npid.model.Backbone;
import org.npid.model.Head;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.model.Stem;
import org.npid.storage.AtomicFile;

/**
 * Writes the network of a checkpoint as a safetensors file in torchvision's names (ResNet, AlexNet
 * or VGG16_bn), plus a JSON file beside it that says how to rebuild the model around it:
 * architecture, stem, widths, head, input normalisation, the run's config and every tensor's shape.
 * The weights are the ones npid itself evaluates with (the weight average when the run kept one),
 * float32, convolutions in PyTorch's OIHW order; channels-last is only how npid hands them to
 * oneDNN, not how it stores them.
 */
public final class TorchvisionExport {

    /** torchvision's stage widths at width 1. */
    private static final int[] TORCHVISION_WIDTHS = {64, 128, 256, 512};

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /**
     * What an export wrote.
     *
     * @param safetensors the weights file
     * @param json the description beside it
     * @param tensors number of tensors written
     * @param parameters number of float32 values written
     * @param model the torchvision constructor, e.g. resnet18
     * @param strictLoad whether torchvision's model (after the stem and fc replacements of the
     *     JSON's {@code pytorch} lines) loads the file with {@code strict=True}
     * @param notes what a user must do differently from the plain recipe
     */
    public record Result(
            Path safetensors,
            Path json,
            int tensors,
            long parameters,
            String model,
            boolean strictLoad,
            List<String> notes) {}

    private TorchvisionExport() {}

    /**
     * The JSON file written beside {@code safetensors}: its name with {@code .json} in place of
     * {@code .safetensors}.
     *
     * @param safetensors the weights file
     * @return the description file
     */
    public static Path sidecar(Path safetensors) {
        String name = safetensors.getFileName().toString();
        String stem =
                name.endsWith(".safetensors")
                        ? name.substring(0, name.length() - ".safetensors".length())
                        : name;
        return safetensors.resolveSibling(stem + ".json");
    }

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint a last.ckpt or its run directory
     * @param out the .safetensors file to write (its directory is created)
     * @return what was written
     */
    public static Result export(Path checkpoint, Path out) {
        Path json = sidecar(out);
        checkWritable(out, "model.safetensors");
        Checkpoint saved = Checkpoint.readForInference(checkpoint);
        try (TrainedModel trained = TrainedModel.load(saved)) {
            NpidNet net = trained.network();
            NetworkShape config = net.config();
            Map<String, SafeTensors.Tensor> tensors = stateDict(net);
            long parameters = 0;
            for (SafeTensors.Tensor t : tensors.values()) {
                if (t.dtype() == SafeTensors.DType.F32) {
                    parameters += t.data().length / Float.BYTES;
                }
            }
            List<String> notes = notes(config);
            boolean strict = config.width() == 1.0;
            String model = TorchvisionNames.model(config.arch());
            ObjectNode description =
                    describe(saved, config, model, strict, notes, tensors, out.getFileName());
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            metadata.put("npid.model", model);
            metadata.put("npid.stem", config.stem().name().toLowerCase(Locale.ROOT));
            metadata.put("npid.width", Double.toString(config.width()));
            metadata.put("npid.description", json.getFileName().toString());
            try {
                SafeTensors.write(out, tensors, metadata);
                AtomicFile.writeBytes(json, JSON.writeValueAsBytes(description));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not write "
                                + out
                                + " or "
                                + json
                                + " ("
                                + e
                                + "): free disk space or choose another --out",
                        e);
            }
            return new Result(out, json, tensors.size(), parameters, model, strict, notes);
        }
    }

    /**
     * The network's parameters under torchvision's names, float32 in row-major (OIHW for
     * convolutions) order, plus a zero batch counter for every batch norm.
     *
     * @param net an initialised network
     * @return tensors by torchvision name, sorted
     */
    public static Map<String, SafeTensors.Tensor> stateDict(NpidNet net) {
        Head head = net.config().head();
        Arch arch = net.config().arch();
        Map<String, SafeTensors.Tensor> out = new TreeMap<>();
        for (var p : net.getParameters()) {
            String name = TorchvisionNames.of(p.getKey(), arch, head);
            NDArray a = p.getValue().getArray();
            float[] values =
                    a.getDataType() == DataType.FLOAT32
                            ? a.toFloatArray()
                            : a.toType(DataType.FLOAT32, false).toFloatArray();
            List<Long> shape = new ArrayList<>();
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            put(out, name, SafeTensors.Tensor.f32(shape, values));
            TorchvisionNames.batchCounter(name)
                    .ifPresent(c -> put(out, c, SafeTensors.Tensor.i64(List.of(), 0L)));
        }
        return out;
    }

    private static void put(
            Map<String, SafeTensors.Tensor> out, String name, SafeTensors.Tensor t) {
        if (out.put(name, t) != null) {
            throw new IllegalStateException("two npid parameters map to torchvision's " + name);
        }
    }

    /**
     * Refuses, before the checkpoint is read, an --out that cannot be written; {@code example} is
     * the file name a directory's message suggests. Every export format checks through here.
     */
    static void checkWritable(Path out, String example) {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException(
                    "--out " + out + " is a directory: name a file, e.g. " + out.resolve(example));
        }
        Path dir = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot create the directory of --out "
                            + out
                            + " ("
                            + e
                            + "): choose another --out",
                    e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(
                    "cannot write into " + dir + ", the directory of --out: choose another --out");
        }
    }

    private static List<String> notes(NetworkShape c) {
        List<String> notes = new ArrayList<>();
        if (c.width() != 1.0) {
            notes.add(
                    String.format(
                            Locale.ROOT,
                            "width %s: the %s are %s, not torchvision's %s, so"
                                    + " torchvision.models.%s() cannot load this file; build the"
                                    + " same %s with these widths (the tensor names and layout"
                                    + " are torchvision's)",
                            c.width(),
                            c.arch().residual() ? "stage widths" : "convolution channels",
                            java.util.Arrays.toString(stageWidths(c)),
                            java.util.Arrays.toString(stageWidths(atFullWidth(c))),
                            TorchvisionNames.model(c.arch()),
                            c.arch().residual() ? "ResNet" : "network"));
        }
        if (c.inChannels() != 3) {
            notes.add(
                    "trained on "
                            + c.inChannels()
                            + "-channel images: "
                            + firstConv(c)
                            + " takes "
                            + c.inChannels()
                            + " input channels, not 3; replace "
                            + firstConv(c)
                            + " before loading");
        }
        if (c.head() == Head.MLP) {
            notes.add(
                    String.format(
                            Locale.ROOT,
                            "MLP head: %1$s is nn.Sequential(Linear(no bias), BatchNorm1d, ReLU,"
                                    + " Linear); set model.%1$s = nn.Identity() and load with"
                                    + " strict=False to keep only the backbone",
                            TorchvisionNames.headModule(c.arch())));
        }
        return notes;
    }

    /**
     * ResNet's stage widths, or AlexNet's and VGG's convolution channels in order, at the width of
     * {@code c}.
     */
    private static int[] stageWidths(NetworkShape c) {
        if (!c.arch().residual()) {
            return Backbone.create(c).convChannels();
        }
        int[] w = new int[TORCHVISION_WIDTHS.length];
        for (int s = 0; s < w.length; s++) {
            w[s] = c.stageWidth(s);
        }
        return w;
    }

    private static NetworkShape atFullWidth(NetworkShape c) {
        return new NetworkShape(
                c.arch(), c.stem(), 1.0, c.embeddingDim(), c.inChannels(), c.head());
    }

    /** The torchvision module of the first convolution. */
    private static String firstConv(NetworkShape c) {
        return c.arch().residual() ? "conv1" : "features[0]";
    }

    /** The torchvision constructor arguments after the channels of the first convolution. */
    private static String firstConvShape(NetworkShape c) {
        return switch (c.arch()) {
            case RESNET18, RESNET50 ->
                    c.stem() == Stem.CIFAR ? "3, 1, 1, bias=False" : "7, 2, 3, bias=False";
            case ALEXNET -> c.stem() == Stem.CIFAR ? "3, 1, 1" : "11, 4, 2";
            case VGG16_BN -> "3, 1, 1";
        };
    }

    /** What the stem is, in words, for the JSON description. */
    private static String stemLayers(NetworkShape c) {
        return switch (c.arch()) {
            case RESNET18, RESNET50 ->
                    c.stem() == Stem.CIFAR
                            ? "conv 3x3 stride 1 padding 1 (no bias), BN, ReLU, no max-pool"
                            : "conv 7x7 stride 2 padding 3 (no bias), BN, ReLU, max-pool 3x3"
                                    + " stride 2 padding 1 (torchvision's)";
            case ALEXNET ->
                    c.stem() == Stem.CIFAR
                            ? "features[0] is conv 3x3 stride 1 padding 1 (torchvision's is 11x11"
                                    + " stride 4 padding 2); the rest of features is torchvision's"
                            : "torchvision's features: conv 11x11 stride 4 padding 2 first";
            case VGG16_BN -> "torchvision's features for both stems: conv 3x3 padding 1 first";
        };
    }

    private static ObjectNode describe(
            Checkpoint saved,
            NetworkShape c,
            String model,
            boolean strict,
            List<String> notes,
            Map<String, SafeTensors.Tensor> tensors,
            Path weightsFile) {
        Checkpoint.State state = saved.state();
        Checkpoint.Inputs inputs = state.inputs();
        int features = c.featureDim();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "safetensors");
        root.put("weights", weightsFile.toString());
        root.put("source", "npid checkpoint " + saved.path().toAbsolutePath());
        root.put(
                "weights_kind",
                saved.has(Checkpoint.AVERAGE)
                        ? "weight average (what npid evaluates with)"
                        : "last SGD weights");
        ObjectNode position = root.putObject("position");
        position.put("epoch", state.position().epoch());
        position.put("step", state.position().step());
        root.put("torchvision_model", model);
        root.put("strict_load", strict);
        ArrayNode noteArray = root.putArray("notes");
        notes.forEach(noteArray::add);
        root.put("arch", model);
        ObjectNode stem = root.putObject("stem");
        stem.put("kind", c.stem().name().toLowerCase(Locale.ROOT));
        stem.put("layers", stemLayers(c));
        root.put("width", c.width());
        ArrayNode widths = root.putArray(c.arch().residual() ? "stage_widths" : "conv_channels");
        for (int w : stageWidths(c)) {
            widths.add(w);
        }
        root.put("in_channels", c.inChannels());
        root.put("feature_dim", features);
        String fc = TorchvisionNames.headModule(c.arch());
        ObjectNode head = root.putObject("head");
        head.put("kind", c.head().name().toLowerCase(Locale.ROOT));
        head.put("in_features", features);
        head.put("out_features", c.embeddingDim());
        head.put(
                "layers",
                fc
                        + " = "
                        + headLayers(c, features)
                        + (c.head() == Head.MLP
                                ? ""
                                : ": the NPID embedding head, not an ImageNet classifier"));
        head.put(
                "embedding",
                "L2-normalise "
                        + fc
                        + "'s output per row (torch.nn.functional.normalize): npid's embedding;"
                        + " the backbone feature is the globally average-pooled output of the"
                        + " last stage, the input of "
                        + fc);
        ObjectNode input = root.putObject("input");
        input.put("image_size", inputs.imageSize());
        input.put("channels", inputs.channels());
        ArrayNode mean = input.putArray("mean");
        for (float m : inputs.mean()) {
            mean.add(m);
        }
        ArrayNode std = input.putArray("std");
        for (float s : inputs.std()) {
            std.add(s);
        }
        input.put(
                "normalisation",
                "pixels / 255, then (x - mean) / std per channel, NCHW float32 (resize and"
                        + " centre-crop to image_size first, as npid's test transform)");
        ArrayNode py = root.putArray("pytorch");
        pytorch(c, model).forEach(py::add);
        String yaml = new String(saved.bytes(Checkpoint.CONFIG), StandardCharsets.UTF_8);
        root.put("config_yaml", yaml);
        try {
            JsonNode config = YAML.readTree(yaml);
            root.set("config", config);
        } catch (IOException e) {
            root.putNull("config");
        }
        ArrayNode list = root.putArray("tensors");
        tensors.forEach(
                (name, t) -> {
                    ObjectNode n = list.addObject();
                    n.put("name", name);
                    n.put("dtype", t.dtype().name());
                    ArrayNode shape = n.putArray("shape");
                    t.shape().forEach(shape::add);
                });
        return root;
    }

    /** Lines of Python that rebuild the model and load the file. */
    private static List<String> pytorch(NetworkShape c, String model) {
        int features = c.featureDim();
        int stemWidth = c.stemChannels();
        List<String> lines = new ArrayList<>();
        lines.add("import torch.nn as nn, torchvision");
        lines.add(String.format(Locale.ROOT, "m = torchvision.models.%s()", model));
        boolean ownFirstConv =
                (c.arch().residual() || c.arch() == Arch.ALEXNET)
                        ? c.stem() == Stem.CIFAR || c.inChannels() != 3
                        : c.inChannels() != 3;
        if (ownFirstConv) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "m.%s = nn.Conv2d(%d, %d, %s)%s",
                            c.arch().residual() ? "conv1" : "features[0]",
                            c.inChannels(),
                            stemWidth,
                            firstConvShape(c),
                            c.arch().residual() && c.stem() == Stem.CIFAR
                                    ? "; m.maxpool = nn.Identity()"
                                    : ""));
        }
        String fc = TorchvisionNames.headModule(c.arch());
        if (!c.arch().residual()) {
            lines.add("m.avgpool = nn.AdaptiveAvgPool2d(1)  # npid pools globally");
        }
        lines.add("m." + fc + " = " + headLayers(c, features));
        if (c.width() != 1.0) {
            lines.add(
                    c.arch().residual()
                            ? "# width != 1: give m the stage_widths above before loading"
                            : "# width != 1: give m the conv_channels above before loading");
        }
        lines.add("from safetensors.torch import load_file");
        lines.add("m.load_state_dict(load_file(PATH), strict=True)");
        lines.add("m.eval(); v = nn.functional.normalize(m(x))  # npid's embedding of x");
        return lines;
    }

    /** The PyTorch module that rebuilds npid's head on {@code features} inputs. */
    private static String headLayers(NetworkShape c, int features) {
        return c.head() == Head.MLP
                ? String.format(
                        Locale.ROOT,
                        "nn.Sequential(nn.Linear(%d, %d, bias=False), nn.BatchNorm1d(%d), nn.ReLU(),"
                                + " nn.Linear(%d, %d))",
                        features,
                        features,
                        features,
                        features,
                        c.embeddingDim())
                : String.format(Locale.ROOT, "nn.Linear(%d, %d)", features, c.embeddingDim());
    }
}
