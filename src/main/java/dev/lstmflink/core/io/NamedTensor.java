package dev.lstmflink.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor as safetensors stores it: a dtype, a shape and the raw little-endian,
 * row-major bytes.
 *
 * <p>Immutable: the factories copy their inputs and the accessors return copies, so a tensor read
 * from a checkpoint can be shared between threads (for example Flink subtasks) without locking.
 * Keeping the raw bytes, rather than converting to {@code float[]} on read, lets a file with any
 * dtype be read and written back unchanged, even dtypes this project never computes with.
 */
public final class NamedTensor {
    private final String name;
    private final DType dtype;
    private final int[] shape;
    private final long elementCount;
    private final byte[] data;

    private NamedTensor(String name, DType dtype, int[] shape, long elementCount, byte[] data) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.elementCount = elementCount;
        this.data = data;
    }

    /** A float32 ({@link DType#F32}) tensor holding a copy of {@code values} in row-major order. */
    public static NamedTensor ofFloats(String name, int[] shape, float[] values) {
        Objects.requireNonNull(values, "values");
        int[] dims = checkShape(name, shape);
        long count = checkValueCount(name, dims, values.length);
        ByteBuffer buf = ByteBuffer.allocate(checkedByteSize(name, dims, count, DType.F32))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new NamedTensor(name, DType.F32, dims, count, buf.array());
    }

    /** A float64 ({@link DType#F64}) tensor holding a copy of {@code values} in row-major order. */
    public static NamedTensor ofDoubles(String name, int[] shape, double[] values) {
        Objects.requireNonNull(values, "values");
        int[] dims = checkShape(name, shape);
        long count = checkValueCount(name, dims, values.length);
        ByteBuffer buf = ByteBuffer.allocate(checkedByteSize(name, dims, count, DType.F64))
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.asDoubleBuffer().put(values);
        return new NamedTensor(name, DType.F64, dims, count, buf.array());
    }

    /**
     * A half-precision ({@link DType#F16} or {@link DType#BF16}) tensor of {@code values} rounded to nearest, ties to
     * even, as PyTorch's {@code Tensor.half()} and {@code Tensor.bfloat16()} round (see {@link HalfFloats}).
     */
    public static NamedTensor ofHalf(String name, DType dtype, int[] shape, float[] values) {
        Objects.requireNonNull(values, "values");
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("tensor '" + name + "': ofHalf writes F16 or BF16, got " + dtype);
        }
        int[] dims = checkShape(name, shape);
        long count = checkValueCount(name, dims, values.length);
        ByteBuffer buf = ByteBuffer.allocate(checkedByteSize(name, dims, count, dtype)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putShort(dtype == DType.F16 ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v));
        }
        return new NamedTensor(name, dtype, dims, count, buf.array());
    }

    /**
     * A tensor of any dtype from its raw bytes (little-endian, row-major, as in the file).
     *
     * @throws IllegalArgumentException if the byte count is not element count × item size
     */
    public static NamedTensor of(String name, DType dtype, int[] shape, byte[] littleEndianBytes) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(littleEndianBytes, "littleEndianBytes");
        int[] dims = checkShape(name, shape);
        long count = elementCount(name, dims);
        int needed = checkedByteSize(name, dims, count, dtype);
        if (littleEndianBytes.length != needed) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(dims)
                    + " with dtype " + dtype + " needs " + needed + " bytes but got " + littleEndianBytes.length);
        }
        return new NamedTensor(name, dtype, dims, count, littleEndianBytes.clone());
    }

    /** Used by the reader after it validated everything; takes ownership of both arrays. */
    static NamedTensor trusted(String name, DType dtype, int[] shape, long elementCount, byte[] data) {
        return new NamedTensor(name, dtype, shape, elementCount, data);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    /** The dimensions (a copy); empty for a scalar. */
    public int[] shape() {
        return shape.clone();
    }

    /** Product of the dimensions (1 for a scalar, 0 if any dimension is 0). */
    public long elementCount() {
        return elementCount;
    }

    /** The shape as {@code [4, 3]}, for messages. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** Size of the raw data in bytes. */
    public int byteSize() {
        return data.length;
    }

    /** A copy of the raw little-endian bytes, exactly as stored in a safetensors file. */
    public byte[] littleEndianBytes() {
        return data.clone();
    }

    /** The raw bytes without a copy, for the writer only: callers must not modify them. */
    byte[] rawBytes() {
        return data;
    }

    /**
     * The values as floats: F32 as stored, F16 and BF16 widened (exact, see {@link HalfFloats}), F64 rounded to the
     * nearest float.
     *
     * @throws IllegalStateException for any other dtype (no silent integer conversions)
     */
    public float[] toFloats() {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) elementCount];
        if (dtype == DType.F32) {
            buf.asFloatBuffer().get(out);
        } else if (dtype == DType.F64) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) buf.getDouble(i * 8);
            }
        } else if (isHalf()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = half(buf, i);
            }
        } else {
            throw wrongDtype("toFloats()");
        }
        return out;
    }

    /**
     * The values as doubles: F64 as stored, F32, F16 and BF16 widened (exact).
     *
     * @throws IllegalStateException for any other dtype
     */
    public double[] toDoubles() {
        ByteBuffer buf = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[(int) elementCount];
        if (dtype == DType.F64) {
            buf.asDoubleBuffer().get(out);
        } else if (dtype == DType.F32) {
            for (int i = 0; i < out.length; i++) {
                out[i] = buf.getFloat(i * 4);
            }
        } else if (isHalf()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = half(buf, i);
            }
        } else {
            throw wrongDtype("toDoubles()");
        }
        return out;
    }

    /** Whether {@link #toFloats()} and {@link #toDoubles()} convert this tensor: F32, F64, F16 or BF16. */
    public boolean isFloatingPoint() {
        return dtype == DType.F32 || dtype == DType.F64 || isHalf();
    }

    private boolean isHalf() {
        return dtype == DType.F16 || dtype == DType.BF16;
    }

    private float half(ByteBuffer buf, int i) {
        short bits = buf.getShort(i * 2);
        return dtype == DType.F16 ? HalfFloats.f16ToFloat(bits) : HalfFloats.bf16ToFloat(bits);
    }

    private IllegalStateException wrongDtype(String method) {
        return new IllegalStateException("tensor '" + name + "' has dtype " + dtype + "; " + method
                + " converts only F32, F64, F16 and BF16");
    }

    /** Equal when name, dtype, shape and every byte are equal (NaN payloads included). */
    @Override
    public boolean equals(Object o) {
        return o instanceof NamedTensor t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "NamedTensor[" + name + " " + dtype + " " + shapeString() + "]";
    }

    /**
     * Validates the name and copies the shape. The name {@code __metadata__} is reserved by the
     * format for the string map, so a tensor with that name could never be written.
     */
    private static int[] checkShape(String name, int[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        if (name.equals(SafetensorsFile.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved and cannot name a tensor");
        }
        int[] dims = shape.clone();
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(dims));
            }
        }
        return dims;
    }

    private static long elementCount(String name, int[] dims) {
        long count = 1;
        try {
            for (int d : dims) {
                count = Math.multiplyExact(count, d);
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': element count of shape "
                    + Arrays.toString(dims) + " overflows a long", e);
        }
        return count;
    }

    /**
     * Bytes needed for {@code count} elements. The data lives in one {@code byte[]}, and files are
     * read into one too, so anything over {@link SafetensorsFile#MAX_FILE_SIZE} is refused here.
     */
    private static int checkedByteSize(String name, int[] dims, long count, DType dtype) {
        if (count > SafetensorsFile.MAX_FILE_SIZE / dtype.itemSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(dims)
                    + " with dtype " + dtype + " needs more than " + SafetensorsFile.MAX_FILE_SIZE + " bytes");
        }
        return (int) (count * dtype.itemSize());
    }

    private static long checkValueCount(String name, int[] dims, int valueCount) {
        long count = elementCount(name, dims);
        if (count != valueCount) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(dims)
                    + " needs " + count + " values but got " + valueCount);
        }
        return count;
    }
}
