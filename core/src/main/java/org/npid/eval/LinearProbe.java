package org.npid.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Multinomial logistic regression with L2 regularisation on frozen features: the linear classifier
 * of the paper's Table 2. Trained by mini-batch SGD with momentum on features fed one batch at a
 * time, so a 60,000 × 9,000 feature matrix never has to fit in memory.
 */
public final class LinearProbe implements AutoCloseable {
    private final NDManager manager;
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray weightVelocity;
    private final NDArray biasVelocity;
    private final float weightDecay;
    private final float momentum = 0.9f;

    public LinearProbe(NDManager parent, int dim, int classes, float weightDecay) {
        if (dim <= 0 || classes <= 1) {
            throw new IllegalArgumentException("probe needs dim > 0 and at least 2 classes");
        }
        this.manager = parent.newSubManager();
        this.weight = manager.zeros(new Shape(dim, classes));
        this.bias = manager.zeros(new Shape(classes));
        this.weightVelocity = manager.zeros(new Shape(dim, classes));
        this.biasVelocity = manager.zeros(new Shape(classes));
        this.weightDecay = weightDecay;
    }

    /** One SGD step on features [B, dim] with int labels [B]; returns the batch's mean loss. */
    public float step(NDArray features, NDArray labels, float lr) {
        weight.setRequiresGradient(true);
        bias.setRequiresGradient(true);
        float loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = features.matMul(weight).add(bias);
            NDArray nll = logits.logSoftmax(1).gather(labels.reshape(-1, 1), 1).mean().neg();
            NDArray total = nll.add(weight.square().sum().mul(weightDecay / 2));
            loss = nll.getFloat();
            gc.backward(total);
        }
        try (NDArray gw = weight.getGradient();
                NDArray gb = bias.getGradient()) {
            update(weight, weightVelocity, gw, lr);
            update(bias, biasVelocity, gb, lr);
            gw.subi(gw);
            gb.subi(gb);
        }
        return loss;
    }

    private void update(NDArray param, NDArray velocity, NDArray grad, float lr) {
        try (NDManager scope = manager.newSubManager()) {
            velocity.muli(momentum).addi(grad);
            NDArray delta = velocity.mul(lr);
            delta.attach(scope);
            param.subi(delta);
        }
    }

    /** The predicted class of each row of features [B, dim]. */
    public long[] predict(NDArray features) {
        return features.matMul(weight.stopGradient())
                .add(bias.stopGradient())
                .argMax(1)
                .toLongArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
