package org.npid.model;

/** The layers between the pooled backbone features and the L2-normalised embedding. */
public enum Head {
    /** The paper's single linear layer (Wu et al., CVPR 2018, Sec. 3.1). */
    LINEAR,
    /**
     * Linear, batch norm, ReLU, linear, as in SimCLR: the instance task's invariances are learned
     * in the head, so the backbone features below it keep more of what classes share. Evaluate it
     * on the backbone features ({@code knn_features: backbone}).
     */
    MLP
}
