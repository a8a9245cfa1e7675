package org.npid.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.npid.storage.AtomicFile;

/**
 * Reads and writes 2-D float arrays in the NumPy {@code .npy} format (little-endian, C order), so
 * feature banks move between npid and Python without conversion scripts.
 *
 * @see <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">format</a>
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The spec aligns the data to 64 bytes so that it can be memory-mapped efficiently. */
    private static final int ALIGN = 64;

    /** Bytes moved per I/O call: large enough for throughput, small enough to stay off-heap. */
    private static final int CHUNK = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(\\w+)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * Writes {@code m} as {@code '<f4'}, or {@code '<f2'} when {@code float16} (half the size;
     * about three significant digits, ample for unit-norm features). The file appears atomically: a
     * reader never sees a half-written array.
     */
    public static void write(Path p, Matrix m, boolean float16) {
        byte[] header = header(float16 ? "<f2" : "<f4", m.rows(), m.cols());
        try {
            AtomicFile.write(
                    p,
                    ch -> {
                        writeFully(ch, ByteBuffer.wrap(header));
                        writeData(ch, m.data(), float16);
                    });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }

    /** Reads a 2-D {@code '<f4'} or {@code '<f2'} array written in C order (format 1.0 or 2.0). */
    public static Matrix read(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, p, "the preamble");
            pre.flip();
            byte[] magic = new byte[MAGIC.length];
            pre.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new NpyFormatException(
                        p + " is not a .npy file: it does not start with \\x93NUMPY");
            }
            int major = pre.get() & 0xff;
            int minor = pre.get() & 0xff;
            long headerLen;
            int preamble;
            if (major == 1) {
                headerLen = pre.getShort() & 0xffff;
                preamble = 10;
            } else if (major == 2 || major == 3) {
                headerLen = pre.getInt() & 0xffffffffL;
                preamble = 12;
            } else {
                throw new NpyFormatException(
                        p
                                + " uses .npy format version "
                                + major
                                + "."
                                + minor
                                + "; only 1.x, 2.x and 3.x are supported");
            }
            if (headerLen > 1 << 20) {
                throw new NpyFormatException(
                        p + " declares a " + headerLen + "-byte header; the file is corrupt");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.position(preamble);
            readFully(ch, hb, p, "the header");
            // Version 3 allows UTF-8 in field names; 1 and 2 are Latin-1. ASCII is common to all.
            String header =
                    new String(
                            hb.array(),
                            major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parseHeader(p, header);
            long dataStart = preamble + headerLen;
            long expected = dataStart + (long) h.rows * h.cols * h.itemSize;
            long actual = ch.size();
            if (actual != expected) {
                throw new NpyFormatException(
                        p
                                + " holds "
                                + (actual - dataStart)
                                + " data bytes but shape ("
                                + h.rows
                                + ", "
                                + h.cols
                                + ") of "
                                + h.descr
                                + " needs "
                                + (expected - dataStart)
                                + "; the file is truncated or corrupt");
            }
            Matrix m = Matrix.zeros(h.rows, h.cols);
            ch.position(dataStart);
            readData(ch, m.data(), h.itemSize == 2, p);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private record Header(String descr, int rows, int cols, int itemSize) {}

    private static Header parseHeader(Path p, String header) {
        String descr = group(DESCR, header, p, "descr");
        int itemSize;
        if (descr.equals("<f4")) {
            itemSize = 4;
        } else if (descr.equals("<f2")) {
            itemSize = 2;
        } else {
            throw new NpyFormatException(
                    p
                            + " has dtype '"
                            + descr
                            + "'; only '<f4' (float32) and '<f2' (float16)"
                            + " are supported: convert with arr.astype('<f4')");
        }
        String fortran = group(FORTRAN, header, p, "fortran_order");
        if (fortran.equals("True")) {
            throw new NpyFormatException(
                    p
                            + " is stored in Fortran (column-major) order; save it in C order with"
                            + " np.save(path, np.ascontiguousarray(arr))");
        }
        if (!fortran.equals("False")) {
            throw new NpyFormatException(
                    p + " has fortran_order '" + fortran + "'; expected True or False");
        }
        String shape = group(SHAPE, header, p, "shape").trim();
        String[] dims = shape.isEmpty() ? new String[0] : shape.split("\\s*,\\s*", -1);
        int n = dims.length;
        if (n > 0 && dims[n - 1].isEmpty()) {
            n--; // a trailing comma, as in "(5,)"
        }
        if (n != 2) {
            throw new NpyFormatException(
                    p
                            + " has shape ("
                            + shape
                            + "), a "
                            + n
                            + "-D array; expected a 2-D"
                            + " (rows, cols) matrix");
        }
        return new Header(descr, dim(dims[0], p, shape), dim(dims[1], p, shape), itemSize);
    }

    private static int dim(String s, Path p, String shape) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Fall through to the shared error below.
        }
        throw new NpyFormatException(
                p + " has shape (" + shape + "); dimensions must be integers in [0, 2^31)");
    }

    private static String group(Pattern pattern, String header, Path p, String key) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw new NpyFormatException(
                    p + " has no valid '" + key + "' in its header: " + header.trim());
        }
        return m.group(1);
    }

    /** Magic, version, length and dict, padded with spaces to a multiple of 64 ending in '\n'. */
    static byte[] header(String descr, int rows, int cols) {
        String dict =
                "{'descr': '"
                        + descr
                        + "', 'fortran_order': False, 'shape': ("
                        + rows
                        + ", "
                        + cols
                        + "), }";
        boolean v1 = 10 + dict.length() + 1 <= 0xffff;
        int preamble = v1 ? 10 : 12;
        int total = (preamble + dict.length() + 1 + ALIGN - 1) / ALIGN * ALIGN;
        int headerLen = total - preamble;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            b.putShort((short) headerLen);
        } else {
            b.putInt(headerLen);
        }
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static void writeData(FileChannel ch, float[] data, boolean float16)
            throws IOException {
        inChunks(
                data.length,
                float16,
                (buf, from, n) -> {
                    if (float16) {
                        for (int i = 0; i < n; i++) {
                            buf.putShort(Half.fromFloat(data[from + i]));
                        }
                    } else {
                        buf.asFloatBuffer().put(data, from, n);
                        buf.position(n * 4);
                    }
                    buf.flip();
                    writeFully(ch, buf);
                });
    }

    private static void readData(FileChannel ch, float[] data, boolean float16, Path p)
            throws IOException {
        inChunks(
                data.length,
                float16,
                (buf, from, n) -> {
                    buf.limit(n * itemSize(float16));
                    readFully(ch, buf, p, "the data");
                    buf.flip();
                    if (float16) {
                        for (int i = 0; i < n; i++) {
                            data[from + i] = Half.toFloat(buf.getShort());
                        }
                    } else {
                        buf.asFloatBuffer().get(data, from, n);
                    }
                });
    }

    /** Moves items {@code from} to {@code from + n} through the cleared {@code buf}. */
    @FunctionalInterface
    private interface Chunk {
        void transfer(ByteBuffer buf, int from, int n) throws IOException;
    }

    /** Reading and writing walk the items alike, a buffer of {@link #CHUNK} bytes at a time. */
    private static void inChunks(int items, boolean float16, Chunk chunk) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK / itemSize(float16);
        for (int from = 0; from < items; from += perChunk) {
            buf.clear();
            chunk.transfer(buf, from, Math.min(perChunk, items - from));
        }
    }

    private static int itemSize(boolean float16) {
        return float16 ? 2 : 4;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path p, String what)
            throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new NpyFormatException(
                        p + " ends inside " + what + "; the file is truncated");
            }
        }
    }
}
