package org.npid.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.npid.data.Batch;
import org.npid.data.BatchLoader;
import org.npid.data.ImageCache;
import org.npid.data.ImageDataset;

/**
 * Linear probes on frozen features of every stage of a trained network (a ResNet's stem, layer1 …
 * layer4, AlexNet's conv1 … conv5 or VGG's block1 … block5, then the embedding), like the paper's
 * Table 2. Each feature map is average-pooled so that it has at most {@value #MAX_DIMS} dimensions
 * (the paper pools to about 9–10k), L2-normalised and scaled to unit RMS, then fed to its own
 * logistic regression; all probes train in the same pass.
 */
public final class Probe {
    /** Largest pooled feature size per stage. */
    public static final int MAX_DIMS = 10_000;

    /** One row of the table. */
    public record StageResult(String stage, int dims, double top1) {}

    /** Settings of the probe's SGD. */
    public record Settings(int epochs, float lr, float weightDecay, int batchSize, long seed) {
        public Settings {
            if (epochs <= 0 || batchSize <= 0 || !(lr > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException(
                        "probe settings: epochs, batch size and lr must be positive, weight decay >= 0");
            }
        }

        public static Settings defaults() {
            return new Settings(5, 0.1f, 1e-4f, 256, 1);
        }
    }

    private Probe() {}

    public static List<StageResult> run(Path checkpoint, Path data, Settings s) {
        return run(checkpoint, data, s, 0);
    }

    /**
     * As {@link #run(Path, Path, Settings)}, fitting on {@code trainImages} of the training images
     * (0 = all): the same seeded subset a run with {@code train_images} of that many trained on, as
     * the checkpoint's seed chooses it.
     */
    public static List<StageResult> run(Path checkpoint, Path data, Settings s, int trainImages) {
        if (trainImages < 0) {
            throw new IllegalArgumentException(
                    "--train-images must be >= 0 (0 = all), got " + trainImages);
        }
        LabelledSplits splits = LabelledSplits.open(data, "a linear probe");
        ImageDataset train = splits.train();
        ImageDataset test = splits.test();
        try (TrainedModel model = TrainedModel.load(checkpoint, train.channels())) {
            ImageDataset fit =
                    trainImages > 0
                            ? org.npid.data.Subset.random(train, trainImages, model.config().seed())
                            : train;
            return run(model, fit, test, s);
        }
    }

    /**
     * Probes every stage of {@code model}, fitting on {@code train}'s labels and scoring on {@code
     * test} (both labelled): for callers that choose the images, such as the experiments.
     */
    public static List<StageResult> run(
            TrainedModel model, ImageDataset trainImages, ImageDataset testImages, Settings s) {
        ImageDataset train = ImageCache.forResolution(trainImages, model.imageSize());
        ImageDataset test = ImageCache.forResolution(testImages, model.imageSize());
        int classes = train.classNames().size();
        NDManager root = model.manager();
        List<LinearProbe> probes = new ArrayList<>();
        List<Integer> dims = new ArrayList<>();
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        try {
            for (int epoch = 0; epoch < s.epochs(); epoch++) {
                float lr = (float) (s.lr() * 0.5 * (1 + Math.cos(Math.PI * epoch / s.epochs())));
                forEachBatch(
                        BatchLoader.over(train, model.testTransform(), s.batchSize())
                                .shuffled(s.seed(), epoch)
                                .workers(2),
                        model,
                        (b, step, feats) -> {
                            if (probes.isEmpty()) {
                                for (NDArray f : feats) {
                                    int d = Math.toIntExact(f.getShape().get(1));
                                    dims.add(d);
                                    probes.add(new LinearProbe(root, d, classes, s.weightDecay()));
                                }
                            }
                            NDArray labels = step.create(toLong(b.labels()));
                            for (int i = 0; i < feats.size(); i++) {
                                probes.get(i).step(feats.get(i), labels, lr);
                            }
                        });
            }
            int[] hits = new int[probes.size()];
            forEachBatch(
                    BatchLoader.over(test, model.testTransform(), s.batchSize()).workers(2),
                    model,
                    (b, step, feats) -> {
                        for (int i = 0; i < feats.size(); i++) {
                            long[] pred = probes.get(i).predict(feats.get(i));
                            for (int r = 0; r < pred.length; r++) {
                                hits[i] += pred[r] == b.labels()[r] ? 1 : 0;
                            }
                        }
                    });
            List<String> names = new ArrayList<>(model.network().backbone().stageNames());
            names.add("embedding");
            List<StageResult> out = new ArrayList<>();
            for (int i = 0; i < probes.size(); i++) {
                out.add(new StageResult(names.get(i), dims.get(i), (double) hits[i] / test.size()));
            }
            return out;
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
            probes.forEach(LinearProbe::close);
        }
    }

    /** What a pass does with one batch and its features, inside the batch's own manager. */
    private interface BatchFeatures {
        void accept(Batch batch, NDManager step, List<NDArray> features);
    }

    /** Feeds every batch's frozen features, computed without gradients, to {@code body}. */
    private static void forEachBatch(
            BatchLoader.Builder batches, TrainedModel model, BatchFeatures body) {
        try (BatchLoader loader = batches.open()) {
            while (loader.hasNext()) {
                Batch b = loader.next();
                try (NDManager step = model.manager().newSubManager()) {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                    body.accept(b, step, features(model, step, b));
                }
            }
        }
    }

    /** Pooled, normalised features of every stage for one batch, in the batch's manager. */
    private static List<NDArray> features(TrainedModel model, NDManager step, Batch b) {
        NDArray x = FeatureExtractor.input(step, b);
        ParameterStore ps = new ParameterStore(step, false);
        NDList stages = model.network().backbone().forwardStages(ps, x, false);
        List<NDArray> out = new ArrayList<>();
        for (NDArray map : stages) {
            out.add(normalise(pool(map)));
        }
        NDArray v = model.network().forward(ps, new NDList(x), false).singletonOrThrow();
        out.add(normalise(v));
        return out;
    }

    /** Average-pools [B, C, H, W] by an integer factor until C·h·w ≤ MAX_DIMS, then flattens. */
    static NDArray pool(NDArray map) {
        Shape s = map.getShape();
        long c = s.get(1);
        long h = s.get(2);
        int f = 1;
        while (c * ceilDiv(h, f) * ceilDiv(s.get(3), f) > MAX_DIMS) {
            f++;
        }
        NDArray pooled =
                f == 1
                        ? map
                        : Pool.avgPool2d(
                                map,
                                new Shape(f, f),
                                new Shape(f, f),
                                new Shape(0, 0),
                                true,
                                false);
        return pooled.reshape(s.get(0), -1);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** Rows to unit RMS, so one learning rate suits every stage. */
    private static NDArray normalise(NDArray f) {
        double scale = Math.sqrt((double) f.getShape().get(1));
        return f.div(f.norm(new int[] {1}, true).maximum(1e-12f)).mul(scale);
    }

    private static long[] toLong(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
