package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/** Helpers shared by the model tests. */
final class Nets {

    private Nets() {}

    /**
     * Gradient-bearing parameters, which is what PyTorch's {@code numel} sum over .parameters()
     * counts.
     */
    static long trainableParameters(Block block) {
        long n = 0;
        for (Parameter p : block.getParameters().values()) {
            if (p.requiresGradient()) {
                n += p.getArray().getShape().size();
            }
        }
        return n;
    }

    /** Initialises {@code block} for {@code input} and runs one forward pass. */
    static NDArray forward(NDManager m, Block block, NDArray input, boolean training) {
        block.initialize(m, DataType.FLOAT32, input.getShape());
        return block.forward(new ParameterStore(m, false), new NDList(input), training)
                .singletonOrThrow();
    }

    static NDArray images(NDManager m, long batch, long channels, long side) {
        m.getEngine().setRandomSeed(7);
        return m.randomNormal(new Shape(batch, channels, side, side));
    }
}
