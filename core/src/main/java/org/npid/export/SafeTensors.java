package org.npid.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.npid.storage.AtomicFile;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}},
 * then the tensors' raw little-endian bytes back to back. Chosen for export because PyTorch, JAX
 * and most model hubs read it without unpickling code, and a plain numpy script can parse it.
 */
public final class SafeTensors {

    /** The element types npid writes: weights are float32, BN's batch counters int64. */
    public enum DType {
        F32(Float.BYTES),
        I64(Long.BYTES);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One tensor: its element type, shape (empty for a scalar) and row-major little-endian bytes.
     */
    @SuppressWarnings("ArrayRecordComponent") // Written and read whole, never compared.
    public record Tensor(DType dtype, List<Long> shape, byte[] data) {
        /** Checks that the bytes hold exactly the elements the shape says. */
        public Tensor {
            Objects.requireNonNull(dtype, "dtype");
            shape = List.copyOf(shape);
            long n = 1;
            for (long s : shape) {
                if (s < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + shape);
                }
                n = Math.multiplyExact(n, s);
            }
            if ((long) data.length != Math.multiplyExact(n, dtype.bytes())) {
                throw new IllegalArgumentException(
                        "shape "
                                + shape
                                + " of "
                                + dtype
                                + " needs "
                                + n * dtype.bytes()
                                + " bytes, got "
                                + data.length);
            }
        }

        /** A float32 tensor of {@code values} in row-major order. */
        public static Tensor f32(List<Long> shape, float[] values) {
            ByteBuffer b =
                    ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return new Tensor(DType.F32, shape, b.array());
        }

        /** An int64 tensor of {@code values} in row-major order. */
        public static Tensor i64(List<Long> shape, long... values) {
            ByteBuffer b =
                    ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            return new Tensor(DType.I64, shape, b.array());
        }

        /** The elements of a float32 tensor. */
        public float[] floats() {
            if (dtype != DType.F32) {
                throw new IllegalStateException("tensor is " + dtype + ", not F32");
            }
            float[] out = new float[data.length / Float.BYTES];
            ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
    }

    /** The header's JSON and the length it was stored with. */
    public record Header(long length, JsonNode json) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The format's own key for free-form string metadata. */
    public static final String METADATA = "__metadata__";

    /**
     * Readers such as the Rust safetensors crate mmap the file and view each tensor in place;
     * padding the header with spaces to a multiple of 8 keeps every tensor 8-byte aligned.
     */
    private static final int ALIGNMENT = 8;

    /** Upper bound of the header the reader accepts, as the reference implementation (100 MB). */
    private static final long MAX_HEADER = 100_000_000L;

    private SafeTensors() {}

    /**
     * Writes {@code tensors}, sorted by name, and {@code metadata} to {@code file}: a temporary
     * file beside it is written, synced and renamed over {@code file}, so a failed export never
     * leaves half a file under the name a user asked for.
     *
     * @param file the .safetensors file
     * @param tensors tensors by name
     * @param metadata string metadata, stored under {@value #METADATA}
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        if (sorted.containsKey(METADATA)) {
            throw new IllegalArgumentException(METADATA + " is reserved for metadata");
        }
        byte[] header = header(sorted, metadata);
        AtomicFile.writeStream(
                file,
                out -> {
                    ByteBuffer length =
                            ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                    length.putLong(header.length);
                    out.write(length.array());
                    out.write(header);
                    for (Tensor t : sorted.values()) {
                        out.write(t.data());
                    }
                });
    }

    private static byte[] header(Map<String, Tensor> sorted, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(METADATA);
        new TreeMap<>(metadata).forEach(meta::put);
        long offset = 0;
        for (var e : sorted.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode n = root.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            ArrayNode shape = n.putArray("shape");
            t.shape().forEach(shape::add);
            long end = offset + t.data().length;
            n.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /**
     * Reads the header of a safetensors file.
     *
     * @param file the file
     * @return the header length and JSON
     * @throws IOException when the file cannot be read or is not safetensors
     */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, len, file);
            long n = len.flip().getLong();
            if (n < 2 || n > MAX_HEADER || n > ch.size() - Long.BYTES) {
                throw new IOException(
                        file + " is not a safetensors file (header length " + n + ")");
            }
            ByteBuffer json = ByteBuffer.allocate((int) n);
            readFully(ch, json, file);
            return new Header(n, JSON.readTree(json.array()));
        }
    }

    /**
     * Reads every tensor of a safetensors file (the metadata is in {@link #readHeader}).
     *
     * @param file the file
     * @return tensors by name, in the order of their data
     * @throws IOException when the file cannot be read or does not match its header
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        Header h = readHeader(file);
        byte[] all = Files.readAllBytes(file);
        long base = Long.BYTES + h.length();
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = h.json().fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getKey().equals(METADATA)) {
                fields.add(e);
            }
        }
        fields.sort((a, b) -> Long.compare(begin(a.getValue()), begin(b.getValue())));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : fields) {
            JsonNode n = e.getValue();
            long begin = base + begin(n);
            long end = base + n.get("data_offsets").get(1).asLong();
            if (begin > end || end > all.length) {
                throw new IOException(file + ": tensor " + e.getKey() + " lies outside the file");
            }
            List<Long> shape = new ArrayList<>();
            n.get("shape").forEach(d -> shape.add(d.asLong()));
            byte[] data = java.util.Arrays.copyOfRange(all, (int) begin, (int) end);
            out.put(e.getKey(), new Tensor(DType.valueOf(n.get("dtype").asText()), shape, data));
        }
        return out;
    }

    private static long begin(JsonNode tensor) {
        return tensor.get("data_offsets").get(0).asLong();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, Path file) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException(file + " ends early: it is not a complete safetensors file");
            }
        }
    }
}
