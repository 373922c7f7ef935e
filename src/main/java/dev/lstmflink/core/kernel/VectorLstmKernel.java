package dev.lstmflink.core.kernel;

import dev.lstmflink.core.model.CellLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 forward kernel on the JDK Vector API ({@code jdk.incubator.vector}, JEP 414): the fused gate product keeps
 * four vectors of gate sums in registers while it streams through one weight panel ({@link CellLayout}), so each
 * weight is loaded once per step, in address order, and no horizontal reduction is needed; σ and tanh are built from a polynomial e^x that gives the same bits before and after
 * JIT compilation (the Vector API's own EXP/TANH do not; see {@link #activate}). Columns that do not fill a vector are finished by {@link ScalarLstmKernel}'s range methods.
 *
 * <p>The batched step ({@link #gatesBatch}, {@link #projectBatch}, shared with the scalar kernel) runs its product
 * ({@link #product}) as {@link VectorBatchGemm}'s register-blocked one, which gives each key the same floats as
 * {@link #gates} and {@link #project}.
 *
 * <p>All {@code jdk.incubator.vector} imports of the project live in this class and {@link VectorBatchGemm}, which
 * only this class uses; {@link LstmKernels} loads it reflectively so that a JVM started without
 * {@code --add-modules=jdk.incubator.vector} falls back to the scalar kernel.
 *
 * <p>The backward pass (BPTT, one step of one sequence per call) is vectorized too: {@link #gatesBackward} walks the
 * rows of {@code Wt} four at a time, and for each row streams through its segments in every panel, updating
 * {@code dW[row, :] += u·dz} with vector FMAs while it accumulates the four dot products {@code Σ_r W[row, r]·dz[r]}
 * lane-wise in four registers; each dot product is reduced across lanes once per row (not once per row and panel),
 * and each {@code dz} vector loaded serves four rows. It gives the scalar kernel's results up to float rounding (the
 * sums are added in another order, and the FMAs round once). *
 * <p>Only PyTorch's cell (σ gates, tanh) has a vector pointwise path. Keras' other activations
 * ({@link dev.lstmflink.core.model.Activation}) run the pointwise part through the scalar loop inherited from
 * {@link ScalarLstmKernel}; the gate products and their backward, where the time goes, stay vectorized.
 */
public final class VectorLstmKernel extends ScalarLstmKernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int BLOCK = 4 * LANES;
    /** 1.5·2^23: x + ROUNDER − ROUNDER rounds |x| &lt; 2^22 to an integer, which sits in the sum's low bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Vectors in a full weight panel. */
    private static final int PANEL_VECTORS = CellLayout.PANEL / LANES;

    @Override
    public String name() {
        return "vector-" + SPECIES.vectorBitSize();
    }

    @Override
    public void gates(float[] w, CellLayout cell, float[] x, int xOff, float[] h, int hOff, float[] z, int zOff) {
        for (int p = 0; p < cell.panelCount(); p++) {
            int width = cell.panelWidth(p);
            int c = 0;
            for (; c + BLOCK <= width; c += BLOCK) {
                gatesBlock4(p, c, w, cell, x, xOff, h, hOff, z, zOff);
            }
            for (; c + LANES <= width; c += LANES) {
                gatesBlock1(p, c, w, cell, x, xOff, h, hOff, z, zOff);
            }
            if (c < width) {
                gatesPanel(p, c, width, w, cell, x, xOff, h, hOff, z, zOff);
            }
        }
    }

    /**
     * Columns {@code [c, c + 4·LANES)} of panel p, summed in four registers over all R rows of the panel, which are
     * read in address order.
     */
    private static void gatesBlock4(int p, int c, float[] w, CellLayout cell, float[] x, int xOff, float[] h,
                                    int hOff, float[] z, int zOff) {
        int width = cell.panelWidth(p);
        int r = p * CellLayout.PANEL + c;
        FloatVector a0 = bias(w, cell, r);
        FloatVector a1 = bias(w, cell, r + LANES);
        FloatVector a2 = bias(w, cell, r + 2 * LANES);
        FloatVector a3 = bias(w, cell, r + 3 * LANES);
        int row = cell.panelOffset(p) + c;
        for (int j = 0; j < cell.inputSize(); j++, row += width) {
            FloatVector u = FloatVector.broadcast(SPECIES, x[xOff + j]);
            a0 = FloatVector.fromArray(SPECIES, w, row).fma(u, a0);
            a1 = FloatVector.fromArray(SPECIES, w, row + LANES).fma(u, a1);
            a2 = FloatVector.fromArray(SPECIES, w, row + 2 * LANES).fma(u, a2);
            a3 = FloatVector.fromArray(SPECIES, w, row + 3 * LANES).fma(u, a3);
        }
        for (int j = 0; j < cell.outputSize(); j++, row += width) {
            FloatVector u = FloatVector.broadcast(SPECIES, h[hOff + j]);
            a0 = FloatVector.fromArray(SPECIES, w, row).fma(u, a0);
            a1 = FloatVector.fromArray(SPECIES, w, row + LANES).fma(u, a1);
            a2 = FloatVector.fromArray(SPECIES, w, row + 2 * LANES).fma(u, a2);
            a3 = FloatVector.fromArray(SPECIES, w, row + 3 * LANES).fma(u, a3);
        }
        a0.intoArray(z, zOff + r);
        a1.intoArray(z, zOff + r + LANES);
        a2.intoArray(z, zOff + r + 2 * LANES);
        a3.intoArray(z, zOff + r + 3 * LANES);
    }

    private static void gatesBlock1(int p, int c, float[] w, CellLayout cell, float[] x, int xOff, float[] h,
                                    int hOff, float[] z, int zOff) {
        int width = cell.panelWidth(p);
        int r = p * CellLayout.PANEL + c;
        FloatVector a = bias(w, cell, r);
        int row = cell.panelOffset(p) + c;
        for (int j = 0; j < cell.inputSize(); j++, row += width) {
            a = FloatVector.fromArray(SPECIES, w, row).fma(FloatVector.broadcast(SPECIES, x[xOff + j]), a);
        }
        for (int j = 0; j < cell.outputSize(); j++, row += width) {
            a = FloatVector.fromArray(SPECIES, w, row).fma(FloatVector.broadcast(SPECIES, h[hOff + j]), a);
        }
        a.intoArray(z, zOff + r);
    }

    private static FloatVector bias(float[] w, CellLayout cell, int r) {
        if (!cell.hasBias()) {
            return FloatVector.zero(SPECIES);
        }
        return FloatVector.fromArray(SPECIES, w, cell.bihOff() + r)
                .add(FloatVector.fromArray(SPECIES, w, cell.bhhOff() + r));
    }

    @Override
    public void cell(int hidden, float[] z, int zOff, float[] cPrev, int cPrevOff, float[] c, int cOff,
                     float[] tanhC, int tcOff, float[] m, int mOff) {
        int kv = (hidden / LANES) * LANES;
        if (kv > 0) {
            // Activations one gate block at a time, each a small loop with one exp: one big loop with five inlined
            // exps exceeds C2's inlining budget, and vectors crossing a non-inlined call are boxed on the heap.
            activate(z, zOff, kv, false);                // i = σ
            activate(z, zOff + hidden, kv, false);       // f = σ
            activate(z, zOff + 2 * hidden, kv, true);    // g = tanh
            activate(z, zOff + 3 * hidden, kv, false);   // o = σ
            update(hidden, kv, z, zOff, cPrev, cPrevOff, c, cOff, tanhC, tcOff, m, mOff);
        }
        if (kv < hidden) {
            cellRange(kv, hidden, hidden, z, zOff, cPrev, cPrevOff, c, cOff, tanhC, tcOff, m, mOff);
        }
    }

    /**
     * In place on {@code z[off, off+n)}: σ(x) = 1/(1 + e^{−x}), or tanh(x) = 2σ(2x) − 1.
     *
     * <p>e^x is Cephes' {@code expf} (S. Moshier) written out here, not the Vector API's {@code EXP}/{@code TANH}:
     * HotSpot runs those through Intel SVML once C2 compiles the loop but through {@code Math.tanh} per lane before,
     * and the two differ in the last bit, so a training run would depend on when the JIT kicked in. Add, multiply,
     * FMA and divide give the same bits compiled or not. x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6
     * polynomial, 2^n from exponent bits (x clamped to [−87.3, 88] keeps n in [−126, 127]; e^−87.3 = 1.2e−38 is 0 for
     * σ and tanh). About 2 ulp; tanh as 2σ(2x) − 1 is off by a few 1e−8 near 0.
     *
     * <p>Written as one straight loop body on purpose: on JDK 17 a vector passed to a call C2 does not inline (a
     * helper already compiled "into a big method"), or merged after a branch, or made by {@code convert(F2I)}, is
     * boxed on the heap; {@code StepAllocationTest} catches that.
     */
    private static void activate(float[] z, int off, int n, boolean tanh) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector scale = FloatVector.broadcast(SPECIES, tanh ? -2f : -1f);
        FloatVector a = FloatVector.broadcast(SPECIES, tanh ? 2f : 1f);
        FloatVector b = FloatVector.broadcast(SPECIES, tanh ? -1f : 0f);
        FloatVector log2e = FloatVector.broadcast(SPECIES, 1.44269504088896341f);
        FloatVector rounder = FloatVector.broadcast(SPECIES, ROUNDER);
        FloatVector ln2Hi = FloatVector.broadcast(SPECIES, -0.693359375f);
        FloatVector ln2Lo = FloatVector.broadcast(SPECIES, 2.12194440e-4f);
        for (int k = 0; k < n; k += LANES) {
            FloatVector x = FloatVector.fromArray(SPECIES, z, off + k).mul(scale).max(-87.3f).min(88.0f);
            FloatVector shifted = x.fma(log2e, rounder);     // n + 1.5·2^23: n in the low mantissa bits
            FloatVector nf = shifted.sub(rounder);
            FloatVector r = nf.fma(ln2Lo, nf.fma(ln2Hi, x));
            FloatVector p = FloatVector.broadcast(SPECIES, 1.9875691500e-4f)
                    .fma(r, FloatVector.broadcast(SPECIES, 1.3981999507e-3f))
                    .fma(r, FloatVector.broadcast(SPECIES, 8.3334519073e-3f))
                    .fma(r, FloatVector.broadcast(SPECIES, 4.1665795894e-2f))
                    .fma(r, FloatVector.broadcast(SPECIES, 1.6666665459e-1f))
                    .fma(r, FloatVector.broadcast(SPECIES, 5.0000001201e-1f));
            FloatVector expR = p.fma(r.mul(r), r).add(one);
            FloatVector pow2 = shifted.reinterpretAsInts().sub(ROUNDER_BITS - 127)
                    .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector sigma = one.div(one.add(expR.mul(pow2)));
            sigma.fma(a, b).intoArray(z, off + k);
        }
    }

    /** c_t = f ⊙ c_{t-1} + i ⊙ g ;  m_t = o ⊙ tanh(c_t), for units [0, kv), gates already activated. */
    private static void update(int hidden, int kv, float[] z, int zOff, float[] cPrev, int cPrevOff, float[] c,
                               int cOff, float[] tanhC, int tcOff, float[] m, int mOff) {
        for (int k = 0; k < kv; k += LANES) {
            int iz = zOff + k;
            FloatVector i = FloatVector.fromArray(SPECIES, z, iz);
            FloatVector f = FloatVector.fromArray(SPECIES, z, iz + hidden);
            FloatVector g = FloatVector.fromArray(SPECIES, z, iz + 2 * hidden);
            FloatVector ct = i.fma(g, f.mul(FloatVector.fromArray(SPECIES, cPrev, cPrevOff + k)));
            ct.intoArray(c, cOff + k);
            ct.intoArray(tanhC, tcOff + k);
        }
        activate(tanhC, tcOff, kv, true);
        for (int k = 0; k < kv; k += LANES) {
            FloatVector o = FloatVector.fromArray(SPECIES, z, zOff + 3 * hidden + k);
            o.mul(FloatVector.fromArray(SPECIES, tanhC, tcOff + k)).intoArray(m, mOff + k);
        }
    }

    @Override
    public void project(float[] w, CellLayout cell, float[] m, int mOff, float[] h, int hOff) {
        int p = cell.projSize();
        int q = 0;
        for (; q + LANES <= p; q += LANES) {
            FloatVector a = FloatVector.zero(SPECIES);
            int row = cell.wrOff() + q;
            for (int j = 0; j < cell.hiddenSize(); j++, row += p) {
                a = FloatVector.fromArray(SPECIES, w, row).fma(FloatVector.broadcast(SPECIES, m[mOff + j]), a);
            }
            a.intoArray(h, hOff + q);
        }
        if (q < p) {
            projectRange(q, p, w, cell, m, mOff, h, hOff);
        }
    }

    /** The batched product on the Vector API, register-blocked ({@link VectorBatchGemm}). */
    @Override
    protected void product(float[] w, int wOff, int ldw, int k, int cols, float[] u, int n, float[] out, int outOff,
                           int ldo) {
        VectorBatchGemm.multiply(w, wOff, ldw, k, cols, u, n, out, outOff, ldo);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Backward

    @Override
    public void cellBackward(int hidden, float[] gates, int gOff, float[] cPrev, int cPrevOff, float[] tanhC,
                             int tcOff, float[] dm, int dmOff, float[] dc, int dcOff, float[] dz, int dzOff) {
        // the scalar kernel's operations in the scalar kernel's order, so the results are the same floats
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        int k = 0;
        for (; k + LANES <= hidden; k += LANES) {
            int gk = gOff + k;
            FloatVector i = FloatVector.fromArray(SPECIES, gates, gk);
            FloatVector f = FloatVector.fromArray(SPECIES, gates, gk + hidden);
            FloatVector g = FloatVector.fromArray(SPECIES, gates, gk + 2 * hidden);
            FloatVector o = FloatVector.fromArray(SPECIES, gates, gk + 3 * hidden);
            FloatVector tc = FloatVector.fromArray(SPECIES, tanhC, tcOff + k);
            FloatVector dmk = FloatVector.fromArray(SPECIES, dm, dmOff + k);
            FloatVector dO = dmk.mul(tc);
            FloatVector dC = FloatVector.fromArray(SPECIES, dc, dcOff + k)
                    .add(dmk.mul(o).mul(one.sub(tc.mul(tc))));
            FloatVector dI = dC.mul(g);
            FloatVector dF = dC.mul(FloatVector.fromArray(SPECIES, cPrev, cPrevOff + k));
            FloatVector dG = dC.mul(i);
            dC.mul(f).intoArray(dc, dcOff + k);
            int zk = dzOff + k;
            dI.mul(i).mul(one.sub(i)).intoArray(dz, zk);
            dF.mul(f).mul(one.sub(f)).intoArray(dz, zk + hidden);
            dG.mul(one.sub(g.mul(g))).intoArray(dz, zk + 2 * hidden);
            dO.mul(o).mul(one.sub(o)).intoArray(dz, zk + 3 * hidden);
        }
        cellBackwardRange(k, hidden, hidden, gates, gOff, cPrev, cPrevOff, tanhC, tcOff, dm, dmOff, dc, dcOff, dz,
                dzOff);
    }

    @Override
    public void gatesBackward(float[] w, float[] dw, CellLayout cell, float[] dz, int dzOff, float[] x, int xOff,
                              float[] h, int hOff, float[] dx, int dxOff, float[] dh, int dhOff) {
        if (cell.hasBias()) {
            int n = cell.gateSize();
            int bih = cell.bihOff();
            int bhh = cell.bhhOff();
            int r = 0;
            for (; r + LANES <= n; r += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, dz, dzOff + r);
                FloatVector.fromArray(SPECIES, dw, bih + r).add(d).intoArray(dw, bih + r);
                FloatVector.fromArray(SPECIES, dw, bhh + r).add(d).intoArray(dw, bhh + r);
            }
            for (; r < n; r++) {
                dw[bih + r] += dz[dzOff + r];
                dw[bhh + r] += dz[dzOff + r];
            }
        }
        int in = cell.inputSize();
        int rows = cell.rows();
        int j = 0;
        for (; j + 4 <= rows; j += 4) {
            float u0 = j < in ? x[xOff + j] : h[hOff + j - in];
            float u1 = j + 1 < in ? x[xOff + j + 1] : h[hOff + j + 1 - in];
            float u2 = j + 2 < in ? x[xOff + j + 2] : h[hOff + j + 2 - in];
            float u3 = j + 3 < in ? x[xOff + j + 3] : h[hOff + j + 3 - in];
            rows4Backward(w, dw, cell, j, u0, u1, u2, u3, dz, dzOff, dx, dxOff, dh, dhOff);
        }
        for (; j < rows; j++) {
            float u = j < in ? x[xOff + j] : h[hOff + j - in];
            float s = rowBackward(w, dw, cell, j, u, dz, dzOff);
            store(j, in, s, dx, dxOff, dh, dhOff);
        }
    }

    /**
     * Rows {@code j .. j+3} of {@code Wt} (inputs {@code u0..u3}), across all panels: {@code dW[row, :] += u·dz} and
     * the four sums {@code Σ_r W[row, r]·dz[r]}, stored by {@link #store}. In panel p the four rows are consecutive,
     * {@code width_p} apart, so one {@code dz} vector serves all four.
     */
    private static void rows4Backward(float[] w, float[] dw, CellLayout cell, int j, float u0, float u1, float u2,
                                      float u3, float[] dz, int dzOff, float[] dx, int dxOff, float[] dh,
                                      int dhOff) {
        FloatVector v0 = FloatVector.broadcast(SPECIES, u0);
        FloatVector v1 = FloatVector.broadcast(SPECIES, u1);
        FloatVector v2 = FloatVector.broadcast(SPECIES, u2);
        FloatVector v3 = FloatVector.broadcast(SPECIES, u3);
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        FloatVector a2 = FloatVector.zero(SPECIES);
        FloatVector a3 = FloatVector.zero(SPECIES);
        // the full panels as one flat loop over their vectors (a loop nest over panels and columns would carry
        // the accumulators through two loops, which C2 does not keep in registers on JDK 17: it boxes them)
        int rows = cell.rows();
        int full = cell.gateSize() / CellLayout.PANEL;
        int base = cell.wOff() + j * CellLayout.PANEL;
        int n = full * PANEL_VECTORS;
        for (int k = 0; k < n; k++) {
            int p = k / PANEL_VECTORS;
            // panel p starts at wOff + p·64·R; column c = k·LANES − p·64 of it; row j at j·64
            int r0 = base + p * CellLayout.PANEL * (rows - 1) + k * LANES;
            int r1 = r0 + CellLayout.PANEL;
            int r2 = r1 + CellLayout.PANEL;
            int r3 = r2 + CellLayout.PANEL;
            FloatVector d = FloatVector.fromArray(SPECIES, dz, dzOff + k * LANES);
            a0 = FloatVector.fromArray(SPECIES, w, r0).fma(d, a0);
            d.fma(v0, FloatVector.fromArray(SPECIES, dw, r0)).intoArray(dw, r0);
            a1 = FloatVector.fromArray(SPECIES, w, r1).fma(d, a1);
            d.fma(v1, FloatVector.fromArray(SPECIES, dw, r1)).intoArray(dw, r1);
            a2 = FloatVector.fromArray(SPECIES, w, r2).fma(d, a2);
            d.fma(v2, FloatVector.fromArray(SPECIES, dw, r2)).intoArray(dw, r2);
            a3 = FloatVector.fromArray(SPECIES, w, r3).fma(d, a3);
            d.fma(v3, FloatVector.fromArray(SPECIES, dw, r3)).intoArray(dw, r3);
        }
        // the last, narrower panel, if any: its full vectors, then a scalar tail
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int width = cell.gateSize() - full * CellLayout.PANEL;
        if (width > 0) {
            int r0 = cell.panelOffset(full) + j * width;
            int r1 = r0 + width;
            int r2 = r1 + width;
            int r3 = r2 + width;
            int zp = dzOff + full * CellLayout.PANEL;
            int c = 0;
            for (; c + LANES <= width; c += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, dz, zp + c);
                a0 = FloatVector.fromArray(SPECIES, w, r0 + c).fma(d, a0);
                d.fma(v0, FloatVector.fromArray(SPECIES, dw, r0 + c)).intoArray(dw, r0 + c);
                a1 = FloatVector.fromArray(SPECIES, w, r1 + c).fma(d, a1);
                d.fma(v1, FloatVector.fromArray(SPECIES, dw, r1 + c)).intoArray(dw, r1 + c);
                a2 = FloatVector.fromArray(SPECIES, w, r2 + c).fma(d, a2);
                d.fma(v2, FloatVector.fromArray(SPECIES, dw, r2 + c)).intoArray(dw, r2 + c);
                a3 = FloatVector.fromArray(SPECIES, w, r3 + c).fma(d, a3);
                d.fma(v3, FloatVector.fromArray(SPECIES, dw, r3 + c)).intoArray(dw, r3 + c);
            }
            for (; c < width; c++) {
                float d = dz[zp + c];
                s0 += w[r0 + c] * d;
                dw[r0 + c] += u0 * d;
                s1 += w[r1 + c] * d;
                dw[r1 + c] += u1 * d;
                s2 += w[r2 + c] * d;
                dw[r2 + c] += u2 * d;
                s3 += w[r3 + c] * d;
                dw[r3 + c] += u3 * d;
            }
        }
        int in = cell.inputSize();
        store(j, in, s0 + a0.reduceLanes(VectorOperators.ADD), dx, dxOff, dh, dhOff);
        store(j + 1, in, s1 + a1.reduceLanes(VectorOperators.ADD), dx, dxOff, dh, dhOff);
        store(j + 2, in, s2 + a2.reduceLanes(VectorOperators.ADD), dx, dxOff, dh, dhOff);
        store(j + 3, in, s3 + a3.reduceLanes(VectorOperators.ADD), dx, dxOff, dh, dhOff);
    }

    /** One row j of {@code Wt} across all panels, as {@link #rows4Backward}; returns {@code Σ_r W[j, r]·dz[r]}. */
    private static float rowBackward(float[] w, float[] dw, CellLayout cell, int j, float u, float[] dz, int dzOff) {
        float s = 0f;
        for (int p = 0; p < cell.panelCount(); p++) {
            int width = cell.panelWidth(p);
            int row = cell.panelOffset(p) + j * width;
            s += segmentBackward(w, dw, row, width, u, dz, dzOff + p * CellLayout.PANEL);
        }
        return s;
    }

    /**
     * A contiguous row {@code W[row .. row+n)} applied as {@code y += u·W[row, :]}: {@code dW[row, :] += u·dy}, returns
     * {@code Σ_r W[row, r]·dy[r]}.
     */
    private static float segmentBackward(float[] w, float[] dw, int row, int n, float u, float[] dy, int dyOff) {
        FloatVector v = FloatVector.broadcast(SPECIES, u);
        FloatVector a0 = FloatVector.zero(SPECIES);
        FloatVector a1 = FloatVector.zero(SPECIES);
        int r = 0;
        for (; r + 2 * LANES <= n; r += 2 * LANES) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, dy, dyOff + r);
            FloatVector d1 = FloatVector.fromArray(SPECIES, dy, dyOff + r + LANES);
            a0 = FloatVector.fromArray(SPECIES, w, row + r).fma(d0, a0);
            a1 = FloatVector.fromArray(SPECIES, w, row + r + LANES).fma(d1, a1);
            d0.fma(v, FloatVector.fromArray(SPECIES, dw, row + r)).intoArray(dw, row + r);
            d1.fma(v, FloatVector.fromArray(SPECIES, dw, row + r + LANES)).intoArray(dw, row + r + LANES);
        }
        if (r + LANES <= n) {
            FloatVector d0 = FloatVector.fromArray(SPECIES, dy, dyOff + r);
            a0 = FloatVector.fromArray(SPECIES, w, row + r).fma(d0, a0);
            d0.fma(v, FloatVector.fromArray(SPECIES, dw, row + r)).intoArray(dw, row + r);
            r += LANES;
        }
        float s = 0f;
        for (; r < n; r++) {
            float d = dy[dyOff + r];
            dw[row + r] += u * d;
            s += w[row + r] * d;
        }
        return s + a0.add(a1).reduceLanes(VectorOperators.ADD);
    }

    /** The sum for row j of {@code Wt}: added to {@code dx} (input rows, when wanted), or written to {@code dh}. */
    private static void store(int j, int in, float s, float[] dx, int dxOff, float[] dh, int dhOff) {
        if (j < in) {
            if (dx != null) {
                dx[dxOff + j] += s;
            }
        } else {
            dh[dhOff + j - in] = s;
        }
    }

    @Override
    public void projectBackward(float[] w, float[] dw, CellLayout cell, float[] m, int mOff, float[] dh, int dhOff,
                                float[] dm, int dmOff) {
        int p = cell.projSize();
        int row = cell.wrOff();
        for (int j = 0; j < cell.hiddenSize(); j++, row += p) {
            dm[dmOff + j] = segmentBackward(w, dw, row, p, m[mOff + j], dh, dhOff);
        }
    }
}
