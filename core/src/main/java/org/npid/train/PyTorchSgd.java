package org.npid.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * SGD with momentum exactly as {@code torch.optim.SGD} does it (dampening 0, no Nesterov):
 *
 * <pre>g = ∇ + wd·w;  buf = μ·buf + g  (buf = g on the first step);  w = w − lr·buf</pre>
 *
 * DJL's own Sgd folds the learning rate into the momentum buffer ({@code buf = μ·buf − lr·g}), so
 * after a learning-rate drop its velocity still carries the old rate and the two diverge. The
 * learning rate is set by the training loop before each step from the schedule.
 *
 * <p>Each parameter is updated by one native call, DJL's fused {@code sgdUpdate}, instead of six
 * tensor operations issued from Java (each its own JNI crossing and temporary array). That kernel
 * keeps DJL's velocity {@code v = lr·buf}; passing it the momentum {@code μ·lr/lr'}, where lr' is
 * the rate {@code v} was last scaled by, advances it to exactly {@code lr·buf} of the formula
 * above, so the schedule's rate changes stay torch's. Checkpoints hold torch's {@code buf}.
 */
public final class PyTorchSgd extends Optimizer {
    private final float momentum;
    private final float weightDecay;

    /** Suffix of the checkpoint entry holding a velocity's scale beside the velocity. */
    private static final String SCALE = "#scale";

    private final Map<String, Velocity> velocities = new HashMap<>();

    /**
     * Ids of the arrays stepped through {@link #updateOutside}: stable names, saved as they are
     * beside the parameters' structural names.
     */
    private final Set<String> outside = new HashSet<>();

    private volatile float learningRate;

    /** One parameter's velocity {@code v = scale · buf}. */
    private static final class Velocity {
        final NDArray v;
        float scale;

        Velocity(NDArray v, float scale) {
            this.v = v;
            this.scale = scale;
        }
    }

    public PyTorchSgd(float learningRate, float momentum, float weightDecay) {
        super(new Builder());
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight_decay must be >= 0, got " + weightDecay);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    public float learningRate() {
        return learningRate;
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        Velocity velocity =
                velocities.computeIfAbsent(parameterId, id -> new Velocity(weight.zerosLike(), 1f));
        float lr = learningRate;
        if (lr == 0) {
            holdBuffer(velocity, weight, grad);
            return;
        }
        JniUtils.sgdUpdate(
                (PtNDArray) weight,
                (PtNDArray) grad,
                (PtNDArray) velocity.v,
                lr,
                weightDecay,
                1f, // no gradient rescaling
                -1f, // no clipping
                momentum * lr / velocity.scale);
        velocity.scale = lr;
    }

    /**
     * The same step for an array that is not one of the model's parameters (the parametric
     * baseline's classifier, held in the memory bank's rows), its buffer kept under {@code name} in
     * checkpoints so that a resumed run continues exactly.
     */
    public void updateOutside(String name, NDArray weight, NDArray grad) {
        outside.add(name);
        update(name, weight, grad);
    }

    /**
     * At a zero rate the weights stay put but torch's buffer still moves, and {@code lr·buf} would
     * lose it: keep the buffer itself ({@code scale = 1}) until the rate is positive again.
     */
    private void holdBuffer(Velocity velocity, NDArray weight, NDArray grad) {
        // Temporaries go in a scope of their own: the gradient lives in the model's long-lived
        // manager, and anything derived from it would otherwise pile up there step after step.
        try (NDManager scope = weight.getManager().newSubManager()) {
            NDArray decay = weight.mul(weightDecay);
            decay.attach(scope);
            NDArray g = grad.add(decay);
            g.attach(scope);
            velocity.v.muli(momentum / velocity.scale).addi(g);
            velocity.scale = 1f;
        }
    }

    /**
     * Writes the velocities and their scales keyed by the parameters' structural names (ids are
     * random).
     */
    public void save(PairList<String, Parameter> parameters, OutputStream out) throws IOException {
        NDList list = new NDList();
        for (var pair : parameters) {
            Velocity velocity = velocities.get(pair.getValue().getId());
            if (velocity != null) {
                NDArray named = velocity.v.duplicate();
                named.setName(pair.getKey());
                list.add(named);
                NDArray scale = velocity.v.getManager().create(new float[] {velocity.scale});
                scale.setName(pair.getKey() + SCALE);
                list.add(scale);
            }
        }
        for (String name : outside) {
            Velocity velocity = velocities.get(name);
            NDArray named = velocity.v.duplicate();
            named.setName(name);
            list.add(named);
            NDArray scale = velocity.v.getManager().create(new float[] {velocity.scale});
            scale.setName(name + SCALE);
            list.add(scale);
        }
        try {
            list.encode(out);
        } finally {
            list.close();
        }
    }

    /** Restores buffers written by {@link #save}, matching them to parameters by name. */
    public void load(PairList<String, Parameter> parameters, NDManager manager, InputStream in)
            throws IOException {
        NDList list = NDList.decode(manager, in);
        Map<String, NDArray> byName = new HashMap<>();
        for (NDArray a : list) {
            byName.put(a.getName(), a);
        }
        velocities.values().forEach(v -> v.v.close());
        velocities.clear();
        outside.clear();
        for (var pair : parameters) {
            NDArray v = byName.remove(pair.getKey());
            if (v != null) {
                velocities.put(pair.getValue().getId(), velocity(v, byName, pair.getKey()));
            }
        }
        for (var entry : byName.entrySet()) {
            String name = entry.getKey();
            if (!name.endsWith(SCALE)) {
                outside.add(name);
                velocities.put(name, velocity(entry.getValue(), byName, name));
            }
        }
    }

    /** The velocity saved under {@code name}, with its scale (1 in files from before scales). */
    private static Velocity velocity(NDArray v, Map<String, NDArray> byName, String name) {
        NDArray scale = byName.get(name + SCALE);
        return new Velocity(v, scale == null ? 1f : scale.getFloat(0));
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
