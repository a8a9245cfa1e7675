package org.npid.export;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One protobuf message being written, field by field, with protobuf-java's encoder ({@link
 * CodedOutputStream}): the wire format without generated classes. A nested message is written whole
 * first, then added to its parent as a length-delimited field, which is how protobuf encodes it.
 * {@link OnnxGraph} uses it for the few ONNX messages a model needs; field numbers are the
 * caller's.
 */
final class ProtoMessage {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    /** A string field (UTF-8). */
    ProtoMessage string(int field, String value) {
        try {
            out.writeString(field, value);
        } catch (IOException e) {
            throw inMemory(e);
        }
        return this;
    }

    /** An int64 field (varint); repeated fields are written as one such field per element. */
    ProtoMessage int64(int field, long value) {
        try {
            out.writeInt64(field, value);
        } catch (IOException e) {
            throw inMemory(e);
        }
        return this;
    }

    /** An int32 or enum field (varint). */
    ProtoMessage int32(int field, int value) {
        try {
            out.writeInt32(field, value);
        } catch (IOException e) {
            throw inMemory(e);
        }
        return this;
    }

    /** A float field (fixed 32 bits). */
    ProtoMessage float32(int field, float value) {
        try {
            out.writeFloat(field, value);
        } catch (IOException e) {
            throw inMemory(e);
        }
        return this;
    }

    /** A bytes field. */
    ProtoMessage bytes(int field, byte[] value) {
        try {
            out.writeByteArray(field, value);
        } catch (IOException e) {
            throw inMemory(e);
        }
        return this;
    }

    /** A message field: {@code message}'s encoding, length-delimited. */
    ProtoMessage message(int field, ProtoMessage message) {
        return bytes(field, message.toByteArray());
    }

    /** The encoding of every field written so far. */
    byte[] toByteArray() {
        try {
            out.flush();
        } catch (IOException e) {
            throw inMemory(e);
        }
        return bytes.toByteArray();
    }

    /** A ByteArrayOutputStream never fails; protobuf's signatures say it might. */
    private static UncheckedIOException inMemory(IOException e) {
        return new UncheckedIOException("writing a protobuf message in memory failed", e);
    }
}
