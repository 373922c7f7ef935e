package dev.lstmflink.core.kernel;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.Precision;
import java.util.Arrays;

/**
 * The reference float32 kernel: plain loops, written so that the inner loops are AXPYs over contiguous rows (which C2
 * auto-vectorizes) and with σ and tanh evaluated in double and rounded once. {@link VectorLstmKernel} is tested against
 * it, and it runs wherever {@code jdk.incubator.vector} is absent.
 *
 * <p>The {@code *Range} methods compute a slice of the outputs, so that the vector kernel can finish its tails here.
 */
public class ScalarLstmKernel implements LstmKernel<float[]> {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public final Precision<float[]> precision() {
        return Precision.F32;
    }

    @Override
    public void gates(float[] w, CellLayout cell, float[] x, int xOff, float[] h, int hOff, float[] z, int zOff) {
        for (int p = 0; p < cell.panelCount(); p++) {
            gatesPanel(p, 0, cell.panelWidth(p), w, cell, x, xOff, h, hOff, z, zOff);
        }
    }

    /**
     * Columns {@code [c0, c1)} of panel p of {@code z = b_ih + b_hh + Σ_j x_j Wt[j,:] + Σ_j h_j Wt[I+j,:]}, i.e. gate
     * rows {@code p·64 + c0 .. p·64 + c1 - 1}.
     */
    protected static void gatesPanel(int p, int c0, int c1, float[] w, CellLayout cell, float[] x, int xOff,
                                     float[] h, int hOff, float[] z, int zOff) {
        int width = cell.panelWidth(p);
        int zp = zOff + p * CellLayout.PANEL;
        int bp = p * CellLayout.PANEL;
        for (int c = c0; c < c1; c++) {
            z[zp + c] = cell.hasBias() ? w[cell.bihOff() + bp + c] + w[cell.bhhOff() + bp + c] : 0f;
        }
        int row = cell.panelOffset(p);
        for (int j = 0; j < cell.inputSize(); j++, row += width) {
            float u = x[xOff + j];
            for (int c = c0; c < c1; c++) {
                z[zp + c] += u * w[row + c];
            }
        }
        for (int j = 0; j < cell.outputSize(); j++, row += width) {
            float u = h[hOff + j];
            for (int c = c0; c < c1; c++) {
                z[zp + c] += u * w[row + c];
            }
        }
    }

    @Override
    public void cell(int hidden, float[] z, int zOff, float[] cPrev, int cPrevOff, float[] c, int cOff,
                     float[] tanhC, int tcOff, float[] m, int mOff) {
        cellRange(0, hidden, hidden, z, zOff, cPrev, cPrevOff, c, cOff, tanhC, tcOff, m, mOff);
    }

    /** Units {@code [k0, k1)} of the pointwise update. */
    protected static void cellRange(int k0, int k1, int hidden, float[] z, int zOff, float[] cPrev, int cPrevOff,
                                    float[] c, int cOff, float[] tanhC, int tcOff, float[] m, int mOff) {
        int iz = zOff;
        int fz = zOff + hidden;
        int gz = zOff + 2 * hidden;
        int oz = zOff + 3 * hidden;
        for (int k = k0; k < k1; k++) {
            float i = sigmoid(z[iz + k]);
            float f = sigmoid(z[fz + k]);
            float g = tanh(z[gz + k]);
            float o = sigmoid(z[oz + k]);
            z[iz + k] = i;
            z[fz + k] = f;
            z[gz + k] = g;
            z[oz + k] = o;
            // c_t = f ⊙ c_{t-1} + i ⊙ g ;  m_t = o ⊙ tanh(c_t)
            float ct = f * cPrev[cPrevOff + k] + i * g;
            float tc = tanh(ct);
            c[cOff + k] = ct;
            tanhC[tcOff + k] = tc;
            m[mOff + k] = o * tc;
        }
    }

    @Override
    public void cell(Activation gate, Activation act, int hidden, float[] z, int zOff, float[] cPrev, int cPrevOff,
                     float[] c, int cOff, float[] actC, int acOff, float[] m, int mOff) {
        if (gate == Activation.SIGMOID && act == Activation.TANH) {
            cell(hidden, z, zOff, cPrev, cPrevOff, c, cOff, actC, acOff, m, mOff);
            return;
        }
        for (int k = 0; k < hidden; k++) {
            float i = (float) gate.apply(z[zOff + k]);
            float f = (float) gate.apply(z[zOff + hidden + k]);
            float g = (float) act.apply(z[zOff + 2 * hidden + k]);
            float o = (float) gate.apply(z[zOff + 3 * hidden + k]);
            z[zOff + k] = i;
            z[zOff + hidden + k] = f;
            z[zOff + 2 * hidden + k] = g;
            z[zOff + 3 * hidden + k] = o;
            // c_t = f ⊙ c_{t-1} + i ⊙ g ;  m_t = o ⊙ act(c_t)
            float ct = f * cPrev[cPrevOff + k] + i * g;
            float ac = (float) act.apply(ct);
            c[cOff + k] = ct;
            actC[acOff + k] = ac;
            m[mOff + k] = o * ac;
        }
    }

