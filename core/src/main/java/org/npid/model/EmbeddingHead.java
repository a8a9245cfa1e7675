package org.npid.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * Projects backbone features to the embedding space and normalises each row: the paper's {@code v =
 * f(x) / ||f(x)||} (Wu et al., CVPR 2018, Sec. 3.1), which puts every instance on the unit sphere
 * so that the memory bank compares them by cosine similarity.
 */
public final class EmbeddingHead extends AbstractBlock {

    /** As torch.nn.functional.normalize: guards the division for an all-zero row. */
    public static final float NORM_EPSILON = 1e-12f;

    private static final int[] ROW_AXIS = {1};

    private final int embeddingDim;
    private final Head kind;
    private final Linear hidden;
    private final BatchNorm hiddenNorm;
    private final Linear linear;

    /**
     * Creates the paper's linear head.
     *
     * @param featureDim input length
     * @param embeddingDim output length
     */
    public EmbeddingHead(int featureDim, int embeddingDim) {
        this(featureDim, embeddingDim, Head.LINEAR);
    }

    /**
     * Creates a head of the given kind. An MLP is linear (no bias), batch norm, ReLU, linear, as in
     * SimCLR; its hidden layer is as wide as its input, as in MoCo v2.
     *
     * @param featureDim input length
     * @param embeddingDim output length
     * @param kind linear or MLP
     */
    public EmbeddingHead(int featureDim, int embeddingDim, Head kind) {
        if (featureDim <= 0) {
            throw new IllegalArgumentException("featureDim must be > 0, got " + featureDim);
        }
        if (embeddingDim <= 0) {
            throw new IllegalArgumentException("embeddingDim must be > 0, got " + embeddingDim);
        }
        this.embeddingDim = embeddingDim;
        this.kind = Objects.requireNonNull(kind, "kind");
        // The hidden layer is added first and the output layer keeps the name "linear", so the
        // paper's head has the same parameter names as before MLP heads existed.
        hidden =
                kind == Head.MLP
                        ? addChildBlock(
                                "hidden",
                                Linear.builder().setUnits(featureDim).optBias(false).build())
                        : null;
        // Without it, the first MLP run's loss turned NaN in epoch 3 at τ 0.07
        // (docs/log/EXPERIMENTS.md); SimCLR puts batch norm in the same place.
        hiddenNorm = kind == Head.MLP ? addChildBlock("hidden_bn", Layers.batchNorm()) : null;
        linear = addChildBlock("linear", Linear.builder().setUnits(embeddingDim).build());
        // PyTorch's nn.Linear default: weight and bias both U(-1/sqrt(fan_in), 1/sqrt(fan_in));
        // both layers of the MLP have fan_in = featureDim, and the hidden one has no bias (batch
        // norm's shift replaces it).
        UniformInitializer pytorchDefault =
                new UniformInitializer((float) (1.0 / Math.sqrt(featureDim)));
        linear.setInitializer(pytorchDefault, Parameter.Type.WEIGHT);
        linear.setInitializer(pytorchDefault, Parameter.Type.BIAS);
        if (hidden != null) {
            hidden.setInitializer(pytorchDefault, Parameter.Type.WEIGHT);
        }
    }

    /**
     * Returns the kind of head.
     *
     * @return linear or MLP
     */
    public Head kind() {
        return kind;
    }

    /**
     * Returns the output length.
     *
     * @return the embedding dimension
     */
    public int embeddingDim() {
        return embeddingDim;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = inputs;
        if (hidden != null) {
            x = hiddenNorm.forward(ps, hidden.forward(ps, x, training), training);
            x = new NDList(Activation.relu(x.singletonOrThrow()));
        }
        NDArray y = linear.forward(ps, x, training).singletonOrThrow();
        NDArray norm = y.norm(ROW_AXIS, true).maximum(NORM_EPSILON);
        return new NDList(y.div(norm));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), embeddingDim)};
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] in = inputShapes;
        if (hidden != null) {
            hidden.initialize(manager, dataType, in);
            in = hidden.getOutputShapes(in);
            hiddenNorm.initialize(manager, dataType, in);
        }
        linear.initialize(manager, dataType, in);
    }
}
