package dev.lstmflink.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchGemm#multiply} on the Vector API: {@code out[b, c] += Σ_j U[j, b] · W[j, c]} for n keys (shapes in {@link
 * BatchGemm}), register-blocked as a GEMM micro-kernel is (Goto &amp; van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008): a {@code 6 keys × 4 vectors} block of out (24 accumulators; 64 columns, one
 * whole weight panel, with 512-bit vectors) stays in registers while j runs over all k rows; each step loads 4 weight
 * vectors and broadcasts 6 inputs for 24 FMAs, so a weight vector loaded once serves 6 keys. Keys left over go in
 * blocks of 4 ({@link #sixes}) and at most one of 1. The first block of keys brings the panel ({@code R × 64} floats,
 * 67 KB at H = 256) from memory or L3, the others read it from L2.
 *
 * <p>Why these blocks (issue 15, BENCHMARKS.md, "Why the batched kernel looks like this"): 6 × 4 beat 4 × 4 at B = 64
 * (fewer passes over the panel from L2); cutting j into 64- or 128-row blocks so that a weight block stays in L1 across
 * the key blocks (the next level of Goto's blocking) was slower or no faster, as the panel's L2 stream keeps up and
 * every block costs a store and reload of the accumulators; an {@code 8 keys × 2 vectors} block was no faster than
 * 4 × 4. The block sizes assume 32 vector registers (AVX-512, or ARM's 32 NEON/SVE registers); with AVX2's 16, C2
 * spills accumulators (not measured).
 *
 * <p>Each accumulator starts from {@code out} (the bias, written by {@link BatchGemm#initGates}) and adds the rows in
 * order j = 0 … k-1 with one FMA each, exactly as {@link VectorLstmKernel}'s single-key {@code gatesBlock4} does, so a
 * key's gates are the same floats whether it is stepped alone or in a batch. Columns that do not fill a vector go to
 * {@link BatchGemm#multiply}, as the single-key kernel sends them to {@link ScalarLstmKernel#gatesPanel}.
 *
 * <p>Used only by {@link VectorLstmKernel}, which {@link LstmKernels} loads reflectively: like it, this class links
 * against {@code jdk.incubator.vector}. Each block method is one straight loop over j with its accumulators live across
 * it and nowhere else: on JDK 17 C2 boxes vectors carried through a loop nest or merged after a branch ({@code
 * BatchStepAllocationTest}).
 */
final class VectorBatchGemm {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int BLOCK = 4 * LANES;

    private VectorBatchGemm() {}

    /** {@code out += U^T W} over all k rows and {@code cols} columns of W (see {@link BatchGemm}). */
    static void multiply(float[] w, int wOff, int ldw, int k, int cols, float[] u, int n, float[] out, int outOff,
                         int ldo) {
        int c = 0;
        for (; c + BLOCK <= cols; c += BLOCK) {
            int b = 0;
            for (int g = sixes(n); g > 0; g--, b += 6) {
                block6x4(w, wOff + c, ldw, k, u, n, b, out, outOff + b * ldo + c, ldo);
            }
            for (; b + 4 <= n; b += 4) {
                block4x4(w, wOff + c, ldw, k, u, n, b, out, outOff + b * ldo + c, ldo);
            }
            for (; b < n; b++) {
                block1x4(w, wOff + c, ldw, k, u, n, b, out, outOff + b * ldo + c);
            }
        }
        for (; c + LANES <= cols; c += LANES) {
            for (int b = 0; b < n; b++) {
                block1x1(w, wOff + c, ldw, k, u, n, b, out, outOff + b * ldo + c);
            }
        }
        if (c < cols) {
            BatchGemm.multiply(w, wOff, ldw, k, c, cols, u, n, out, outOff, ldo);
        }
    }

    /**
     * How many groups of 6 keys, so that the rest splits into groups of 4 and at most one single key: n = 32 is
     * 6·4 + 4·2, n = 64 is 6·10 + 4, n = 17 is 6·2 + 4 + 1. A lone key reads the panel for 4 FMAs per 4 loads (one
     * key's worth of reuse), so two left over from 6s cost more than two 4-key groups.
     */
    static int sixes(int n) {
        int rest = n % 6;
        return rest == 2 || rest == 3 ? Math.max(0, n / 6 - 1) : n / 6;
    }

    /**
     * Keys {@code b .. b+3}, columns {@code [c, c + 4·LANES)}: {@code row} is the offset of {@code W[0, c]}, {@code o}
     * of {@code out[b, c]}. Accumulator {@code aKV} holds key b+K, vector V.
     */
    private static void block4x4(float[] w, int row, int ldw, int k, float[] u, int n, int b, float[] out,
                                 int o, int ldo) {
        int o1 = o + ldo;
        int o2 = o1 + ldo;
        int o3 = o2 + ldo;
        FloatVector a00 = FloatVector.fromArray(SPECIES, out, o);
        FloatVector a01 = FloatVector.fromArray(SPECIES, out, o + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, out, o + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, out, o + 3 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, out, o1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, out, o1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, out, o1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, out, o1 + 3 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, out, o2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, out, o2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, out, o2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, out, o2 + 3 * LANES);
        FloatVector a30 = FloatVector.fromArray(SPECIES, out, o3);
        FloatVector a31 = FloatVector.fromArray(SPECIES, out, o3 + LANES);
        FloatVector a32 = FloatVector.fromArray(SPECIES, out, o3 + 2 * LANES);
        FloatVector a33 = FloatVector.fromArray(SPECIES, out, o3 + 3 * LANES);
        int ui = b;
        for (int j = 0; j < k; j++, row += ldw, ui += n) {
            // z[b', c..c+4L) += U[j, b'] · Wt[j, c..c+4L) for the four keys b' = b .. b+3
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, row);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, row + LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, w, row + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(SPECIES, w, row + 3 * LANES);
            FloatVector v = FloatVector.broadcast(SPECIES, u[ui]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            a02 = w2.fma(v, a02);
            a03 = w3.fma(v, a03);
            v = FloatVector.broadcast(SPECIES, u[ui + 1]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            a12 = w2.fma(v, a12);
            a13 = w3.fma(v, a13);
            v = FloatVector.broadcast(SPECIES, u[ui + 2]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            a22 = w2.fma(v, a22);
            a23 = w3.fma(v, a23);
            v = FloatVector.broadcast(SPECIES, u[ui + 3]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            a32 = w2.fma(v, a32);
            a33 = w3.fma(v, a33);
        }
        a00.intoArray(out, o);
        a01.intoArray(out, o + LANES);
        a02.intoArray(out, o + 2 * LANES);
        a03.intoArray(out, o + 3 * LANES);
        a10.intoArray(out, o1);
        a11.intoArray(out, o1 + LANES);
        a12.intoArray(out, o1 + 2 * LANES);
        a13.intoArray(out, o1 + 3 * LANES);
        a20.intoArray(out, o2);
        a21.intoArray(out, o2 + LANES);
        a22.intoArray(out, o2 + 2 * LANES);
        a23.intoArray(out, o2 + 3 * LANES);
        a30.intoArray(out, o3);
        a31.intoArray(out, o3 + LANES);
        a32.intoArray(out, o3 + 2 * LANES);
        a33.intoArray(out, o3 + 3 * LANES);
    }

    /** One key b, columns {@code [c, c + 4·LANES)}: the single-key kernel's block. */
    private static void block1x4(float[] w, int row, int ldw, int k, float[] u, int n, int b, float[] out,
                                 int o) {
        FloatVector a0 = FloatVector.fromArray(SPECIES, out, o);
        FloatVector a1 = FloatVector.fromArray(SPECIES, out, o + LANES);
        FloatVector a2 = FloatVector.fromArray(SPECIES, out, o + 2 * LANES);
        FloatVector a3 = FloatVector.fromArray(SPECIES, out, o + 3 * LANES);
        int ui = b;
        for (int j = 0; j < k; j++, row += ldw, ui += n) {
            FloatVector v = FloatVector.broadcast(SPECIES, u[ui]);
            a0 = FloatVector.fromArray(SPECIES, w, row).fma(v, a0);
            a1 = FloatVector.fromArray(SPECIES, w, row + LANES).fma(v, a1);
            a2 = FloatVector.fromArray(SPECIES, w, row + 2 * LANES).fma(v, a2);
            a3 = FloatVector.fromArray(SPECIES, w, row + 3 * LANES).fma(v, a3);
        }
        a0.intoArray(out, o);
        a1.intoArray(out, o + LANES);
        a2.intoArray(out, o + 2 * LANES);
        a3.intoArray(out, o + 3 * LANES);
    }

    /** One key b, columns {@code [c, c + LANES)}. */
    private static void block1x1(float[] w, int row, int ldw, int k, float[] u, int n, int b, float[] out,
                                 int o) {
        FloatVector a = FloatVector.fromArray(SPECIES, out, o);
        int ui = b;
        for (int j = 0; j < k; j++, row += ldw, ui += n) {
            a = FloatVector.fromArray(SPECIES, w, row).fma(FloatVector.broadcast(SPECIES, u[ui]), a);
        }
        a.intoArray(out, o);
    }

    /** As {@link #block4x4} for keys {@code b .. b+5}: 24 accumulators, 4 weight vectors and a broadcast (29 of 32). */
    private static void block6x4(float[] w, int row, int ldw, int k, float[] u, int n, int b, float[] out, int o,
                                 int ldo) {
        int o0 = o;
        int o1 = o + 1 * ldo;
        int o2 = o + 2 * ldo;
        int o3 = o + 3 * ldo;
        int o4 = o + 4 * ldo;
        int o5 = o + 5 * ldo;
        FloatVector a00 = FloatVector.fromArray(SPECIES, out, o0);
        FloatVector a01 = FloatVector.fromArray(SPECIES, out, o0 + LANES);
        FloatVector a02 = FloatVector.fromArray(SPECIES, out, o0 + 2 * LANES);
        FloatVector a03 = FloatVector.fromArray(SPECIES, out, o0 + 3 * LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, out, o1);
        FloatVector a11 = FloatVector.fromArray(SPECIES, out, o1 + LANES);
        FloatVector a12 = FloatVector.fromArray(SPECIES, out, o1 + 2 * LANES);
        FloatVector a13 = FloatVector.fromArray(SPECIES, out, o1 + 3 * LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, out, o2);
        FloatVector a21 = FloatVector.fromArray(SPECIES, out, o2 + LANES);
        FloatVector a22 = FloatVector.fromArray(SPECIES, out, o2 + 2 * LANES);
        FloatVector a23 = FloatVector.fromArray(SPECIES, out, o2 + 3 * LANES);
        FloatVector a30 = FloatVector.fromArray(SPECIES, out, o3);
        FloatVector a31 = FloatVector.fromArray(SPECIES, out, o3 + LANES);
        FloatVector a32 = FloatVector.fromArray(SPECIES, out, o3 + 2 * LANES);
        FloatVector a33 = FloatVector.fromArray(SPECIES, out, o3 + 3 * LANES);
        FloatVector a40 = FloatVector.fromArray(SPECIES, out, o4);
        FloatVector a41 = FloatVector.fromArray(SPECIES, out, o4 + LANES);
        FloatVector a42 = FloatVector.fromArray(SPECIES, out, o4 + 2 * LANES);
        FloatVector a43 = FloatVector.fromArray(SPECIES, out, o4 + 3 * LANES);
        FloatVector a50 = FloatVector.fromArray(SPECIES, out, o5);
        FloatVector a51 = FloatVector.fromArray(SPECIES, out, o5 + LANES);
        FloatVector a52 = FloatVector.fromArray(SPECIES, out, o5 + 2 * LANES);
        FloatVector a53 = FloatVector.fromArray(SPECIES, out, o5 + 3 * LANES);
        int ui = b;
        for (int j = 0; j < k; j++, row += ldw, ui += n) {
            FloatVector w0 = FloatVector.fromArray(SPECIES, w, row);
            FloatVector w1 = FloatVector.fromArray(SPECIES, w, row + LANES);
            FloatVector w2 = FloatVector.fromArray(SPECIES, w, row + 2 * LANES);
            FloatVector w3 = FloatVector.fromArray(SPECIES, w, row + 3 * LANES);
            FloatVector v0 = FloatVector.broadcast(SPECIES, u[ui + 0]);
            a00 = w0.fma(v0, a00);
            a01 = w1.fma(v0, a01);
            a02 = w2.fma(v0, a02);
            a03 = w3.fma(v0, a03);
            FloatVector v1 = FloatVector.broadcast(SPECIES, u[ui + 1]);
            a10 = w0.fma(v1, a10);
            a11 = w1.fma(v1, a11);
            a12 = w2.fma(v1, a12);
            a13 = w3.fma(v1, a13);
            FloatVector v2 = FloatVector.broadcast(SPECIES, u[ui + 2]);
            a20 = w0.fma(v2, a20);
            a21 = w1.fma(v2, a21);
            a22 = w2.fma(v2, a22);
            a23 = w3.fma(v2, a23);
            FloatVector v3 = FloatVector.broadcast(SPECIES, u[ui + 3]);
            a30 = w0.fma(v3, a30);
            a31 = w1.fma(v3, a31);
            a32 = w2.fma(v3, a32);
            a33 = w3.fma(v3, a33);
            FloatVector v4 = FloatVector.broadcast(SPECIES, u[ui + 4]);
            a40 = w0.fma(v4, a40);
            a41 = w1.fma(v4, a41);
            a42 = w2.fma(v4, a42);
            a43 = w3.fma(v4, a43);
            FloatVector v5 = FloatVector.broadcast(SPECIES, u[ui + 5]);
            a50 = w0.fma(v5, a50);
            a51 = w1.fma(v5, a51);
            a52 = w2.fma(v5, a52);
            a53 = w3.fma(v5, a53);
        }
        a00.intoArray(out, o0);
        a01.intoArray(out, o0 + LANES);
        a02.intoArray(out, o0 + 2 * LANES);
        a03.intoArray(out, o0 + 3 * LANES);
        a10.intoArray(out, o1);
        a11.intoArray(out, o1 + LANES);
        a12.intoArray(out, o1 + 2 * LANES);
        a13.intoArray(out, o1 + 3 * LANES);
        a20.intoArray(out, o2);
        a21.intoArray(out, o2 + LANES);
        a22.intoArray(out, o2 + 2 * LANES);
        a23.intoArray(out, o2 + 3 * LANES);
        a30.intoArray(out, o3);
        a31.intoArray(out, o3 + LANES);
        a32.intoArray(out, o3 + 2 * LANES);
        a33.intoArray(out, o3 + 3 * LANES);
        a40.intoArray(out, o4);
        a41.intoArray(out, o4 + LANES);
        a42.intoArray(out, o4 + 2 * LANES);
        a43.intoArray(out, o4 + 3 * LANES);
        a50.intoArray(out, o5);
        a51.intoArray(out, o5 + LANES);
        a52.intoArray(out, o5 + 2 * LANES);
        a53.intoArray(out, o5 + 3 * LANES);
    }
}
