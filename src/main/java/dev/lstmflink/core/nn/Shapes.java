package dev.lstmflink.core.nn;

import dev.lstmflink.core.model.Precision;
import java.util.Arrays;

/** Argument checks with messages that name the argument and the value, and the batch-first transpose. */
final class Shapes {

    private Shapes() {}

    static void checkPositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }

    static void checkLength(String name, int actual, int d0, int d1, int d2) {
        long expected = (long) d0 * d1 * d2;
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " values, expected " + d0 + "·" + d1 + "·"
                    + d2 + " = " + expected + " for shape [" + d0 + ", " + d1 + ", " + d2 + "]");
        }
    }

    /** The lengths to use: all T when null; otherwise each in [1, T], as {@code pack_padded_sequence} requires. */
    static int[] lengths(int[] lengths, int seqLen, int batch) {
        if (lengths == null) {
            int[] all = new int[batch];
            Arrays.fill(all, seqLen);
            return all;
        }
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries, expected batch = " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > seqLen) {
                throw new IllegalArgumentException(
                        "lengths[" + b + "] must be in [1, " + seqLen + "], got " + lengths[b]);
            }
        }
        return lengths.clone();
    }

    /** {@code [n0, n1, n2] -> [n1, n0, n2]}. */
    static <A> A swapFirstTwo(Precision<A> num, A src, int n0, int n1, int n2) {
        A dst = num.allocate(n0 * n1 * n2);
        for (int a = 0; a < n0; a++) {
            for (int b = 0; b < n1; b++) {
                System.arraycopy(src, (a * n1 + b) * n2, dst, (b * n0 + a) * n2, n2);
            }
        }
        return dst;
    }

    /** {@code [T, B, w] -> [T, B, w]} with the time axis reversed: row (t, b) goes to (T-1-t, b). */
    static <A> A reverseTime(Precision<A> num, A src, int seqLen, int batch, int width) {
        int block = batch * width;
        A dst = num.allocate(seqLen * block);
        for (int t = 0; t < seqLen; t++) {
            System.arraycopy(src, t * block, dst, (seqLen - 1 - t) * block, block);
        }
        return dst;
    }
}