    @Override
    public void project(float[] w, CellLayout cell, float[] m, int mOff, float[] h, int hOff) {
        projectRange(0, cell.projSize(), w, cell, m, mOff, h, hOff);
    }

    /** Entries {@code [p0, p1)} of {@code h = W_hr m = Σ_j m_j W_hr^T[j,:]}. */
    protected static void projectRange(int p0, int p1, float[] w, CellLayout cell, float[] m, int mOff,
                                       float[] h, int hOff) {
        int p = cell.projSize();
        for (int q = p0; q < p1; q++) {
            h[hOff + q] = 0f;
        }
        for (int j = 0; j < cell.hiddenSize(); j++) {
            float u = m[mOff + j];
            int row = cell.wrOff() + j * p;
            for (int q = p0; q < p1; q++) {
                h[hOff + q] += u * w[row + q];
            }
        }
    }

    /** The gate products of n keys as one product over each weight panel, read once per call ({@link BatchGemm}). */
    @Override
    public void gatesBatch(float[] w, CellLayout cell, int n, float[][] xs, int[] xOffs, float[][] hs, int hOff,
                           float[] u, float[] z) {
        if (n == 1) {
            gates(w, cell, xs[0], xOffs[0], hs[0], hOff, z, 0);   // the same sums; saves packing one key
            return;
        }
        BatchGemm.packInputs(cell, n, xs, xOffs, hs, hOff, u);
        BatchGemm.initGates(cell, n, w, z);
        for (int p = 0; p < cell.panelCount(); p++) {
            int width = cell.panelWidth(p);
            product(w, cell.panelOffset(p), width, cell.rows(), width, u, n, z, p * CellLayout.PANEL,
                    cell.gateSize());
        }
    }

    @Override
    public void projectBatch(float[] w, CellLayout cell, int n, float[] m, float[][] hs, int hOff, float[] u,
                             float[] out) {
        int p = cell.projSize();
        BatchGemm.packRows(n, cell.hiddenSize(), m, u);
        Arrays.fill(out, 0, n * p, 0f);
        product(w, cell.wrOff(), p, cell.hiddenSize(), p, u, n, out, 0, p);
        BatchGemm.scatter(n, p, out, hs, hOff);
    }

    /**
     * {@code out[b, c] += Σ_j U[j, b] · W[j, c]} over the k rows and {@code cols} columns of W ({@link BatchGemm}): the
     * one step {@link #gatesBatch} and {@link #projectBatch} leave to the kernel; the vector kernel register-blocks it.
     */
    protected void product(float[] w, int wOff, int ldw, int k, int cols, float[] u, int n, float[] out, int outOff,
                           int ldo) {
        BatchGemm.multiply(w, wOff, ldw, k, 0, cols, u, n, out, outOff, ldo);
    }

    @Override
    public void cellBackward(int hidden, float[] gates, int gOff, float[] cPrev, int cPrevOff, float[] tanhC,
                             int tcOff, float[] dm, int dmOff, float[] dc, int dcOff, float[] dz, int dzOff) {
        cellBackwardRange(0, hidden, hidden, gates, gOff, cPrev, cPrevOff, tanhC, tcOff, dm, dmOff, dc, dcOff, dz,
                dzOff);
    }

    /** Units {@code [k0, k1)} of {@link #cellBackward}. */
    protected static void cellBackwardRange(int k0, int k1, int hidden, float[] gates, int gOff, float[] cPrev,
                                            int cPrevOff, float[] tanhC, int tcOff, float[] dm, int dmOff,
                                            float[] dc, int dcOff, float[] dz, int dzOff) {
        for (int k = k0; k < k1; k++) {
            float i = gates[gOff + k];
            float f = gates[gOff + hidden + k];
            float g = gates[gOff + 2 * hidden + k];
            float o = gates[gOff + 3 * hidden + k];
            float tc = tanhC[tcOff + k];
            float dmk = dm[dmOff + k];
            // m = o ⊙ tanh(c): term 1 to o, term 2 to c (tanh' = 1 - tanh²), plus dc from step t+1
            float dO = dmk * tc;
            float dC = dc[dcOff + k] + dmk * o * (1f - tc * tc);
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            float dI = dC * g;
            float dF = dC * cPrev[cPrevOff + k];
            float dG = dC * i;
            dc[dcOff + k] = dC * f;
            // through the activations: σ' = σ(1-σ), tanh' = 1 - tanh²
            dz[dzOff + k] = dI * i * (1f - i);
            dz[dzOff + hidden + k] = dF * f * (1f - f);
            dz[dzOff + 2 * hidden + k] = dG * (1f - g * g);
            dz[dzOff + 3 * hidden + k] = dO * o * (1f - o);
        }
    }

