package org.npid.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    private static final String DICT_F4 =
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
    private static final Matrix M = new Matrix(3, 2, new float[] {1, -2.5f, 0, 0.125f, 65504, -0f});

    @TempDir Path tmp;

    @Test
    void float32RoundTripWithLiteralHeader() throws IOException {
        Path p = tmp.resolve("a.npy");
        Npy.write(p, M, false);
        byte[] b = Files.readAllBytes(p);
        assertHeader(b, DICT_F4);
        assertThat(b).hasSize(128 + 6 * 4);
        ByteBuffer data = ByteBuffer.wrap(b, 128, 24).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(data.getFloat()).isEqualTo(1f);
        assertThat(data.getFloat()).isEqualTo(-2.5f);
        assertThat(Npy.read(p)).isEqualTo(M);
    }

    @Test
    void float16RoundTripWithLiteralHeader() throws IOException {
        Path p = tmp.resolve("h.npy");
        Npy.write(p, M, true);
        byte[] b = Files.readAllBytes(p);
        assertHeader(b, DICT_F4.replace("<f4", "<f2"));
        assertThat(b).hasSize(128 + 6 * 2);
        // 1.0 is 0x3c00 and 65504 (the largest half) is 0x7bff in binary16.
        ByteBuffer data = ByteBuffer.wrap(b, 128, 12).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(data.getShort(128)).isEqualTo((short) 0x3c00);
        assertThat(data.getShort(128 + 8)).isEqualTo((short) 0x7bff);
        // Every value of M is exactly representable in binary16.
        assertThat(Npy.read(p)).isEqualTo(M);
    }

    @Test
    void float16RoundsToNearestWithinHalfPrecision() {
        Path p = tmp.resolve("r.npy");
        Matrix m = UnitVectors.random(50, 16, 7);
        Npy.write(p, m, true);
        float[] back = Npy.read(p).data();
        for (int i = 0; i < back.length; i++) {
            assertThat(back[i]).isCloseTo(m.data()[i], org.assertj.core.data.Offset.offset(5e-4f));
        }
        assertThat(Half.toFloat(Half.fromFloat(1e-7f))).isEqualTo(1.1920929e-7f); // subnormal
        assertThat(Half.toFloat(Half.fromFloat(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Half.toFloat(Half.fromFloat(Float.NaN))).isNaN();
    }

    @Test
    void overwritesAtomicallyLeavingNoTempFiles() throws IOException {
        Path p = tmp.resolve("o.npy");
        Npy.write(p, Matrix.zeros(5, 5), false);
        Npy.write(p, M, false);
        assertThat(Npy.read(p)).isEqualTo(M);
        try (var files = Files.list(tmp)) {
            assertThat(files.toList()).containsExactly(p);
        }
    }

    @Test
    void readsVersion2Headers() throws IOException {
        Path p = tmp.resolve("v2.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }";
        Files.write(p, concat(npy(2, dict), floats(3f, 4f)));
        assertThat(Npy.read(p)).isEqualTo(new Matrix(1, 2, new float[] {3, 4}));
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        Path p = tmp.resolve("bad.npy");
        byte[] b = concat(npy(1, DICT_F4), new byte[24]);
        b[1] = 'X';
        Files.write(p, b);
        assertThatThrownBy(() -> Npy.read(p))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("\\x93NUMPY");
    }

    @Test
    void threeDimensionalShapeIsRejected() throws IOException {
        Path p = tmp.resolve("3d.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }";
        Files.write(p, concat(npy(1, dict), new byte[2 * 3 * 4 * 4]));
        assertThatThrownBy(() -> Npy.read(p))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("(2, 3, 4), a 3-D array; expected a 2-D");
    }

    @Test
    void fortranOrderIsRejectedWithAFix() throws IOException {
        Path p = tmp.resolve("f.npy");
        Files.write(p, concat(npy(1, DICT_F4.replace("False", "True")), new byte[24]));
        assertThatThrownBy(() -> Npy.read(p))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("Fortran")
                .hasMessageContaining("np.ascontiguousarray");
    }

    @Test
    void otherDtypesAndTruncationAreRejected() throws IOException {
        Path f8 = tmp.resolve("f8.npy");
        Files.write(f8, concat(npy(1, DICT_F4.replace("<f4", "<f8")), new byte[48]));
        assertThatThrownBy(() -> Npy.read(f8)).hasMessageContaining("'<f8'");
        Path cut = tmp.resolve("cut.npy");
        Files.write(cut, concat(npy(1, DICT_F4), new byte[20]));
        assertThatThrownBy(() -> Npy.read(cut)).hasMessageContaining("truncated");
        Path oneD = tmp.resolve("1d.npy");
        Files.write(oneD, concat(npy(1, DICT_F4.replace("(3, 2)", "(6,)")), new byte[24]));
        assertThatThrownBy(() -> Npy.read(oneD)).hasMessageContaining("1-D");
    }

    /** Checks magic, version 1.0, little-endian length, dict, space padding and newline. */
    private static void assertHeader(byte[] b, String dict) {
        assertThat(Arrays.copyOfRange(b, 0, 6))
                .containsExactly((byte) 0x93, 'N', 'U', 'M', 'P', 'Y');
        assertThat(b[6]).isEqualTo((byte) 1);
        assertThat(b[7]).isEqualTo((byte) 0);
        int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertThat(headerLen).isEqualTo(118);
        String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1);
        assertThat(header).isEqualTo(dict + " ".repeat(118 - dict.length() - 1) + "\n");
        assertThat((10 + headerLen) % 64).isZero();
    }

    /** A hand-made header, independent of the writer under test. */
    private static byte[] npy(int major, String dict) {
        int pre = major == 1 ? 10 : 12;
        int total = (pre + dict.length() + 1 + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) (total - pre));
        } else {
            b.putInt(total - pre);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
