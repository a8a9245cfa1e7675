package org.npid.index;

import java.util.List;

/**
 * Top-k maximum-inner-product search over unit vectors, which equals cosine similarity: the one
 * nearest-neighbour layer behind kNN evaluation, search, serving and reports. {@link ExactIndex} is
 * the ground truth; {@link InvertedLists} and {@link HnswIndex} trade recall for speed.
 */
public interface VectorIndex extends AutoCloseable {

    /** Number of indexed vectors. */
    int size();

    /** Dimension of the indexed vectors. */
    int dim();

    /**
     * The {@code min(k, size())} rows with the largest inner product with {@code query}, by
     * descending score, ties by ascending id.
     */
    List<Hit> search(float[] query, int k);

    /**
     * The {@code min(k, size())} best rows of every row of {@code queries}, in the compact form a
     * 10k-query evaluation needs (unordered within a query: see {@link Neighbours#hits} for the
     * ranking); implementations may run in parallel.
     */
    Neighbours searchAll(Matrix queries, int k);

    /** Bytes this index keeps resident (heap arrays or memory-mapped pages a search touches). */
    long bytesInMemory();

    /** Narrowed to drop the checked exception: closing releases memory maps and threads only. */
    @Override
    void close();
}
