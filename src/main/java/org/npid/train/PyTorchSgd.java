package org.npid.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.PairList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * SGD with momentum exactly as {@code torch.optim.SGD} does it (dampening 0, no Nesterov):
 *
 * <pre>g = ∇ + wd·w;  buf = μ·buf + g  (buf = g on the first step);  w = w − lr·buf</pre>
 *
 * DJL's own Sgd folds the learning rate into the momentum buffer ({@code buf = μ·buf − lr·g}), so
 * after a learning-rate drop its velocity still carries the old rate and the two diverge. The
 * learning rate is set by the training loop before each step from the schedule.
 */
public final class PyTorchSgd extends Optimizer {
    private final float momentum;
    private final float weightDecay;
    private final Map<String, NDArray> buffers = new HashMap<>();
    private volatile float learningRate;

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
        // Temporaries go in a scope of their own: the gradient lives in the model's long-lived
        // manager, and anything derived from it would otherwise pile up there step after step.
        try (NDManager scope = weight.getManager().newSubManager()) {
            NDArray g = grad;
            if (weightDecay != 0) {
                NDArray decay = weight.mul(weightDecay);
                decay.attach(scope);
                g = grad.add(decay);
                g.attach(scope);
            }
            NDArray buf = buffers.get(parameterId);
            if (buf == null) {
                buf = g.duplicate();
                buf.attach(weight.getManager());
                buffers.put(parameterId, buf);
            } else {
                buf.muli(momentum).addi(g);
            }
            NDArray delta = buf.mul(learningRate);
            delta.attach(scope);
            weight.subi(delta);
        }
    }

    /** Writes the momentum buffers keyed by the parameters' structural names (ids are random). */
    public void save(PairList<String, Parameter> parameters, OutputStream out) throws IOException {
        NDList list = new NDList();
        for (var pair : parameters) {
            NDArray buf = buffers.get(pair.getValue().getId());
            if (buf != null) {
                NDArray named = buf.duplicate();
                named.setName(pair.getKey());
                list.add(named);
            }
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
        buffers.values().forEach(NDArray::close);
        buffers.clear();
        for (var pair : parameters) {
            NDArray buf = byName.get(pair.getKey());
            if (buf != null) {
                buffers.put(pair.getValue().getId(), buf);
            }
        }
    }

    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
