package org.npid.eval;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.onnxruntime.engine.OrtSymbolBlock;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.npid.data.Batch;
import org.npid.data.BatchLoader;
import org.npid.data.ImageCache;
import org.npid.data.ImageDataset;
import org.npid.data.TestTransform;

/**
 * A model that {@code npid export --format onnx} wrote, run on DJL's ONNX Runtime engine instead of
 * libtorch: the same embeddings as {@link TrainedModel} up to float rounding (the export's
 * equivalence test bounds the difference by 1e-5 per component). The images go through npid's test
 * transform (the shorter side resized to the model's image size, the centre cropped) and are handed
 * over as pixels / 255; the model normalises them itself. DJL loads the model ({@link Model#load})
 * and runs its {@link OrtSymbolBlock}; a batch's tensors live in a manager of their own, closed
 * with the batch.
 */
public final class OnnxModel implements ImageEmbedder {

    /** The model's input: {@code [batch, C, S, S]} pixels / 255. */
    public static final String INPUT = "image";

    /** The model's L2-normalised embedding output, {@code [batch, d]}. */
    public static final String EMBEDDING = "embedding";

    /** The model's pooled-backbone-features output, {@code [batch, F]}. */
    public static final String FEATURES = "features";

    /** The metadata key of the input side. */
    public static final String IMAGE_SIZE = "npid.image_size";

    /** The metadata key of the input channels. */
    public static final String CHANNELS = "npid.channels";

    /** The metadata key of the embedding's length. */
    public static final String EMBEDDING_DIM = "npid.embedding_dim";

    /** The metadata key of the checkpoint's fingerprint ({@link TrainedModel#fingerprint()}). */
    public static final String FINGERPRINT = "npid.fingerprint";

    /** DJL's property that keeps its ONNX Runtime engine from starting PyTorch beside it. */
    private static final String NO_HYBRID = "ai.djl.onnx.disable_alternative";

    /** DJL's name of the ONNX Runtime engine. */
    private static final String ENGINE = "OnnxRuntime";

    private final Model model;
    private final OrtSymbolBlock block;
    private final int imageSize;
    private final int channels;
    private final int embeddingDim;
    private final String fingerprint;

    private OnnxModel(Model model, String fileHash) {
        this.model = model;
        this.block = (OrtSymbolBlock) model.getBlock();
        try {
            Map<String, String> meta = block.getCustomMetadata();
            imageSize = Integer.parseInt(required(meta, IMAGE_SIZE));
            channels = Integer.parseInt(required(meta, CHANNELS));
            embeddingDim = Integer.parseInt(required(meta, EMBEDDING_DIM));
            fingerprint = meta.getOrDefault(FINGERPRINT, fileHash);
        } catch (EngineException e) {
            model.close();
            throw new IllegalArgumentException("cannot read the model's metadata: " + e, e);
        } catch (IllegalArgumentException e) {
            model.close();
            throw e;
        }
    }

