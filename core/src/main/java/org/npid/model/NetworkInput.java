package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/** Pixels as a network's input tensor; shared by training and evaluation. */
public final class NetworkInput {
    private NetworkInput() {}

    /**
     * {@code pixels} (C order, {@code n·channels·height·width} floats) as an NDArray of shape
     * {@code [n, channels, height, width]}, owned by {@code manager}.
     */
    public static NDArray of(
            NDManager manager, float[] pixels, int n, int channels, int height, int width) {
        return manager.create(FloatBuffer.wrap(pixels), new Shape(n, channels, height, width));
    }
}
