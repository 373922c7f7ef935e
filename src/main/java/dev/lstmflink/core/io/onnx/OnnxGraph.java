package dev.lstmflink.core.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of an ONNX {@code ModelProto} an LSTM import needs: the main graph's nodes (op type, inputs, outputs,
 * attributes), its initializers and its outputs' names, decoded from the protobuf wire format with the field numbers of
 * {@code onnx/onnx.proto}:
 * <pre>
 *   ModelProto       2 producer_name, 3 producer_version, 7 graph
 *   GraphProto       1 node, 5 initializer, 12 output
 *   NodeProto        1 input, 2 output, 3 name, 4 op_type, 5 attribute, 7 domain
 *   AttributeProto   1 name, 2 f, 3 i, 4 s, 5 t, 7 floats, 8 ints, 9 strings, 20 type
 *   TensorProto      1 dims, 2 data_type, 4 float_data, 8 name, 9 raw_data, 10 double_data, 14 data_location
 *   ValueInfoProto   1 name
 * </pre>
 * Every other field (subgraphs, functions, value infos other than the outputs' names, training info) is skipped
 * unread, so nesting is bounded.
 */
final class OnnxGraph {

    /** TensorProto.DataType values read as numbers. */
    static final int FLOAT = 1;
    static final int DOUBLE = 11;
    private static final String[] TYPE_NAMES = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
        "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};

    /**
     * A tensor: its shape and, for FLOAT and DOUBLE, its values in row-major order (null for other types).
     *
     * @param external whether its data lives in an external file ({@code data_location = EXTERNAL})
     */
    record Tensor(String name, long[] dims, int dataType, double[] values, boolean external) {

        String typeName() {
            return dataType >= 0 && dataType < TYPE_NAMES.length ? TYPE_NAMES[dataType] : "type " + dataType;
        }
    }

    /** An attribute; only the field its type uses is set. */
    record Attribute(String name, int type, float f, long i, String s, Tensor t, List<Float> floats, List<Long> ints,
                     List<String> strings) {}

    /**
     * A node.
     *
     * @param index its position in the graph's node list (0-based), which names it in messages when it has no name
     */
    record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                Map<String, Attribute> attributes, int index) {

        /**
         * The node as messages name it: {@code 'name'}, or {@code #index (unnamed)} when its name is empty (ONNX's
         * {@code NodeProto.name} is optional).
         */
        String label() {
            return name.isEmpty() ? "#" + index + " (unnamed)" : "'" + name + "'";
        }

        /** Input k, or "" when absent (ONNX marks a skipped optional input with an empty name). */
        String input(int k) {
            return k < inputs.size() ? inputs.get(k) : "";
        }
    }

    final List<Node> nodes = new ArrayList<>();
    final Map<String, Tensor> initializers = new LinkedHashMap<>();
    /** The names of the graph's outputs (what a runtime returns). */
    final Set<String> outputs = new LinkedHashSet<>();
    String producer = "";

    private OnnxGraph() {}

    static OnnxGraph parse(byte[] bytes, String source) throws OnnxFormatException {
        OnnxGraph g = new OnnxGraph();
        ProtoReader model = new ProtoReader(bytes, 0, bytes.length, source);
        boolean hasGraph = false;
        String name = "";
        String version = "";
        while (model.next()) {
            switch (model.field()) {
                case 2 -> name = model.string();
                case 3 -> version = model.string();
                case 7 -> {
                    g.readGraph(model.message(), source);
                    hasGraph = true;
                }
                default -> model.skip();
            }
        }
        if (!hasGraph) {
            throw new OnnxFormatException(source, "no graph (field 7 of ModelProto): not an ONNX model");
        }
        g.producer = (name + " " + version).trim();
        return g;
    }

    private void readGraph(ProtoReader r, String source) throws OnnxFormatException {
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    try {
                        nodes.add(readNode(r.message(), nodes.size(), source));
                    } catch (OnnxFormatException e) {
                        // the node's name may come after the broken field, so it is named by its index
                        throw new OnnxFormatException(source, "node #" + nodes.size() + ": " + e.problem());
                    }
                }
                case 5 -> {
                    Tensor t = readTensor(r.message(), source);
                    initializers.put(t.name(), t);
                }
                case 12 -> outputs.add(readValueInfoName(r.message()));
                default -> r.skip();
            }
        }
    }

    /** The tensors the graph computes: initializers, then the outputs of {@code Constant} nodes (by value name). */
    Map<String, Tensor> constants() {
        Map<String, Tensor> constants = new HashMap<>(initializers);
        for (Node n : nodes) {
            Attribute value = n.attributes().get("value");
            if (n.opType().equals("Constant") && value != null && value.t() != null && !n.outputs().isEmpty()) {
                constants.put(n.outputs().get(0), value.t());
            }
        }
        return constants;
    }

    /** The node that computes each value. */
    Map<String, Node> producers() {
        Map<String, Node> producer = new HashMap<>();
        for (Node n : nodes) {
            for (String o : n.outputs()) {
                producer.put(o, n);
            }
        }
        return producer;
    }

    /** The nodes that read value {@code v}, in graph order. */
    List<Node> consumers(String v) {
        List<Node> out = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(v)) {
                out.add(n);
            }
        }
        return out;
    }

    private static String readValueInfoName(ProtoReader r) throws OnnxFormatException {
        String name = "";
        while (r.next()) {
            if (r.field() == 1) {
                name = r.string();
            } else {
                r.skip();
            }
        }
        return name;
    }

    private static Node readNode(ProtoReader r, int index, String source) throws OnnxFormatException {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        String name = "";
        String op = "";
        String domain = "";
        while (r.next()) {
            switch (r.field()) {
                case 1 -> in.add(r.string());
                case 2 -> out.add(r.string());
                case 3 -> name = r.string();
                case 4 -> op = r.string();
                case 5 -> {
                    Attribute a = readAttribute(r.message(), source);
                    attrs.put(a.name(), a);
                }
                case 7 -> domain = r.string();
                default -> r.skip();
            }
        }
        return new Node(name, op, domain, List.copyOf(in), List.copyOf(out), attrs, index);
    }

    private static Attribute readAttribute(ProtoReader r, String source) throws OnnxFormatException {
        String name = "";
        int type = 0;
        float f = 0;
        long i = 0;
        String s = null;
        Tensor t = null;
        List<Float> floats = new ArrayList<>();
        List<Long> ints = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        while (r.next()) {
            switch (r.field()) {
                case 1 -> name = r.string();
                case 2 -> f = Float.intBitsToFloat(r.fixed32());
                case 3 -> i = r.varint();
                case 4 -> s = r.string();
                case 5 -> t = readTensor(r.message(), source);
                case 7 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader p = r.message();
                        while (!p.atEnd()) {
                            floats.add(Float.intBitsToFloat(p.fixed32()));
                        }
                    } else {
                        floats.add(Float.intBitsToFloat(r.fixed32()));
                    }
                }
                case 8 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader p = r.message();
                        while (!p.atEnd()) {
                            ints.add(p.varint());
                        }
                    } else {
                        ints.add(r.varint());
                    }
                }
                case 9 -> strings.add(r.string());
                case 20 -> type = (int) r.varint();
                default -> r.skip();
            }
        }
        return new Attribute(name, type, f, i, s, t, List.copyOf(floats), List.copyOf(ints), List.copyOf(strings));
    }

    private static Tensor readTensor(ProtoReader r, String source) throws OnnxFormatException {
        List<Long> dims = new ArrayList<>();
        int type = 0;
        String name = "";
        byte[] raw = null;
        List<Float> floatData = new ArrayList<>();
        List<Double> doubleData = new ArrayList<>();
        boolean external = false;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader p = r.message();
                        while (!p.atEnd()) {
                            dims.add(p.varint());
                        }
                    } else {
                        dims.add(r.varint());
                    }
                }
                case 2 -> type = (int) r.varint();
                case 4 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader p = r.message();
                        while (!p.atEnd()) {
                            floatData.add(Float.intBitsToFloat(p.fixed32()));
                        }
                    } else {
                        floatData.add(Float.intBitsToFloat(r.fixed32()));
                    }
                }
                case 8 -> name = r.string();
                case 9 -> raw = r.bytes();
                case 10 -> {
                    if (r.wireType() == ProtoReader.LEN) {
                        ProtoReader p = r.message();
                        while (!p.atEnd()) {
                            doubleData.add(Double.longBitsToDouble(p.fixed64()));
                        }
                    } else {
                        doubleData.add(Double.longBitsToDouble(r.fixed64()));
                    }
                }
                case 14 -> external = r.varint() == 1;
                default -> r.skip();
            }
        }
        long[] shape = new long[dims.size()];
        long count = 1;
        for (int k = 0; k < shape.length; k++) {
            shape[k] = dims.get(k);
            count *= shape[k];  // both factors are at most 2^31: no overflow before the check
            if (shape[k] < 0 || shape[k] > Integer.MAX_VALUE || count > Integer.MAX_VALUE) {
                throw new OnnxFormatException(source, "tensor '" + name + "' has dimension " + shape[k]
                        + " (more values than one array holds)");
            }
        }
        double[] values = null;
        if (!external && (type == FLOAT || type == DOUBLE)) {
            int width = type == FLOAT ? 4 : 8;
            int stored = raw != null ? raw.length / width : type == FLOAT ? floatData.size() : doubleData.size();
            if (raw != null && raw.length % width != 0 || stored != count) {
                throw new OnnxFormatException(source, "tensor '" + name + "' of shape " + java.util.Arrays.toString(shape)
                        + " holds " + (raw != null ? raw.length + " bytes of raw_data" : stored + " values")
                        + ", expected " + count + " values");
            }
            values = new double[stored];
            if (raw != null) {
                ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < stored; k++) {
                    values[k] = type == FLOAT ? b.getFloat(4 * k) : b.getDouble(8 * k);
                }
            } else {
                for (int k = 0; k < stored; k++) {
                    values[k] = type == FLOAT ? floatData.get(k) : doubleData.get(k);
                }
            }
        }
        return new Tensor(name, shape, type, values, external);
    }
}