    private static String required(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException(
                    "the ONNX model has no "
                            + key
                            + " metadata: npid runs the models npid export --format onnx writes;"
                            + " export the checkpoint again");
        }
        return v;
    }

    /**
     * Opens an .onnx file.
     *
     * @param file a model {@code npid export --format onnx} wrote
     * @param threads ONNX Runtime's intra-op threads; 0 for its default (one per core)
     * @return the model, ready to embed
     */
    public static OnnxModel open(Path file, int threads) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the ONNX model " + file + ": " + e.getMessage(), e);
        }
        return of(bytes, threads);
    }

    /**
     * Opens a serialised ONNX model, e.g. one exported in memory.
     *
     * @param model the ModelProto's bytes
     * @param threads ONNX Runtime's intra-op threads; 0 for its default (one per core)
     * @return the model, ready to embed
     */
    public static OnnxModel of(byte[] model, int threads) {
        // DJL gives every ONNX Runtime array manager a PyTorch one beside it (its hybrid mode),
        // which loads libtorch; npid only creates, runs and reads tensors, which need none.
        if (System.getProperty(NO_HYBRID) == null) {
            System.setProperty(NO_HYBRID, "true");
        }
        Model m = Model.newInstance("npid", Device.cpu(), ENGINE);
        try {
            m.load(new ByteArrayInputStream(model), sessionOptions(threads));
        } catch (IOException | MalformedModelException | EngineException e) {
            m.close();
            throw new IllegalArgumentException(
                    "ONNX Runtime cannot load the model ("
                            + e.getMessage()
                            + "): npid runs the models npid export --format onnx writes; export the"
                            + " checkpoint again",
                    e);
        }
        return new OnnxModel(m, fingerprint(model));
    }

    /**
     * DJL's session options: all graph optimisations, and {@code threads} intra-op threads. DJL
     * 0.36 applies the intra-op count only beside an inter-op one, so both are given.
     */
    private static Map<String, String> sessionOptions(int threads) {
        return threads > 0
                ? Map.of(
                        "optLevel", "ALL_OPT",
                        "interOpNumThreads", "1",
                        "intraOpNumThreads", Integer.toString(threads))
                : Map.of("optLevel", "ALL_OPT");
    }

    /**
     * "onnx:" and the SHA-256 of the model's bytes: the fingerprint of a model whose metadata lacks
     * its checkpoint's.
     */
    private static String fingerprint(byte[] model) {
        try {
            return "onnx:"
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * Identifies the model: its checkpoint's fingerprint, which the export records, so that
     * embeddings made on either engine name the same maker.
     */
    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /** The side of the square images the model takes. */
    public int imageSize() {
        return imageSize;
    }

    @Override
    public int embeddingDim() {
        return embeddingDim;
    }

    /** The channels of the images the model takes. */
    @Override
    public int channels() {
        return channels;
    }

    /** npid's test transform without the normalisation, which the model holds: pixels / 255. */
    public TestTransform testTransform() {
        float[] mean = new float[channels];
        float[] std = new float[channels];
        Arrays.fill(std, 1f);
        return new TestTransform(imageSize, mean, std);
    }

    /**
     * Row-major {@code [n, d]} embeddings of a whole data set, in its order.
     *
     * @param data the images, of the model's channel count
     * @param batchSize images per run of the model
     * @param workers threads that decode and transform images
     * @return the embeddings
     */
    @Override
    public float[] embed(ImageDataset data, int batchSize, int workers) {
        return run(data, batchSize, workers, EMBEDDING);
    }

    /**
     * Row-major {@code [n, F]} pooled backbone features (not normalised) of a whole data set.
     *
     * @param data the images, of the model's channel count
     * @param batchSize images per run of the model
     * @param workers threads that decode and transform images
     * @return the features
     */
    public float[] features(ImageDataset data, int batchSize, int workers) {
        return run(data, batchSize, workers, FEATURES);
    }

    /**
     * Runs the model on one batch of pixels / 255.
     *
     * @param pixels {@code [n, C, S, S]} row-major
     * @param n the batch size
     * @param output {@link #EMBEDDING} or {@link #FEATURES}
     * @return row-major {@code [n, d]}
     */
    public float[] run(float[] pixels, int n, String output) {
        try (NDManager batch = model.getNDManager().newSubManager()) {
            NDArray x =
                    batch.create(
                            FloatBuffer.wrap(pixels), new Shape(n, channels, imageSize, imageSize));
            NDList y = block.forward(new ParameterStore(batch, false), new NDList(x), false);
            NDArray out = y.get(output);
            if (out == null) {
                throw new IllegalArgumentException(
                        "the ONNX model has no output named "
                                + output
                                + ": npid runs the models npid export --format onnx writes;"
                                + " export the checkpoint again");
            }
            return out.toFloatArray();
        } catch (EngineException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch: " + e.getMessage(), e);
        }
    }

    private float[] run(ImageDataset data, int batchSize, int workers, String output) {
        if (data.channels() != channels) {
            throw new IllegalArgumentException(
                    "the model takes "
                            + channels
                            + "-channel images but "
                            + data.source(0)
                            + " has "
                            + data.channels()
                            + ": use a model trained on this kind of image, or convert the"
                            + " images");
        }
        ImageDataset images = ImageCache.forResolution(data, imageSize);
        float[] out = null;
        int d = 0;
        try (BatchLoader loader =
                BatchLoader.over(images, testTransform(), batchSize).workers(workers).open()) {
            while (loader.hasNext()) {
                Batch batch = loader.next();
                float[] v = run(batch.pixels(), batch.batchSize(), output);
                if (out == null) {
                    d = v.length / batch.batchSize();
                    out = new float[Math.multiplyExact(data.size(), d)];
                }
                System.arraycopy(v, 0, out, (int) batch.indices()[0] * d, v.length);
            }
        }
        return out == null ? new float[0] : out;
    }

    @Override
    public void close() {
        model.close();
    }
}
