package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatrixTest {
    @Test
    void rowIsACopyOfTheRightSlice() {
        Matrix m = new Matrix(2, 3, new float[] {1, 2, 3, 4, 5, 6});
        float[] r = m.row(1);
        assertThat(r).containsExactly(4, 5, 6);
        r[0] = 99;
        assertThat(m.data()[3]).isEqualTo(4);
    }

    @Test
    void rejectsWrongLengthNamingTheFields() {
        assertThatThrownBy(() -> new Matrix(2, 3, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows * cols");
        assertThatThrownBy(() -> new Matrix(-1, 3, new float[0])).hasMessageContaining("rows");
        assertThatThrownBy(() -> new Matrix(1, 0, new float[0])).hasMessageContaining("cols");
    }

    @Test
    void rowOutOfRangeIsRejected() {
        Matrix m = Matrix.zeros(2, 2);
        assertThatThrownBy(() -> m.row(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void equalityIsByContent() {
        assertThat(new Matrix(1, 2, new float[] {1, 2}))
                .isEqualTo(new Matrix(1, 2, new float[] {1, 2}))
                .hasSameHashCodeAs(new Matrix(1, 2, new float[] {1, 2}));
    }
}