    @Override
    public void cellBackward(Activation gate, Activation act, int hidden, float[] gates, int gOff, float[] cPrev,
                             int cPrevOff, float[] actC, int acOff, float[] dm, int dmOff, float[] dc, int dcOff,
                             float[] dz, int dzOff) {
        if (gate == Activation.SIGMOID && act == Activation.TANH) {
            cellBackward(hidden, gates, gOff, cPrev, cPrevOff, actC, acOff, dm, dmOff, dc, dcOff, dz, dzOff);
            return;
        }
        for (int k = 0; k < hidden; k++) {
            float i = gates[gOff + k];
            float f = gates[gOff + hidden + k];
            float g = gates[gOff + 2 * hidden + k];
            float o = gates[gOff + 3 * hidden + k];
            float ac = actC[acOff + k];
            float dmk = dm[dmOff + k];
            // m = o ⊙ act(c): term 1 to o, term 2 to c, plus dc from step t+1
            float dO = dmk * ac;
            float dC = dc[dcOff + k] + dmk * o * (float) act.derivativeFromOutput(ac);
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            float dI = dC * g;
            float dF = dC * cPrev[cPrevOff + k];
            float dG = dC * i;
            dc[dcOff + k] = dC * f;
            dz[dzOff + k] = dI * (float) gate.derivativeFromOutput(i);
            dz[dzOff + hidden + k] = dF * (float) gate.derivativeFromOutput(f);
            dz[dzOff + 2 * hidden + k] = dG * (float) act.derivativeFromOutput(g);
            dz[dzOff + 3 * hidden + k] = dO * (float) gate.derivativeFromOutput(o);
        }
    }

    @Override
    public void gatesBackward(float[] w, float[] dw, CellLayout cell, float[] dz, int dzOff, float[] x, int xOff,
                              float[] h, int hOff, float[] dx, int dxOff, float[] dh, int dhOff) {
        if (cell.hasBias()) {
            for (int r = 0; r < cell.gateSize(); r++) {
                dw[cell.bihOff() + r] += dz[dzOff + r];
                dw[cell.bhhOff() + r] += dz[dzOff + r];
            }
        }
        for (int j = 0; j < cell.outputSize(); j++) {
            dh[dhOff + j] = 0f;
        }
        for (int p = 0; p < cell.panelCount(); p++) {
            int width = cell.panelWidth(p);
            int zp = dzOff + p * CellLayout.PANEL;
            int row = cell.panelOffset(p);
            for (int j = 0; j < cell.inputSize(); j++, row += width) {
                float s = rowBackward(w, dw, row, width, x[xOff + j], dz, zp);
                if (dx != null) {
                    dx[dxOff + j] += s;
                }
            }
            for (int j = 0; j < cell.outputSize(); j++, row += width) {
                dh[dhOff + j] += rowBackward(w, dw, row, width, h[hOff + j], dz, zp);
            }
        }
    }

    @Override
    public void projectBackward(float[] w, float[] dw, CellLayout cell, float[] m, int mOff, float[] dh, int dhOff,
                                float[] dm, int dmOff) {
        int p = cell.projSize();
        for (int j = 0; j < cell.hiddenSize(); j++) {
            dm[dmOff + j] = rowBackward(w, dw, cell.wrOff() + j * p, p, m[mOff + j], dh, dhOff);
        }
    }

    /** For one row {@code W[row, 0:n]} applied as {@code y += u·W[row,:]}: {@code dW[row,:] += u·dy}; returns ∂L/∂u. */
    private static float rowBackward(float[] w, float[] dw, int row, int n, float u, float[] dy, int dyOff) {
        float s = 0f;
        for (int r = 0; r < n; r++) {
            float d = dy[dyOff + r];
            dw[row + r] += u * d;
            s += w[row + r] * d;
        }
        return s;
    }

    static float sigmoid(float x) {
        return (float) (1.0 / (1.0 + Math.exp(-x)));
    }

    static float tanh(float x) {
        return (float) Math.tanh(x);
    }
}
