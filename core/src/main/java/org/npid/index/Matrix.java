package org.npid.index;

import java.util.Arrays;

/**
 * Row-major float32 matrix: element (r, c) lives at {@code data[r * cols + c]}.
 *
 * <p>The array is shared, not copied, because feature banks reach hundreds of megabytes; callers
 * must not mutate it while an index built from it is in use.
 */
@SuppressWarnings("ArrayRecordComponent") // deliberate zero-copy; equals/hashCode are overridden
public record Matrix(int rows, int cols, float[] data) {

    public Matrix {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, got " + rows);
        }
        if (cols < 1) {
            throw new IllegalArgumentException("cols must be >= 1, got " + cols);
        }
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(
                    "data has "
                            + data.length
                            + " floats but rows * cols = "
                            + rows
                            + " * "
                            + cols
                            + " = "
                            + (long) rows * cols);
        }
    }

    /** A zero matrix; fails early when rows * cols would not fit in one Java array. */
    public static Matrix zeros(int rows, int cols) {
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "rows * cols = " + n + " exceeds the largest Java array; split the matrix");
        }
        return new Matrix(rows, cols, new float[(int) Math.max(0, n)]);
    }

    /** A copy of row {@code i}. */
    public float[] row(int i) {
        checkRow(i);
        int from = i * cols;
        return Arrays.copyOfRange(data, from, from + cols);
    }

    /** Offset of row {@code i} in {@link #data()}, for loops that must not copy. */
    public int offset(int i) {
        checkRow(i);
        return i * cols;
    }

    private void checkRow(int i) {
        if (i < 0 || i >= rows) {
            throw new IndexOutOfBoundsException("row " + i + " outside [0, " + rows + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m
                && m.rows == rows
                && m.cols == cols
                && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        // Printing a million-row matrix by accident would swamp any log.
        return "Matrix[" + rows + " x " + cols + "]";
    }
}
