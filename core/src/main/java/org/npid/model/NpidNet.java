package org.npid.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Objects;

/**
 * The NPID embedding network: a backbone (ResNet, AlexNet or VGG) and an L2-normalised head (linear
 * in the paper). Maps {@code NDList{x [B, C, H, W]}} to {@code NDList{v [B, d]}} with unit-norm
 * rows.
 */
public final class NpidNet extends AbstractBlock {

    private final NetworkShape config;
    private final Backbone backbone;
    private final EmbeddingHead head;

    private NpidNet(NetworkShape config) {
        this.config = config;
        backbone = addChildBlock("backbone", Backbone.create(config));
        head =
                addChildBlock(
                        "head",
                        new EmbeddingHead(
                                backbone.featureDim(), config.embeddingDim(), config.head()));
    }

    /**
     * Builds an uninitialised network; call {@code initialize} or hand it to a trainer.
     *
     * @param config the network shape
     * @return the network
     */
    public static NpidNet create(NetworkShape config) {
        return new NpidNet(Objects.requireNonNull(config, "config"));
    }

    /**
     * Returns the feature extractor, e.g. for linear probes.
     *
     * @return the backbone
     */
    public Backbone backbone() {
        return backbone;
    }

    /**
     * Returns the projection head.
     *
     * @return the head
     */
    public EmbeddingHead head() {
        return head;
    }

    /**
     * Returns the configuration the network was built from.
     *
     * @return the configuration
     */
    public NetworkShape config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return head.forward(ps, backbone.forward(ps, inputs, training), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return head.getOutputShapes(backbone.getOutputShapes(inputShapes));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.initialize(manager, dataType, inputShapes);
        head.initialize(manager, dataType, backbone.getOutputShapes(inputShapes));
    }
}
