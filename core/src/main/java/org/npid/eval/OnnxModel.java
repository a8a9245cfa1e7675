package org.npid.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
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
 * A model that {@code npid export --format onnx} wrote, run by ONNX Runtime instead of libtorch:
 * the same embeddings as {@link TrainedModel} up to float rounding (the export's equivalence test
 * bounds the difference by 1e-5 per component). The images go through npid's test transform (the
 * shorter side resized to the model's image size, the centre cropped) and are handed over as pixels
 * / 255; the model normalises them itself.
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

    private final OrtEnvironment env;
    private final OrtSession session;
    private final int imageSize;
    private final int channels;
    private final int embeddingDim;
    private final String fingerprint;

    private OnnxModel(OrtEnvironment env, OrtSession session, String fileHash) {
        this.env = env;
        this.session = session;
        try {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            imageSize = Integer.parseInt(required(meta, IMAGE_SIZE));
            channels = Integer.parseInt(required(meta, CHANNELS));
            embeddingDim = Integer.parseInt(required(meta, EMBEDDING_DIM));
            fingerprint = meta.getOrDefault(FINGERPRINT, fileHash);
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot read the model's metadata: " + e, e);
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
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            if (threads > 0) {
                options.setIntraOpNumThreads(threads);
            }
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return new OnnxModel(env, env.createSession(model, options), fingerprint(model));
        } catch (OrtException e) {
            throw new IllegalArgumentException(
                    "ONNX Runtime cannot load the model (" + e.getMessage() + ")", e);
        }
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
        long[] shape = {n, channels, imageSize, imageSize};
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), shape);
                OrtSession.Result r = session.run(Map.of(INPUT, x), java.util.Set.of(output))) {
            OnnxTensor y = (OnnxTensor) r.get(output).orElseThrow();
            FloatBuffer b = y.getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        } catch (OrtException e) {
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
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session", e);
        }
    }
}
