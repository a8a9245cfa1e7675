package org.npid.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.npid.index.Matrix;

/**
 * Consecutive rows of a vector table (ids ascending), the unit the all-pairs search moves and
 * multiplies: a few thousand rows keep each task's memory bounded whatever the table's size.
 */
final class VectorBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final long[] ids;
    final int[] labels;
    final float[] data;
    final int dim;

    VectorBlock(long[] ids, int[] labels, float[] data, int dim) {
        this.ids = ids;
        this.labels = labels;
        this.data = data;
        this.dim = dim;
    }

    /** A block of {@code rows}, sorted by id. */
    static VectorBlock of(Iterable<VectorRow> rows) {
        List<VectorRow> list = new ArrayList<>();
        rows.forEach(list::add);
        list.sort((a, b) -> Long.compare(a.id(), b.id()));
        int dim = list.isEmpty() ? 0 : list.get(0).vector().length;
        long[] ids = new long[list.size()];
        int[] labels = new int[list.size()];
        float[] data = new float[list.size() * dim];
        for (int i = 0; i < ids.length; i++) {
            VectorRow r = list.get(i);
            if (r.vector().length != dim) {
                throw new IllegalArgumentException(
                        "row "
                                + r.id()
                                + " has "
                                + r.vector().length
                                + " values, row "
                                + ids[0]
                                + " has "
                                + dim
                                + ": the table mixes embeddings of different networks");
            }
            ids[i] = r.id();
            labels[i] = r.label();
            System.arraycopy(r.vector(), 0, data, i * dim, dim);
        }
        return new VectorBlock(ids, labels, data, dim);
    }

    int rows() {
        return ids.length;
    }

    Matrix matrix() {
        return new Matrix(ids.length, dim, data);
    }
}
