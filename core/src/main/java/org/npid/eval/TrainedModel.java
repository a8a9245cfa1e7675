package org.npid.eval;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.npid.checkpoint.Checkpoint;
import org.npid.config.TrainConfig;
import org.npid.data.ImageCache;
import org.npid.data.ImageDataset;
import org.npid.data.TestTransform;
import org.npid.data.TrainAugmentation;
import org.npid.model.Devices;
import org.npid.model.NpidNet;

/**
 * A trained network loaded from a checkpoint for inference, with the recipe and normalisation it
 * was trained with, so features are computed exactly as during training's evaluation.
 */
public final class TrainedModel implements ImageEmbedder {
    private final Model model;
    private final NpidNet net;
    private final TrainConfig config;
    private final Checkpoint.Inputs inputs;
    private final String fingerprint;

    private TrainedModel(
            Model model,
            NpidNet net,
            TrainConfig config,
            Checkpoint.Inputs inputs,
            String fingerprint) {
        this.model = model;
        this.net = net;
        this.config = config;
        this.inputs = inputs;
        this.fingerprint = fingerprint;
    }

    /**
     * Loads {@code checkpoint} (a file, or a run directory holding last.ckpt) for inference, with
     * the averaged weights when the run kept an average. The input channels are the ones the run
     * was trained with.
     */
    public static TrainedModel load(Path checkpoint) {
        return load(Checkpoint.readForInference(checkpoint));
    }

    /**
     * As {@link #load(Path)}, from a checkpoint already read (at least its inference entries), for
     * callers that need its other entries too.
     */
    public static TrainedModel load(Checkpoint saved) {
        TrainConfig config = saved.config();
        Checkpoint.Inputs inputs = saved.state().inputs();
        int channels = inputs.channels();
        NpidNet net = NpidNet.create(config.model().forChannels(channels));
        Model model = Model.newInstance("npid-eval", Devices.best());
        model.setBlock(net);
        net.initialize(
                model.getNDManager(),
                DataType.FLOAT32,
                new Shape(1, channels, inputs.imageSize(), inputs.imageSize()));
        saved.loadInferenceWeights(net, model.getNDManager());
        return new TrainedModel(model, net, config, inputs, fingerprint(saved));
    }

    /**
     * SHA-256 of the weights inference loads (the network's, and the average's when kept) and of
     * the input normalisation: two checkpoints that embed alike have the same, so embeddings can
     * name the model that made them.
     */
    private static String fingerprint(Checkpoint saved) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(saved.bytes(Checkpoint.MODEL));
            if (saved.has(Checkpoint.AVERAGE)) {
                sha.update(saved.bytes(Checkpoint.AVERAGE));
            }
            Checkpoint.Inputs in = saved.state().inputs();
            sha.update(
                    (java.util.Arrays.toString(in.mean())
                                    + java.util.Arrays.toString(in.std())
                                    + in.imageSize())
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Identifies the model's weights and inputs (see {@link #fingerprint(Checkpoint)}). */
    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * As {@link #load(Path)}, for data of {@code channels} channels: an error that says what to do
     * when the checkpoint was trained on the other kind of image.
     */
    public static TrainedModel load(Path checkpoint, int channels) {
        TrainedModel m = load(checkpoint);
        try {
            m.requireChannels(channels, "the data");
        } catch (IllegalArgumentException e) {
            m.close();
            throw e;
        }
        return m;
    }

    public NpidNet network() {
        return net;
    }

    public TrainConfig config() {
        return config;
    }

    @Override
    public int embeddingDim() {
        return net.config().embeddingDim();
    }

    @Override
    public int channels() {
        return net.config().inChannels();
    }

    /** The side the model's images are resized and cropped to: the run's, not the data's. */
    public int imageSize() {
        return inputs.imageSize();
    }

    public NDManager manager() {
        return model.getNDManager();
    }

    /** The evaluation transform the model was trained with (resize/centre-crop, normalise). */
    public TestTransform testTransform() {
        return new TestTransform(inputs.imageSize(), inputs.mean(), inputs.std());
    }

    /**
     * The training augmentation of the checkpoint's run (its crop, jitter, grayscale and flip), at
     * the run's resolution and normalisation.
     */
    public TrainAugmentation trainAugmentation() {
        return new TrainAugmentation(
                config.augmentation().forImages(inputs.imageSize(), inputs.mean(), inputs.std()));
    }

    /** Weighted kNN of {@code data}'s test split against its recomputed training features. */
    public KnnResult knn(LabelledSplits data, KnnEvaluation evaluation) {
        requireChannels(data.train().channels(), data.train().source(0));
        requireChannels(data.test().channels(), data.test().source(0));
        LabelledSplits atSize =
                new LabelledSplits(
                        ImageCache.forResolution(data.train(), imageSize()),
                        ImageCache.forResolution(data.test(), imageSize()));
        return evaluation.evaluate(net, manager(), atSize, testTransform());
    }

    /** Row-major [n, d] embeddings of a whole data set. */
    @Override
    public float[] embed(ImageDataset data, int batchSize, int workers) {
        requireChannels(data.channels(), data.source(0));
        return new FeatureExtractor(net, batchSize, workers)
                .extract(
                        model.getNDManager(),
                        ImageCache.forResolution(data, imageSize()),
                        testTransform());
    }

    private void requireChannels(int channels, String what) {
        int trained = net.config().inChannels();
        if (channels != trained) {
            throw new IllegalArgumentException(
                    "the model was trained on "
                            + kind(trained)
                            + " images but "
                            + what
                            + " is "
                            + kind(channels)
                            + ": use a checkpoint trained on this kind of image, or convert the"
                            + " images");
        }
    }

    private static String kind(int channels) {
        return channels == 1 ? "1-channel (grayscale)" : channels + "-channel (colour)";
    }

    /**
     * Row-major [views·n, d] embeddings of {@code views} augmented views of every image, under the
     * training augmentation of the checkpoint's config: row v·n + i is view v of image i. Seeded,
     * so the same seed gives the same rows.
     */
    public float[] embedViews(ImageDataset data, int views, long seed, int batchSize, int workers) {
        requireChannels(data.channels(), data.source(0));
        if (views < 1) {
            throw new IllegalArgumentException("views must be >= 1, got " + views);
        }
        var aug = trainAugmentation();
        ImageDataset images = ImageCache.forResolution(data, imageSize());
        FeatureExtractor fx = new FeatureExtractor(net, batchSize, workers);
        float[] out = null;
        for (int view = 0; view < views; view++) {
            float[] v = fx.extract(model.getNDManager(), images, aug, seed, view);
            if (out == null) {
                out = new float[Math.multiplyExact(v.length, views)];
            }
            System.arraycopy(v, 0, out, view * v.length, v.length);
        }
        return out;
    }

    /**
     * Row-major [n, c] L2-normalised backbone features (the last stage: ResNet's layer4, AlexNet's
     * conv5 or VGG's block5, globally average-pooled, before the embedding head) of a whole data
     * set: the representation below the 128-d embedding.
     */
    public float[] embedBackbone(ImageDataset data, int batchSize, int workers) {
        requireChannels(data.channels(), data.source(0));
        return new FeatureExtractor(net.backbone(), batchSize, workers)
                .extractUnitRows(
                        model.getNDManager(),
                        ImageCache.forResolution(data, imageSize()),
                        testTransform());
    }

    @Override
    public void close() {
        model.close();
    }
}
