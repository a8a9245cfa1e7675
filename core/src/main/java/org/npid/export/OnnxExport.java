package org.npid.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.npid.checkpoint.Checkpoint;
import org.npid.eval.OnnxModel;
import org.npid.eval.TrainedModel;
import org.npid.model.NetworkShape;
import org.npid.model.NpidNet;
import org.npid.storage.AtomicFile;

/**
 * Writes the network of a checkpoint as a standard ONNX model (opset {@value #OPSET}, IR version
 * {@value #IR_VERSION}) that ONNX Runtime, or any ONNX runtime, runs without libtorch: backbone and
 * head with the weights npid evaluates with (the weight average when the run kept one), the input
 * normalisation folded in, a free batch dimension, and two outputs, the L2-normalised embedding
 * ({@value OnnxNetwork#EMBEDDING}) and the pooled backbone features ({@value
 * OnnxNetwork#FEATURES}). The layers are {@link OnnxNetwork}'s; the model's {@code metadata_props}
 * say what it was made from ({@code npid.*} keys).
 */
public final class OnnxExport {

    /** The version of ONNX's default operator set the model uses. */
    public static final int OPSET = 17;

    /** The ONNX IR version of opset 17 (ONNX 1.12). */
    public static final int IR_VERSION = 8;

    /**
     * The first bytes of every file this export writes: ModelProto's ir_version (field 1, varint
     * 8), then its producer_name (field 2, 4 bytes) "npid".
     */
    private static final byte[] MAGIC = {0x08, IR_VERSION, 0x12, 0x04, 'n', 'p', 'i', 'd'};

    /**
     * What an export wrote.
     *
     * @param file the .onnx file
     * @param nodes the graph's operators
     * @param initializers the graph's constant tensors
     * @param parameters float32 values in them
     * @param arch the architecture, e.g. resnet18
     * @param metadata the model's metadata_props
     */
    public record Result(
            Path file,
            int nodes,
            int initializers,
            long parameters,
            String arch,
            Map<String, String> metadata) {}

    private OnnxExport() {}

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint a last.ckpt or its run directory
     * @param out the .onnx file to write, atomically (its directory is created)
     * @return what was written
     */
    public static Result export(Path checkpoint, Path out) {
        TorchvisionExport.checkWritable(out, "model.onnx");
        Checkpoint saved = Checkpoint.readForInference(checkpoint);
        try (TrainedModel trained = TrainedModel.load(saved)) {
            Checkpoint.Inputs inputs = saved.state().inputs();
            NpidNet net = trained.network();
            Map<String, String> metadata = metadata(saved, trained, inputs);
            OnnxGraph graph =
                    OnnxNetwork.build(net, inputs.imageSize(), inputs.mean(), inputs.std());
            byte[] model = model(graph, metadata);
            try {
                AtomicFile.writeBytes(out, model);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not write "
                                + out
                                + " ("
                                + e
                                + "): free disk space or choose another --out",
                        e);
            }
            return new Result(
                    out,
                    graph.nodeCount(),
                    graph.initializerCount(),
                    graph.parameters(),
                    arch(net.config()),
                    metadata);
        }
    }

    /**
     * The ONNX model of a checkpoint, in memory, as {@link #export} writes it.
     *
     * @param checkpoint a last.ckpt or its run directory
     * @return the serialised ModelProto
     */
    public static byte[] model(Path checkpoint) {
        Checkpoint saved = Checkpoint.readForInference(checkpoint);
        try (TrainedModel trained = TrainedModel.load(saved)) {
            Checkpoint.Inputs inputs = saved.state().inputs();
            NpidNet net = trained.network();
            return model(
                    OnnxNetwork.build(net, inputs.imageSize(), inputs.mean(), inputs.std()),
                    metadata(saved, trained, inputs));
        }
    }

    private static byte[] model(OnnxGraph graph, Map<String, String> metadata) {
        return graph.model(
                "npid",
                "NPID embedding network exported by npid: input "
                        + OnnxNetwork.INPUT
                        + " (pixels in [0, 1], normalisation inside), outputs "
                        + OnnxNetwork.EMBEDDING
                        + " (L2-normalised) and "
                        + OnnxNetwork.FEATURES
                        + " (pooled backbone features)",
                IR_VERSION,
                OPSET,
                "npid",
                version(),
                metadata);
    }

    /**
     * Whether {@code file} begins as every model this export writes does (IR version {@value
     * #IR_VERSION}, producer npid), for the check that never replaces a file npid did not write.
     *
     * @param file an existing file
     * @return whether it may be an earlier export
     */
    public static boolean looksWritten(Path file) {
        try (var in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, String> metadata(
            Checkpoint saved, TrainedModel trained, Checkpoint.Inputs inputs) {
        NetworkShape shape = trained.network().config();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("npid.version", version());
        m.put("npid.arch", arch(shape));
        m.put("npid.stem", shape.stem().name().toLowerCase(Locale.ROOT));
        m.put("npid.width", Double.toString(shape.width()));
        m.put("npid.head", shape.head().name().toLowerCase(Locale.ROOT));
        m.put(OnnxModel.EMBEDDING_DIM, Integer.toString(shape.embeddingDim()));
        m.put("npid.feature_dim", Integer.toString(shape.featureDim()));
        m.put(OnnxModel.IMAGE_SIZE, Integer.toString(inputs.imageSize()));
        m.put(OnnxModel.CHANNELS, Integer.toString(inputs.channels()));
        m.put("npid.mean", Arrays.toString(inputs.mean()));
        m.put("npid.std", Arrays.toString(inputs.std()));
        m.put(
                "npid.normalisation",
                "folded in: feed pixels / 255 in [0, 1], NCHW float32, "
                        + (inputs.channels() == 3 ? "RGB" : "grayscale")
                        + ", the shorter side resized to image_size and the centre cropped;"
                        + " the model computes (x - mean) / std per channel itself");
        m.put(
                "npid.weights",
                saved.has(Checkpoint.AVERAGE) ? "weight average" : "last SGD weights");
        m.put("npid.epoch", Integer.toString(saved.state().position().epoch()));
        m.put("npid.step", Long.toString(saved.state().position().step()));
        m.put("npid.checkpoint", saved.path().toAbsolutePath().toString());
        m.put(OnnxModel.FINGERPRINT, trained.fingerprint());
        m.put("npid.config", new String(saved.bytes(Checkpoint.CONFIG), StandardCharsets.UTF_8));
        return m;
    }

    private static String arch(NetworkShape shape) {
        return TorchvisionNames.model(shape.arch());
    }

    private static String version() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
