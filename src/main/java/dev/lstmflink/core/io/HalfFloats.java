package dev.lstmflink.core.io;

/**
 * Conversions between float32 and the two 16-bit float formats PyTorch and MindSpore save weights in: IEEE 754
 * binary16 ({@link DType#F16}: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 ({@link DType#BF16}: the upper 16
 * bits of a float32). Java 17 has no {@code Float.float16ToFloat} (it came in JDK 20), hence this class.
 *
 * <p>Widening is exact: every binary16 and bfloat16 value, subnormals, infinities and NaN included, is a float32 value.
 * Narrowing rounds to nearest, ties to even, as PyTorch's {@code Tensor.half()} and {@code Tensor.bfloat16()} do; it is
 * used to write half-precision files and is checked against PyTorch's bytes in {@code HalfPrecisionTest}.
 */
public final class HalfFloats {

    private HalfFloats() {}

    /** The float32 value of the binary16 bit pattern in the low 16 bits of {@code bits} (exact). */
    public static float f16ToFloat(int bits) {
        int h = bits & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            // infinity (mant == 0) or NaN, its payload kept in the top mantissa bits
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            // zero or subnormal: mant · 2^-24, exact in float32 (mant < 2^10, the scale a power of two)
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        // normal: rebias the exponent from 15 to 127, widen the mantissa from 10 to 23 bits
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** The float32 value of the bfloat16 bit pattern in the low 16 bits of {@code bits} (exact). */
    public static float bf16ToFloat(int bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /**
     * The binary16 bit pattern nearest to {@code v} (ties to even); magnitudes from 65520 up become infinity, NaN stays
     * a (quiet) NaN.
     */
    public static short floatToF16(float v) {
        int f = Float.floatToRawIntBits(v);
        int sign = (f >>> 16) & 0x8000;
        int abs = f & 0x7FFFFFFF;
        if (abs >= 0x7F800000) {
            return (short) (sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 | ((abs >>> 13) & 0x3FF) : 0));
        }
        if (abs >= 0x477FF000) {
            // 65520 lies halfway between the largest binary16 (65504, odd mantissa) and 65536: ties to even overflow
            return (short) (sign | 0x7C00);
        }
        if (abs <= 0x33000000) {
            // up to 2^-25, half of the smallest subnormal: ties to even give zero
            return (short) sign;
        }
        int exp = abs >>> 23;
        if (exp < 113) {
            // a binary16 subnormal: the value in units of 2^-24 is mant · 2^(exp - 126)
            int mant = (abs & 0x7FFFFF) | 0x800000;
            int shift = 126 - exp;
            int result = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (result & 1) == 1)) {
                result++;   // may carry into the smallest normal, 0x0400, which is the right encoding
            }
            return (short) (sign | result);
        }
        int h = ((exp - 112) << 10) | ((abs >>> 13) & 0x3FF);
        int rem = abs & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++;   // a carry out of the mantissa increments the exponent, as it should
        }
        return (short) (sign | h);
    }

    /** The bfloat16 bit pattern nearest to {@code v} (ties to even); NaN stays a (quiet) NaN. */
    public static short floatToBf16(float v) {
        int f = Float.floatToRawIntBits(v);
        if ((f & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((f >>> 16) | 0x40);
        }
        return (short) ((f + 0x7FFF + ((f >>> 16) & 1)) >>> 16);
    }
}
