package org.npid.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph being built (nodes, float32 initializers, inputs and outputs) and written as an
 * ONNX {@code ModelProto}. Only the messages a feed-forward float32 network needs are written:
 * ModelProto, OperatorSetIdProto, StringStringEntryProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto, TypeProto (its Tensor) and TensorShapeProto (its Dimension). The
 * field numbers are those of {@code onnx/onnx.proto} (ONNX 1.12, IR version 8), named below as
 * {@code Message.field = number}. Repeated scalars are written unpacked, proto2's default for
 * onnx.proto; every protobuf parser reads both forms.
 */
final class OnnxGraph {

    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_DOMAIN = 4;
    private static final int MODEL_VERSION = 5;
    private static final int MODEL_DOC_STRING = 6;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_METADATA_PROPS = 14;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    // StringStringEntryProto
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_DOC_STRING = 10;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    // AttributeProto and its AttributeType enum
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_F = 2;
    private static final int ATTRIBUTE_I = 3;
    private static final int ATTRIBUTE_INTS = 8;
    private static final int ATTRIBUTE_TYPE = 20;
    private static final int TYPE_FLOAT = 1;
    private static final int TYPE_INT = 2;
    private static final int TYPE_INTS = 7;
    // TensorProto and its DataType enum
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    static final int FLOAT = 1;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int VALUE_INFO_DOC_STRING = 3;
    private static final int TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    /** One attribute of a node. */
    record Attribute(ProtoMessage message) {
        /** An INT attribute. */
        static Attribute of(String name, long value) {
            return new Attribute(
                    new ProtoMessage()
                            .string(ATTRIBUTE_NAME, name)
                            .int32(ATTRIBUTE_TYPE, TYPE_INT)
                            .int64(ATTRIBUTE_I, value));
        }

        /** A FLOAT attribute. */
        static Attribute of(String name, float value) {
            return new Attribute(
                    new ProtoMessage()
                            .string(ATTRIBUTE_NAME, name)
                            .int32(ATTRIBUTE_TYPE, TYPE_FLOAT)
                            .float32(ATTRIBUTE_F, value));
        }

        /** An INTS attribute. */
        static Attribute ints(String name, long... values) {
            ProtoMessage m =
                    new ProtoMessage()
                            .string(ATTRIBUTE_NAME, name)
                            .int32(ATTRIBUTE_TYPE, TYPE_INTS);
            for (long v : values) {
                m.int64(ATTRIBUTE_INTS, v);
            }
            return new Attribute(m);
        }
    }

    private final List<ProtoMessage> nodes = new ArrayList<>();
    private final List<ProtoMessage> initializers = new ArrayList<>();
    private final List<ProtoMessage> inputs = new ArrayList<>();
    private final List<ProtoMessage> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private long parameters;

    /**
     * Adds a float32 initializer (a constant tensor).
     *
     * @param name its name, unique in the graph
     * @param dims its shape
     * @param littleEndian its values, row-major, 4 little-endian bytes each
     * @return {@code name}
     */
    String initializer(String name, List<Long> dims, byte[] littleEndian) {
        claim(name);
        long count = 1;
        ProtoMessage t = new ProtoMessage();
        for (long d : dims) {
            t.int64(TENSOR_DIMS, d);
            count *= d;
        }
        if (count * Float.BYTES != littleEndian.length) {
            throw new IllegalArgumentException(
                    name + ": " + littleEndian.length + " bytes for shape " + dims);
        }
        t.int32(TENSOR_DATA_TYPE, FLOAT)
                .string(TENSOR_NAME, name)
                .bytes(TENSOR_RAW_DATA, littleEndian);
        initializers.add(t);
        parameters += count;
        return name;
    }

    /**
     * Adds a float32 initializer from values.
     *
     * @param name its name, unique in the graph
     * @param dims its shape
     * @param values its values, row-major
     * @return {@code name}
     */
    String initializer(String name, List<Long> dims, float... values) {
        ByteBuffer b =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return initializer(name, dims, b.array());
    }

    /**
     * Adds a node of the default ONNX domain with one output.
     *
     * @param op the operator, e.g. {@code Conv}
     * @param output the name of its output, unique in the graph
     * @param in its inputs, in the operator's order
     * @param attributes its attributes
     * @return {@code output}
     */
    String node(String op, String output, List<String> in, Attribute... attributes) {
        claim(output);
        ProtoMessage n = new ProtoMessage();
        for (String i : in) {
            if (!names.contains(i)) {
                throw new IllegalStateException(op + " " + output + " reads unknown " + i);
            }
            n.string(NODE_INPUT, i);
        }
        n.string(NODE_OUTPUT, output).string(NODE_NAME, output).string(NODE_OP_TYPE, op);
        for (Attribute a : attributes) {
            n.message(NODE_ATTRIBUTE, a.message());
        }
        nodes.add(n);
        return output;
    }

