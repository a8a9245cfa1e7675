package org.npid.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.npid.data.Batch;
import org.npid.data.BatchLoader;
import org.npid.data.ImageDataset;
import org.npid.data.ImageTransform;
import org.npid.model.NetworkInput;

/**
 * Embeds a whole data set with a network in inference mode (batch-norm running statistics, no
 * gradient), in the data set's order. Used for the recomputed-feature kNN, embeddings export and
 * search.
 */
public final class FeatureExtractor {
    private final Block network;
    private final int batchSize;
    private final int workers;

    public FeatureExtractor(Block network, int batchSize, int workers) {
        this.network = network;
        this.batchSize = batchSize;
        this.workers = workers;
    }

    /** Row-major [n, d] float32 embeddings of every image of {@code data}. */
    public float[] extract(NDManager parent, ImageDataset data, ImageTransform transform) {
        return extract(parent, data, transform, 0, 0);
    }

    /**
     * As {@link #extract(NDManager, ImageDataset, ImageTransform)}, with a random transform seeded
     * by {@code seed} and {@code epoch} (one augmented view of each image per epoch).
     */
    public float[] extract(
            NDManager parent, ImageDataset data, ImageTransform transform, long seed, int epoch) {
        // PyTorch records autograd history whenever a parameter requires grad, even for a forward
        // in inference mode; switching grad mode off saves that memory and time.
        boolean pytorch = "PyTorch".equals(parent.getEngine().getEngineName());
        boolean gradMode = pytorch && ai.djl.pytorch.jni.JniUtils.isGradMode();
        if (pytorch) {
            ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        }
        try {
            return embedAll(parent, data, transform, seed, epoch);
        } finally {
            if (pytorch) {
                ai.djl.pytorch.jni.JniUtils.setGradMode(gradMode);
            }
        }
    }

    private float[] embedAll(
            NDManager parent, ImageDataset data, ImageTransform transform, long seed, int epoch) {
        float[] out = null;
        int d = 0;
        try (BatchLoader loader =
                BatchLoader.over(data, transform, batchSize)
                        .seeded(seed, epoch)
                        .workers(workers)
                        .open()) {
            while (loader.hasNext()) {
                Batch batch = loader.next();
                try (NDManager step = parent.newSubManager()) {
                    NDArray x = input(step, batch);
                    NDList result =
                            network.forward(new ParameterStore(step, false), new NDList(x), false);
                    float[] v = result.singletonOrThrow().toFloatArray();
                    if (out == null) {
                        d = v.length / batch.batchSize();
                        out = new float[Math.multiplyExact(data.size(), d)];
                    }
                    System.arraycopy(v, 0, out, (int) batch.indices()[0] * d, v.length);
                }
            }
        }
        return out == null ? new float[0] : out;
    }

    /**
     * As {@link #extract(NDManager, ImageDataset, ImageTransform)}, with each row scaled to unit
     * length so the kNN's dot product is the cosine (for features the network does not normalise,
     * such as the pooled backbone's); an all-zero row stays zero.
     */
    public float[] extractUnitRows(NDManager parent, ImageDataset data, ImageTransform transform) {
        float[] rows = extract(parent, data, transform);
        if (rows.length == 0) {
            return rows;
        }
        int dim = rows.length / data.size();
        for (int start = 0; start < rows.length; start += dim) {
            double sq = 0;
            for (int j = start; j < start + dim; j++) {
                sq += (double) rows[j] * rows[j];
            }
            float inv = (float) (1 / Math.max(Math.sqrt(sq), 1e-12));
            for (int j = start; j < start + dim; j++) {
                rows[j] *= inv;
            }
        }
        return rows;
    }

    /** The batch's pixels as the network's input {@code [B, C, H, W]}, owned by {@code manager}. */
    public static NDArray input(NDManager manager, Batch batch) {
        return NetworkInput.of(
                manager,
                batch.pixels(),
                batch.batchSize(),
                batch.channels(),
                batch.height(),
                batch.width());
    }
}
