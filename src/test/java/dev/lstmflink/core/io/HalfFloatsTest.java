package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HalfFloats} against independent definitions: every one of the 65,536 binary16 and bfloat16 bit patterns
 * widened and compared with the value its fields define ({@code (-1)^s · 2^(e-15) · (1 + m/1024)}, subnormals
 * {@code m · 2^-24}), and narrowing compared with a search for the nearest representable value (ties to the even
 * pattern) over random floats and every boundary that matters (the largest half, overflow, the subnormal range).
 */
class HalfFloatsTest {

    /** The value binary16's fields define, computed in double from the IEEE 754 formula. */
    static double f16Definition(int bits) {
        int sign = (bits >>> 15) & 1;
        int e = (bits >>> 10) & 0x1F;
        int m = bits & 0x3FF;
        double v;
        if (e == 0x1F) {
            v = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == 0) {
            v = m * Math.pow(2, -24);
        } else {
            v = Math.pow(2, e - 15) * (1 + m / 1024.0);
        }
        return sign == 1 ? -v : v;
    }

    @Test
    void everyF16PatternWidensToTheValueItsFieldsDefine() {
        int subnormals = 0;
        for (int bits = 0; bits < 0x10000; bits++) {
            float actual = HalfFloats.f16ToFloat(bits);
            double expected = f16Definition(bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), "pattern " + Integer.toHexString(bits));
                continue;
            }
            assertEquals(expected, actual, 0.0, "pattern 0x" + Integer.toHexString(bits));
            assertEquals(bits >>> 15, Float.floatToRawIntBits(actual) >>> 31, "sign of 0x" + Integer.toHexString(bits));
            if (((bits >>> 10) & 0x1F) == 0 && (bits & 0x3FF) != 0) {
                subnormals++;
            }
            // narrowing a half value gives its pattern back (with -0 and +0 apart)
            assertEquals(bits, HalfFloats.floatToF16(actual) & 0xFFFF, "round trip of 0x" + Integer.toHexString(bits));
        }
        assertEquals(2 * 1023, subnormals);
        assertEquals(65504f, HalfFloats.f16ToFloat(0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat(0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat(0xFC00));
    }

    @Test
    void everyBf16PatternIsTheUpperHalfOfAFloat32() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float v = HalfFloats.bf16ToFloat(bits);
            assertEquals(bits << 16, Float.floatToRawIntBits(v), "pattern " + Integer.toHexString(bits));
            if (!Float.isNaN(v)) {
                assertEquals(bits, HalfFloats.floatToBf16(v) & 0xFFFF, "round trip of " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void narrowingToF16IsRoundToNearestEven() {
        // all finite halves, sorted by value, for the search
        double[] values = new double[0x7C00];
        for (int bits = 0; bits < 0x7C00; bits++) {
            values[bits] = f16Definition(bits); // positive halves are increasing in their pattern
        }
        Random random = new Random(42);
        float[] boundaries = {0f, -0f, 65504f, 65519.99f, 65520f, 65536f, 1e10f, 0x1p-24f, 0x1p-25f,
            Math.nextUp(0x1p-25f), 0x1.8p-24f, 0x1p-14f, Math.nextDown(0x1p-14f), 1f + 0x1p-11f,
            1f + 0x1p-11f + 0x1p-23f, 1f + 0x3p-11f, 2049f, 2051f, Float.MIN_VALUE, Float.MAX_VALUE};
        for (float b : boundaries) {
            check(b, values);
            check(-b, values);
        }
        for (int i = 0; i < 200_000; i++) {
            // floats spread over the half range and beyond: exponent -30 .. 17
            float v = (float) (random.nextDouble() * Math.pow(2, random.nextInt(48) - 30));
            check(random.nextBoolean() ? v : -v, values);
        }
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(Float.NaN))));
        assertEquals(0x7C00, HalfFloats.floatToF16(Float.POSITIVE_INFINITY));
    }

    private static void check(float v, double[] halves) {
        double a = Math.abs((double) v);
        int expected;
        if (a >= 65520) {
            expected = 0x7C00; // beyond the midpoint between 65504 and 2^16
        } else {
            int i = Arrays.binarySearch(halves, a);
            if (i >= 0) {
                expected = i;
            } else {
                int hi = -i - 1;
                int lo = hi - 1;
                if (hi == halves.length) {
                    hi = lo;   // between 65504 and 65520: rounds down to the largest half
                }
                double dLo = a - halves[lo];
                double dHi = halves[hi] - a;
                expected = dLo < dHi ? lo : dHi < dLo ? hi : (lo % 2 == 0 ? lo : hi);
            }
        }
        int sign = Float.floatToRawIntBits(v) < 0 ? 0x8000 : 0;
        assertEquals(sign | expected, HalfFloats.floatToF16(v) & 0xFFFF, "narrowing " + v + " (" + Float.toHexString(v)
                + ")");
    }

    @Test
    void narrowingToBf16IsRoundToNearestEven() {
        Random random = new Random(43);
        for (int i = 0; i < 200_000; i++) {
            float v = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v))));
                continue;
            }
            int bits = Float.floatToRawIntBits(v);
            int down = bits >>> 16;  // truncation: the neighbour towards zero
            int up = down + 1;       // the neighbour away from zero (infinity past the largest)
            double dDown = Math.abs((double) v - HalfFloats.bf16ToFloat(down));
            // past the largest bfloat16, infinity plays the part of 2^128 (the next power of two), as IEEE 754 says
            double upValue = (up & 0x7FFF) == 0x7F80 ? Math.copySign(0x1p128, v) : HalfFloats.bf16ToFloat(up);
            double dUp = Math.abs(upValue - (double) v);
            int expected = dDown < dUp ? down : dUp < dDown ? up : ((down & 1) == 0 ? down : up);
            assertEquals(expected & 0xFFFF, HalfFloats.floatToBf16(v) & 0xFFFF, "narrowing " + Float.toHexString(v));
        }
        assertEquals(0x3F80, HalfFloats.floatToBf16(1f));
        assertEquals(0x7F80, HalfFloats.floatToBf16(Float.MAX_VALUE) & 0xFFFF, "rounds past the largest bfloat16");
    }
}
