package org.npid.train;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.npid.data.ImageDataset;
import org.npid.data.TestTransform;
import org.npid.eval.FeatureExtractor;
import org.npid.model.Devices;
import org.npid.model.NpidNet;

/**
 * A trained network loaded from a checkpoint for inference, with the recipe and normalisation it
 * was trained with, so features are computed exactly as during training's evaluation.
 */
public final class TrainedModel implements AutoCloseable {
    private final Model model;
    private final NpidNet net;
    private final TrainConfig config;
    private final Checkpoint.State state;

    private TrainedModel(Model model, NpidNet net, TrainConfig config, Checkpoint.State state) {
        this.model = model;
        this.net = net;
        this.config = config;
        this.state = state;
    }

    /**
     * Loads {@code checkpoint} (a file, or a run directory holding last.ckpt) for inference, with
     * the averaged weights when the run kept an average.
     *
     * @param channels input channels of the data it will embed (as at training time)
     */
    public static TrainedModel load(Path checkpoint, int channels) {
        Path file = Checkpoint.file(checkpoint);
        TrainConfig config = Checkpoint.readConfig(file);
        Checkpoint.State state = Checkpoint.readState(file);
        NpidNet net = NpidNet.create(config.model(channels));
        Model model = Model.newInstance("npid-eval", Devices.best());
        model.setBlock(net);
        net.initialize(
                model.getNDManager(),
                ai.djl.ndarray.types.DataType.FLOAT32,
                new Shape(1, channels, state.imageSize(), state.imageSize()));
        Checkpoint.loadInferenceWeights(file, net, model.getNDManager());
        return new TrainedModel(model, net, config, state);
    }

    /** The input channels the checkpoint's network was trained with (from its parameters). */
    public static int channelsOf(Path file) {
        Checkpoint.State state = Checkpoint.readState(file);
        return state.mean().length;
    }

    public NpidNet network() {
        return net;
    }

    public TrainConfig config() {
        return config;
    }

    public int imageSize() {
        return state.imageSize();
    }

    public ai.djl.ndarray.NDManager manager() {
        return model.getNDManager();
    }

    /** The evaluation transform the model was trained with (resize/centre-crop, normalise). */
    public TestTransform testTransform() {
        return new TestTransform(state.imageSize(), state.mean(), state.std());
    }

    /** Row-major [n, d] embeddings of a whole data set. */
    public float[] embed(ImageDataset data, int batchSize, int workers) {
        embedCheck(data);
        return new FeatureExtractor(net, batchSize, workers)
                .extract(model.getNDManager(), data, testTransform());
    }

    private void embedCheck(ImageDataset data) {
        if (data.channels() != net.config().inChannels()) {
            throw new IllegalArgumentException(
                    "the model takes "
                            + net.config().inChannels()
                            + "-channel images but the data has "
                            + data.channels());
        }
    }

    /**
     * Row-major [views·n, d] embeddings of {@code views} augmented views of every image, under the
     * training augmentation of the checkpoint's config: row v·n + i is view v of image i. Seeded,
     * so the same seed gives the same rows.
     */
    public float[] embedViews(ImageDataset data, int views, long seed, int batchSize, int workers) {
        embedCheck(data);
        if (views < 1) {
            throw new IllegalArgumentException("views must be >= 1, got " + views);
        }
        var aug = NpidTraining.augmentation(config, state.imageSize(), state.mean(), state.std());
        FeatureExtractor fx = new FeatureExtractor(net, batchSize, workers);
        float[] out = null;
        for (int view = 0; view < views; view++) {
            float[] v = fx.extract(model.getNDManager(), data, aug, seed, view);
            if (out == null) {
                out = new float[Math.multiplyExact(v.length, views)];
            }
            System.arraycopy(v, 0, out, view * v.length, v.length);
        }
        return out;
    }

    /**
     * Row-major [n, c] L2-normalised backbone features (layer4, globally average-pooled, before the
     * embedding head) of a whole data set: the representation below the 128-d embedding.
     */
    public float[] embedBackbone(ImageDataset data, int batchSize, int workers) {
        embedCheck(data);
        return new FeatureExtractor(net.backbone(), batchSize, workers)
                .extractUnitRows(model.getNDManager(), data, testTransform());
    }

    @Override
    public void close() {
        model.close();
    }
}
