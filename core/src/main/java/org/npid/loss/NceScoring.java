package org.npid.loss;

/** How NCE scores its noise samples; all draw m uniform samples per image. */
public enum NceScoring {
    /** One [B, d]×[d, n] matmul against the whole bank, then pick the columns. */
    MATMUL,
    /** Gather the B×(m+1) rows, then a batched dot product (the official code's way). */
    GATHER,
    /**
     * One set of m uniform noise indices per batch, shared by its images (beyond the paper): each
     * image still sees m uniform noise samples, but scoring is a [B, d]×[d, m] matmul over m
     * gathered rows instead of the whole bank.
     */
    SHARED
}
