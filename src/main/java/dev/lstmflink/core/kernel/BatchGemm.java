package dev.lstmflink.core.kernel;

import dev.lstmflink.core.model.CellLayout;

/**
 * The small matrix product behind the batched step ({@link LstmKernel#gatesBatch}, {@link LstmKernel#projectBatch}),
 * scalar version, and the packing around it. Not a general GEMM: it computes exactly what the single-key kernels
 * compute, key by key, in the same order, so that a key's result does not depend on whether it was stepped alone.
 *
 * <p>Shapes (n = keys in the batch, k = rows of the weight matrix, N = its columns):
 * <pre>
 *   W    (k, N)  row-major at wOff, row stride ldw: a gate panel of Wt (k = R = I + Hout, N ≤ 64, ldw = N)
 *                or W_hr^T (k = H, N = P, ldw = P)
 *   U    (k, n)  the keys' inputs as columns: U[j, b] = [x_b; h_b]_j, at u[j·n + b]
 *   out  (n, ·)  out[b, c] at outOff + b·ldo + c
 *   out[b, c] += Σ_j U[j, b] · W[j, c]     for j = 0 … k-1 in order: the single-key kernels' order
 * </pre>
 * The loop order (j, then b, then c) keeps one row of W in L1 while all n keys use it, so W is read from memory once
 * per call; C2 auto-vectorizes the inner loop over c, as in {@link ScalarLstmKernel#gatesPanel}.
 */
final class BatchGemm {

    private BatchGemm() {}

    /** U[j, b] = [x_b; h_b]_j for j &lt; R = I + Hout: the keys' inputs as the columns of {@code u (R, n)}. */
    static void packInputs(CellLayout cell, int n, float[][] xs, int[] xOffs, float[][] hs, int hOff, float[] u) {
        // row by row, so u is written in order (each row's n values are one run of stores)
        int in = cell.inputSize();
        for (int j = 0; j < in; j++) {
            int row = j * n;
            for (int b = 0; b < n; b++) {
                u[row + b] = xs[b][xOffs[b] + j];
            }
        }
        int out = cell.outputSize();
        for (int j = 0; j < out; j++) {
            int row = (in + j) * n;
            int src = hOff + j;
            for (int b = 0; b < n; b++) {
                u[row + b] = hs[b][src];
            }
        }
    }

    /** U[j, b] = m[b·H + j]: {@code m (n, H)} transposed into {@code u (H, n)}. */
    static void packRows(int n, int hidden, float[] m, float[] u) {
        for (int b = 0; b < n; b++) {
            for (int j = 0; j < hidden; j++) {
                u[j * n + b] = m[b * hidden + j];
            }
        }
    }

    /** z[b, :] = b_ih + b_hh (or 0 without bias) for every key: where the gate sums start, as in the single step. */
    static void initGates(CellLayout cell, int n, float[] w, float[] z) {
        int g = cell.gateSize();
        if (cell.hasBias()) {
            for (int r = 0; r < g; r++) {
                z[r] = w[cell.bihOff() + r] + w[cell.bhhOff() + r];
            }
        } else {
            java.util.Arrays.fill(z, 0, g, 0f);
        }
        for (int b = 1; b < n; b++) {
            System.arraycopy(z, 0, z, b * g, g);   // the same sums for every key: computed once, copied
        }
    }

    /** Columns {@code [c0, c1)} of {@code out += U^T W}, over all k rows of W (see the class comment). */
    static void multiply(float[] w, int wOff, int ldw, int k, int c0, int c1, float[] u, int n, float[] out,
                         int outOff, int ldo) {
        for (int j = 0; j < k; j++) {
            int row = wOff + j * ldw;
            for (int b = 0; b < n; b++) {
                float uj = u[j * n + b];
                int o = outOff + b * ldo;
                for (int c = c0; c < c1; c++) {
                    out[o + c] += uj * w[row + c];
                }
            }
        }
    }

    /** Copies {@code out (n, P)} to each key's h: {@code hs[b][hOff .. hOff+P)}. */
    static void scatter(int n, int p, float[] out, float[][] hs, int hOff) {
        for (int b = 0; b < n; b++) {
            System.arraycopy(out, b * p, hs[b], hOff, p);
        }
    }
}
