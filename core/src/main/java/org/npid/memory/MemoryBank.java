package org.npid.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * The memory bank V of the paper (Sec. 3.1): one d-dimensional unit vector per training image,
 * refreshed after every step by the momentum update of Sec. 3.3,
 *
 * <pre>V[i] ← normalise(m·V[i] + (1−m)·v_i)</pre>
 *
 * <p>The bank lives in native memory so that scoring a batch against all n rows is one matmul with
 * no copy from the Java heap. It never enters the gradient: losses read it through {@link
 * #transposedForScoring} and the update runs after backward. Rows may be stored as float16, which
 * halves the bank (1M × 128 in 256 MB) at the cost of a conversion on each read.
 */
public final class MemoryBank implements AutoCloseable {
    private final NDManager manager;
    private final int size;
    private final int dim;
    private final float momentum;
    private final DataType storage;
    private NDArray rows;

    private MemoryBank(NDManager parent, NDArray initial, float momentum, DataType storage) {
        this.manager = parent.newSubManager();
        this.size = Math.toIntExact(initial.getShape().get(0));
        this.dim = Math.toIntExact(initial.getShape().get(1));
        this.momentum = momentum;
        this.storage = storage;
        // A true copy: DJL wraps heap data zero-copy, and toType(same type, copy=true) can still
        // share that storage, which the GC frees once the wrapper is gone.
        this.rows = initial.toType(storage, false).duplicate();
        this.rows.attach(manager);
    }

    /**
     * A bank of {@code size} rows drawn uniformly on the unit sphere (normalised Gaussians), from a
     * Java RNG so that the same seed gives the same bank on every engine and device.
     */
    public static MemoryBank random(
            NDManager parent, int size, int dim, float momentum, boolean float16, long seed) {
        validate(size, dim, momentum);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] data = new float[Math.multiplyExact(size, dim)];
        for (int r = 0; r < size; r++) {
            double norm2 = 0;
            for (int c = 0; c < dim; c++) {
                double g = rng.nextGaussian();
                data[r * dim + c] = (float) g;
                norm2 += g * g;
            }
            float inv = (float) (1.0 / Math.sqrt(norm2));
            for (int c = 0; c < dim; c++) {
                data[r * dim + c] *= inv;
            }
        }
        return fromArray(parent, data, size, dim, momentum, float16);
    }

    /** A bank holding the given row-major rows as they are (used to restore and in tests). */
    public static MemoryBank fromArray(
            NDManager parent, float[] data, int size, int dim, float momentum, boolean float16) {
        validate(size, dim, momentum);
        if (data.length != (long) size * dim) {
            throw new IllegalArgumentException(
                    "bank data has " + data.length + " values, expected size*dim = " + size * dim);
        }
        try (NDManager tmp = parent.newSubManager()) {
            NDArray initial = tmp.create(data, new Shape(size, dim));
            return new MemoryBank(
                    parent, initial, momentum, float16 ? DataType.FLOAT16 : DataType.FLOAT32);
        }
    }

    private static void validate(int size, int dim, float momentum) {
        if (size <= 0) {
            throw new IllegalArgumentException("bank size must be positive, got " + size);
        }
        if (dim <= 0) {
            throw new IllegalArgumentException("bank dim must be positive, got " + dim);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("bank momentum must be in [0, 1), got " + momentum);
        }
    }

    public int size() {
        return size;
    }

    public int dim() {
        return dim;
    }

    public float momentum() {
        return momentum;
    }

    public boolean isFloat16() {
        return storage == DataType.FLOAT16;
    }

    /**
     * All rows, transposed to [d, n] float32, outside the gradient, for scoring a batch in one
     * matmul {@code v · Vᵀ}. With fp32 storage this is a view of the bank (no copy); with fp16
     * storage a converted copy. Either way the handle is attached to {@code scope}, so it goes with
     * the step.
     */
    public NDArray transposedForScoring(NDManager scope) {
        NDArray t =
                storage == DataType.FLOAT32
                        ? rows.transpose()
                        : rows.toType(DataType.FLOAT32, true).transpose();
        t.attach(scope);
        return t;
    }

    /** The rows at {@code indices} (int64, shape [B]) as float32, attached to indices' manager. */
    public NDArray gather(NDArray indices) {
        NDArray picked = rows.get(indices.getManager(), new NDIndex("{}", indices));
        return picked.toType(DataType.FLOAT32, false);
    }

    /**
     * The paper's momentum update for the rows at {@code indices} given the batch's fresh
     * embeddings {@code v} [B, d]. Runs outside the gradient (v is detached first); rows come out
     * with unit norm. Temporaries live in v's manager, so they go with the step.
     *
     * <p>An index that appears several times in one batch gets one update from the mean of its
     * fresh embeddings, {@code normalise(m·V[i] + (1−m)·mean_k v_k)}: writing each occurrence's row
     * with one index_put leaves which one lands to libtorch (undefined for duplicate indices), and
     * the mean is the choice that does not depend on the order of the batch, the same one the
     * two-view objective makes for an image's two views.
     */
    public void update(NDArray indices, NDArray v) {
        update(indices, v, momentum);
    }

    /**
     * As {@link #update(NDArray, NDArray)} with another momentum for this call: 0 overwrites the
     * rows with the normalised fresh embeddings (used to replace the random start rows).
     */
    public void update(NDArray indices, NDArray v, float momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("bank momentum must be in [0, 1), got " + momentum);
        }
        NDArray fresh = v.stopGradient().toType(DataType.FLOAT32, false);
        NDArray targets = indices;
        long[] ids = indices.toLongArray();
        long[] distinct = Arrays.stream(ids).distinct().toArray();
        if (distinct.length < ids.length) {
            fresh = meanPerIndex(ids, distinct, v.getManager()).matMul(fresh);
            targets = v.getManager().create(distinct);
        }
        NDArray mixed = gather(targets).mul(momentum).add(fresh.mul(1 - momentum));
        NDArray norm = mixed.norm(new int[] {1}, true).maximum(1e-12f);
        NDArray updated = mixed.div(norm).toType(storage, false);
        rows.set(new NDIndex("{}", targets), updated);
    }

    /**
     * The [U, B] matrix that averages a batch's rows per distinct index: row u holds 1/count at
     * each batch position whose index is {@code distinct[u]}.
     */
    private static NDArray meanPerIndex(long[] ids, long[] distinct, NDManager scope) {
        Map<Long, Integer> slot = new HashMap<>();
        for (int u = 0; u < distinct.length; u++) {
            slot.put(distinct[u], u);
        }
        int[] count = new int[distinct.length];
        for (long id : ids) {
            count[slot.get(id)]++;
        }
        float[] weights = new float[distinct.length * ids.length];
        for (int b = 0; b < ids.length; b++) {
            int u = slot.get(ids[b]);
            weights[u * ids.length + b] = 1f / count[u];
        }
        return scope.create(weights, new Shape(distinct.length, ids.length));
    }

    /**
     * The rows as the learned weights of a parametric classifier (float32, inside the gradient),
     * for {@link org.npid.loss.ParametricSoftmax}; {@link #descend} then updates them.
     */
    public NDArray weightsForLearning() {
        if (storage != DataType.FLOAT32) {
            throw new IllegalStateException(
                    "the parametric softmax learns the bank's rows, which needs float32 storage:"
                            + " set bank.fp16: false");
        }
        if (!rows.hasGradient()) {
            rows.setRequiresGradient(true);
        }
        return rows;
    }

    /**
     * One optimiser step on rows learned through {@link #weightsForLearning}: {@code step} gets the
     * rows and their gradient and updates the rows in place; then the gradient is cleared (PyTorch
     * accumulates it).
     */
    public void descend(BiConsumer<NDArray, NDArray> step) {
        if (!rows.hasGradient()) {
            return;
        }
        try (NDArray grad = rows.getGradient()) {
            step.accept(rows, grad);
            grad.subi(grad);
        }
    }

    /** A copy of all rows as row-major float32 on the Java heap. */
    public float[] toFloatArray() {
        return rows.toType(DataType.FLOAT32, true).toFloatArray();
    }

    /** Replaces every row (e.g. with features recomputed under the test transform). */
    public void replaceAll(float[] data) {
        if (data.length != (long) size * dim) {
            throw new IllegalArgumentException(
                    "replacement has " + data.length + " values, bank holds " + size * dim);
        }
        try (NDManager tmp = manager.newSubManager()) {
            NDArray next =
                    tmp.create(data, new Shape(size, dim)).toType(storage, false).duplicate();
            next.attach(manager);
            rows.close();
            rows = next;
        }
    }

    /** Writes the rows in DJL's NDList format. */
    public void save(OutputStream out) throws IOException {
        try (NDManager tmp = manager.newSubManager()) {
            NDArray copy = rows.duplicate();
            copy.attach(tmp);
            new NDList(copy).encode(out);
        }
    }

    /** Reads rows written by {@link #save}, checking that the shape matches this bank. */
    public void load(InputStream in) throws IOException {
        NDList list = NDList.decode(manager, in);
        NDArray loaded = list.singletonOrThrow();
        if (!loaded.getShape().equals(new Shape(size, dim))) {
            throw new IOException(
                    "memory bank in checkpoint has shape "
                            + loaded.getShape()
                            + " but this run needs ("
                            + size
                            + ", "
                            + dim
                            + "): was the checkpoint made on another data set?");
        }
        NDArray next = loaded.toType(storage, false).duplicate();
        next.attach(manager);
        list.close();
        rows.close();
        rows = next;
    }

    /** Convenience for tools: loads a bank file written by {@link #save}. */
    public void load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            load(in);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