    /**
     * Declares a float32 graph input.
     *
     * @param name its name
     * @param doc what it holds
     * @param dims each a {@link Long} (a fixed size) or a {@link String} (a named free size)
     * @return {@code name}
     */
    String input(String name, String doc, Object... dims) {
        claim(name);
        inputs.add(valueInfo(name, doc, dims));
        return name;
    }

    /**
     * Declares a graph output, computed by a node already added.
     *
     * @param name the node output it is
     * @param doc what it holds
     * @param dims each a {@link Long} or a {@link String}
     */
    void output(String name, String doc, Object... dims) {
        if (!names.contains(name)) {
            throw new IllegalStateException("no node computes the output " + name);
        }
        outputs.add(valueInfo(name, doc, dims));
    }

    /** Number of nodes added. */
    int nodeCount() {
        return nodes.size();
    }

    /** Number of initializers added. */
    int initializerCount() {
        return initializers.size();
    }

    /** Number of float32 values in the initializers. */
    long parameters() {
        return parameters;
    }

    /**
     * The graph as a complete ModelProto.
     *
     * @param graphName the graph's name
     * @param doc the graph's and the model's description
     * @param irVersion the ONNX IR version
     * @param opset the version of the default operator set
     * @param producer the producer's name
     * @param producerVersion the producer's version
     * @param metadata key-value pairs for the model's {@code metadata_props}, in order
     * @return the serialised model
     */
    byte[] model(
            String graphName,
            String doc,
            long irVersion,
            long opset,
            String producer,
            String producerVersion,
            Map<String, String> metadata) {
        ProtoMessage graph = new ProtoMessage();
        for (ProtoMessage n : nodes) {
            graph.message(GRAPH_NODE, n);
        }
        graph.string(GRAPH_NAME, graphName);
        for (ProtoMessage t : initializers) {
            graph.message(GRAPH_INITIALIZER, t);
        }
        graph.string(GRAPH_DOC_STRING, doc);
        for (ProtoMessage i : inputs) {
            graph.message(GRAPH_INPUT, i);
        }
        for (ProtoMessage o : outputs) {
            graph.message(GRAPH_OUTPUT, o);
        }
        ProtoMessage model =
                new ProtoMessage()
                        .int64(MODEL_IR_VERSION, irVersion)
                        .string(MODEL_PRODUCER_NAME, producer)
                        .string(MODEL_PRODUCER_VERSION, producerVersion)
                        .string(MODEL_DOMAIN, "org.npid")
                        .int64(MODEL_VERSION, 1)
                        .string(MODEL_DOC_STRING, doc)
                        .message(MODEL_GRAPH, graph)
                        .message(
                                MODEL_OPSET_IMPORT,
                                new ProtoMessage()
                                        .string(OPSET_DOMAIN, "")
                                        .int64(OPSET_VERSION, opset));
        metadata.forEach(
                (k, v) ->
                        model.message(
                                MODEL_METADATA_PROPS,
                                new ProtoMessage().string(ENTRY_KEY, k).string(ENTRY_VALUE, v)));
        return model.toByteArray();
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("two values of the graph are named " + name);
        }
    }

    private static ProtoMessage valueInfo(String name, String doc, Object... dims) {
        ProtoMessage shape = new ProtoMessage();
        for (Object d : dims) {
            ProtoMessage dim = new ProtoMessage();
            if (d instanceof Long size) {
                dim.int64(DIM_VALUE, size);
            } else if (d instanceof String param) {
                dim.string(DIM_PARAM, param);
            } else {
                throw new IllegalArgumentException("a dimension is a Long or a String, not " + d);
            }
            shape.message(SHAPE_DIM, dim);
        }
        ProtoMessage tensor =
                new ProtoMessage()
                        .int32(TENSOR_TYPE_ELEM_TYPE, FLOAT)
                        .message(TENSOR_TYPE_SHAPE, shape);
        return new ProtoMessage()
                .string(VALUE_INFO_NAME, name)
                .message(VALUE_INFO_TYPE, new ProtoMessage().message(TYPE_TENSOR_TYPE, tensor))
                .string(VALUE_INFO_DOC_STRING, doc);
    }
}
