package org.npid.index;

import java.util.ArrayList;
import java.util.List;

/**
 * Top-k maximum-inner-product search over unit vectors, which equals cosine similarity.
 *
 * <p>Results are ordered by descending score, ties by ascending id.
 */
public interface VectorIndex extends AutoCloseable {

    /** Number of indexed vectors. */
    int size();

    /** Dimension of the indexed vectors. */
    int dim();

    /** The {@code min(k, size())} rows with the largest inner product with {@code query}. */
    List<Hit> search(float[] query, int k);

    /** {@link #search} for every row of {@code queries}; implementations may run in parallel. */
    default List<List<Hit>> searchAll(Matrix queries, int k) {
        if (queries.cols() != dim()) {
            throw new IllegalArgumentException(
                    "queries have " + queries.cols() + " columns but the index has dim " + dim());
        }
        List<List<Hit>> out = new ArrayList<>(queries.rows());
        for (int i = 0; i < queries.rows(); i++) {
            out.add(search(queries.row(i), k));
        }
        return out;
    }

    /** Bytes this index keeps resident (heap arrays or memory-mapped pages a search touches). */
    long bytesInMemory();

    /** Narrowed to drop the checked exception: closing releases memory maps and threads only. */
    @Override
    void close();
}
