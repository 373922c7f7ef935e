package dev.lstmflink.core.io.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small ONNX models for tests, in the protobuf wire format with the field numbers of {@code onnx/onnx.proto}
 * (the ones {@link OnnxGraph} lists): float initializers as {@code raw_data}, nodes with string, int and float
 * attributes, named graph outputs, opset 14. Enough for an LSTM node whose weights are given by hand (the
 * fixtures under {@code models/onnx} come from {@code torch.onnx.export}, which cannot be run here).
 */
final class OnnxBuilder {

    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();

    /** A FLOAT initializer of the given shape, values row-major. */
    OnnxBuilder initializer(String name, long[] dims, float[] values) {
        Proto t = new Proto();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, OnnxGraph.FLOAT);
        t.string(8, name);
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            raw.putFloat(v);
        }
        t.bytes(9, raw.array());
        initializers.add(t.toBytes());
        return this;
    }

    /**
     * A node; {@code attributes} alternate name and value (String, Long/Integer or Float).
     *
     * @param name the node's name; "" writes none
     */
    OnnxBuilder node(String opType, String name, List<String> inputs, List<String> outputs, Object... attributes) {
        Proto n = new Proto();
        inputs.forEach(i -> n.string(1, i));
        outputs.forEach(o -> n.string(2, o));
        if (!name.isEmpty()) {
            n.string(3, name);
        }
        n.string(4, opType);
        for (int k = 0; k < attributes.length; k += 2) {
            Proto a = new Proto();
            a.string(1, (String) attributes[k]);
            Object v = attributes[k + 1];
            if (v instanceof String s) {
                a.bytes(4, s.getBytes(StandardCharsets.UTF_8));
                a.varint(20, 3);   // STRING
            } else if (v instanceof Float f) {
                a.fixed32(2, Float.floatToIntBits(f));
                a.varint(20, 1);   // FLOAT
            } else {
                a.varint(3, ((Number) v).longValue());
                a.varint(20, 2);   // INT
            }
            n.bytes(5, a.toBytes());
        }
        nodes.add(n.toBytes());
        return this;
    }

    OnnxBuilder output(String name) {
        Proto v = new Proto();
        v.string(1, name);
        outputs.add(v.toBytes());
        return this;
    }

    byte[] build() {
        Proto g = new Proto();
        nodes.forEach(n -> g.bytes(1, n));
        g.string(2, "test");
        initializers.forEach(t -> g.bytes(5, t));
        outputs.forEach(o -> g.bytes(12, o));
        Proto opset = new Proto();
        opset.string(1, "");
        opset.varint(2, 14);
        Proto m = new Proto();
        m.varint(1, 7);   // ir_version
        m.string(2, "OnnxBuilder");
        m.bytes(7, g.toBytes());
        m.bytes(8, opset.toBytes());
        return m.toBytes();
    }

    /** A protobuf message being written. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void varint(int field, long v) {
            raw((long) field << 3);
            raw(v);
        }

        void fixed32(int field, int v) {
            raw((long) field << 3 | 5);
            for (int k = 0; k < 4; k++) {
                out.write(v >>> (8 * k) & 0xff);
            }
        }

        void string(int field, String s) {
            bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(int field, byte[] b) {
            raw((long) field << 3 | 2);
            raw(b.length);
            out.writeBytes(b);
        }

        private void raw(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) (v & 0x7f) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
