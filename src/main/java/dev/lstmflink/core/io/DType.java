package dev.lstmflink.core.io;

/**
 * The element types a safetensors file can declare, with the exact strings the format uses.
 *
 * <p>The constants are declared in the same order as the reference implementation's {@code Dtype}
 * enum (huggingface/safetensors, {@code safetensors/src/tensor.rs}), which is "increasing
 * alignment order". The writer relies on that order: like the reference {@code prepare()}, it
 * stores tensors by descending dtype, then by name, so that every tensor's data starts at an
 * offset that is a multiple of its item size.
 */
public enum DType {
    /** Boolean, one byte per element. */
    BOOL(1),
    /** Unsigned 8-bit integer. */
    U8(1),
    /** Signed 8-bit integer. */
    I8(1),
    /** 8-bit float, 5 exponent and 2 mantissa bits. */
    F8_E5M2(1),
    /** 8-bit float, 4 exponent and 3 mantissa bits. */
    F8_E4M3(1),
    /** Signed 16-bit integer. */
    I16(2),
    /** Unsigned 16-bit integer. */
    U16(2),
    /** IEEE 754 half precision. */
    F16(2),
    /** bfloat16 (the top half of a float32). */
    BF16(2),
    /** Signed 32-bit integer. */
    I32(4),
    /** Unsigned 32-bit integer. */
    U32(4),
    /** IEEE 754 single precision. */
    F32(4),
    /** IEEE 754 double precision. */
    F64(8),
    /** Signed 64-bit integer. */
    I64(8),
    /** Unsigned 64-bit integer. */
    U64(8);

    private final int itemSize;

    DType(int itemSize) {
        this.itemSize = itemSize;
    }

    /** Bytes per element. */
    public int itemSize() {
        return itemSize;
    }

    /** The string that appears in a safetensors header's {@code "dtype"} field, e.g. {@code "F32"}. */
    public String safetensorsName() {
        // The constant names were chosen to be exactly the format's strings.
        return name();
    }

    /**
     * Looks up a header dtype string. Matching is exact and case-sensitive, as in the reference
     * implementation (serde derives the names from the enum variants).
     *
     * @throws IllegalArgumentException if {@code name} is not one of the known dtype strings
     */
    public static DType parse(String name) {
        for (DType d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown safetensors dtype '" + name + "'");
    }
}
