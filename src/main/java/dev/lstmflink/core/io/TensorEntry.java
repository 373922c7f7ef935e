package dev.lstmflink.core.io;

import static dev.lstmflink.core.io.SafetensorsReader.describe;
import static dev.lstmflink.core.io.SafetensorsReader.quote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;

/**
 * One validated tensor entry of a safetensors header: {@code "name": {"dtype": "F32",
 * "shape": [d0, ...], "data_offsets": [begin, end]}}, with begin and end relative to the data
 * buffer. {@link #parse} checks the entry on its own (types, ranges, overflow, size against the
 * shape); whether the entries tile the buffer is checked by the reader once all are known.
 */
record TensorEntry(String name, DType dtype, int[] shape, long count, int begin, int end) {

    private static final List<String> KEYS = List.of("dtype", "shape", "data_offsets");

    /**
     * @param bufferLength size of the data buffer after the header, to bound the offsets
     * @param source names the file in error messages
     */
    static TensorEntry parse(String name, JsonNode node, int bufferLength, String source)
            throws SafetensorsFormatException {
        String tensor = "tensor " + quote(name) + ": ";
        if (!node.isObject()) {
            throw new SafetensorsFormatException(source,
                    tensor + "entry must be an object with dtype, shape and data_offsets but is " + describe(node));
        }
        // The reference (serde, no deny_unknown_fields) ignores extra keys. We refuse them: a key
        // we do not understand may change the meaning of the bytes (e.g. a future byte order).
        for (String key : (Iterable<String>) node::fieldNames) {
            if (!KEYS.contains(key)) {
                throw new SafetensorsFormatException(source,
                        tensor + "unknown key " + quote(key) + " (allowed: dtype, shape, data_offsets)");
            }
        }
        for (String key : KEYS) {
            if (!node.has(key)) {
                throw new SafetensorsFormatException(source, tensor + "missing '" + key + "'");
            }
        }
        DType dtype = parseDtype(node.get("dtype"), tensor, source);
        int[] shape = parseShape(node.get("shape"), tensor, source);
        // Reference Metadata::validate: checked_mul over the shape, then by the item size.
        long count = 1;
        long byteSize;
        try {
            for (int d : shape) {
                count = Math.multiplyExact(count, d);
            }
            byteSize = Math.multiplyExact(count, dtype.itemSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(source, tensor + "size of shape " + Arrays.toString(shape)
                    + " with dtype " + dtype + " overflows a 64-bit integer");
        }
        long[] offsets = parseOffsets(node.get("data_offsets"), tensor, source);
        String range = "data_offsets [" + offsets[0] + ", " + offsets[1] + "]";
        if (offsets[0] > offsets[1]) {
            throw new SafetensorsFormatException(source, tensor + range + " has begin after end");
        }
        if (offsets[1] > bufferLength) {
            throw new SafetensorsFormatException(source,
                    tensor + range + " ends beyond the " + bufferLength + "-byte data buffer");
        }
        if (offsets[1] - offsets[0] != byteSize) {
            throw new SafetensorsFormatException(source, tensor + range + " span " + (offsets[1] - offsets[0])
                    + " bytes but " + dtype + " shape " + Arrays.toString(shape) + " needs " + byteSize);
        }
        // Both offsets are now <= bufferLength, which is an int.
        return new TensorEntry(name, dtype, shape, count, (int) offsets[0], (int) offsets[1]);
    }

    private static DType parseDtype(JsonNode node, String tensor, String source) throws SafetensorsFormatException {
        if (!node.isTextual()) {
            throw new SafetensorsFormatException(source, tensor + "dtype must be a string but is " + describe(node));
        }
        try {
            return DType.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, tensor + "unknown dtype " + quote(node.textValue()));
        }
    }

    /** Dimensions must be JSON integers in int range (the reference uses usize; we expose int[]). */
    private static int[] parseShape(JsonNode node, String tensor, String source) throws SafetensorsFormatException {
        if (!node.isArray()) {
            throw new SafetensorsFormatException(source,
                    tensor + "shape must be an array of integers but is " + describe(node));
        }
        int[] shape = new int[node.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = node.get(i);
            // isIntegralNumber rejects 2.5 and 2.0 alike, as serde does for usize.
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw new SafetensorsFormatException(source, tensor + "shape[" + i + "] = " + describe(d)
                        + " is not an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = d.intValue();
        }
        return shape;
    }

    private static long[] parseOffsets(JsonNode node, String tensor, String source)
            throws SafetensorsFormatException {
        if (!node.isArray() || node.size() != 2) {
            throw new SafetensorsFormatException(source,
                    tensor + "data_offsets must be [begin, end] but is " + describe(node));
        }
        long[] offsets = new long[2];
        for (int i = 0; i < 2; i++) {
            JsonNode o = node.get(i);
            if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                throw new SafetensorsFormatException(source,
                        tensor + "data_offsets entry " + describe(o) + " is not a non-negative integer");
            }
            offsets[i] = o.longValue();
        }
        return offsets;
    }
}
