package dev.lstmflink.core.kernel;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.Precision;

/**
 * The float64 kernel: the same loops as {@link ScalarLstmKernel} in double precision. It runs the float64 forward and
 * backward passes that the golden tests check at 1e-10 and that finite-difference gradient checks need.
 */
public final class DoubleLstmKernel implements LstmKernel<double[]> {

    @Override
    public String name() {
        return "scalar-f64";
    }

    @Override
    public final Precision<double[]> precision() {
        return Precision.F64;
    }

    @Override
    public void gates(double[] w, CellLayout cell, double[] x, int xOff, double[] h, int hOff, double[] z, int zOff) {
        for (int p = 0; p < cell.panelCount(); p++) {
            gatesPanel(p, 0, cell.panelWidth(p), w, cell, x, xOff, h, hOff, z, zOff);
        }
    }

    /**
     * Columns {@code [c0, c1)} of panel p of {@code z = b_ih + b_hh + Σ_j x_j Wt[j,:] + Σ_j h_j Wt[I+j,:]}, i.e. gate
     * rows {@code p·64 + c0 .. p·64 + c1 - 1}.
     */
    protected static void gatesPanel(int p, int c0, int c1, double[] w, CellLayout cell, double[] x, int xOff,
                                     double[] h, int hOff, double[] z, int zOff) {
        int width = cell.panelWidth(p);
        int zp = zOff + p * CellLayout.PANEL;
        int bp = p * CellLayout.PANEL;
        for (int c = c0; c < c1; c++) {
            z[zp + c] = cell.hasBias() ? w[cell.bihOff() + bp + c] + w[cell.bhhOff() + bp + c] : 0.0;
        }
        int row = cell.panelOffset(p);
        for (int j = 0; j < cell.inputSize(); j++, row += width) {
            double u = x[xOff + j];
            for (int c = c0; c < c1; c++) {
                z[zp + c] += u * w[row + c];
            }
        }
        for (int j = 0; j < cell.outputSize(); j++, row += width) {
            double u = h[hOff + j];
            for (int c = c0; c < c1; c++) {
                z[zp + c] += u * w[row + c];
            }
        }
    }

    @Override
    public void cell(int hidden, double[] z, int zOff, double[] cPrev, int cPrevOff, double[] c, int cOff,
                     double[] tanhC, int tcOff, double[] m, int mOff) {
        cellRange(0, hidden, hidden, z, zOff, cPrev, cPrevOff, c, cOff, tanhC, tcOff, m, mOff);
    }

    /** Units {@code [k0, k1)} of the pointwise update. */
    protected static void cellRange(int k0, int k1, int hidden, double[] z, int zOff, double[] cPrev, int cPrevOff,
                                    double[] c, int cOff, double[] tanhC, int tcOff, double[] m, int mOff) {
        int iz = zOff;
        int fz = zOff + hidden;
        int gz = zOff + 2 * hidden;
        int oz = zOff + 3 * hidden;
        for (int k = k0; k < k1; k++) {
            double i = sigmoid(z[iz + k]);
            double f = sigmoid(z[fz + k]);
            double g = tanh(z[gz + k]);
            double o = sigmoid(z[oz + k]);
            z[iz + k] = i;
            z[fz + k] = f;
            z[gz + k] = g;
            z[oz + k] = o;
            // c_t = f ⊙ c_{t-1} + i ⊙ g ;  m_t = o ⊙ tanh(c_t)
            double ct = f * cPrev[cPrevOff + k] + i * g;
            double tc = tanh(ct);
            c[cOff + k] = ct;
            tanhC[tcOff + k] = tc;
            m[mOff + k] = o * tc;
        }
    }

    @Override
    public void cell(Activation gate, Activation act, int hidden, double[] z, int zOff, double[] cPrev, int cPrevOff,
                     double[] c, int cOff, double[] actC, int acOff, double[] m, int mOff) {
        if (gate == Activation.SIGMOID && act == Activation.TANH) {
            cell(hidden, z, zOff, cPrev, cPrevOff, c, cOff, actC, acOff, m, mOff);
            return;
        }
        for (int k = 0; k < hidden; k++) {
            double i = gate.apply(z[zOff + k]);
            double f = gate.apply(z[zOff + hidden + k]);
            double g = act.apply(z[zOff + 2 * hidden + k]);
            double o = gate.apply(z[zOff + 3 * hidden + k]);
            z[zOff + k] = i;
            z[zOff + hidden + k] = f;
            z[zOff + 2 * hidden + k] = g;
            z[zOff + 3 * hidden + k] = o;
            // c_t = f ⊙ c_{t-1} + i ⊙ g ;  m_t = o ⊙ act(c_t)
            double ct = f * cPrev[cPrevOff + k] + i * g;
            double ac = act.apply(ct);
            c[cOff + k] = ct;
            actC[acOff + k] = ac;
            m[mOff + k] = o * ac;
        }
    }

    @Override
    public void project(double[] w, CellLayout cell, double[] m, int mOff, double[] h, int hOff) {
        projectRange(0, cell.projSize(), w, cell, m, mOff, h, hOff);
    }

    /** Entries {@code [p0, p1)} of {@code h = W_hr m = Σ_j m_j W_hr^T[j,:]}. */
    protected static void projectRange(int p0, int p1, double[] w, CellLayout cell, double[] m, int mOff,
                                       double[] h, int hOff) {
        int p = cell.projSize();
        for (int q = p0; q < p1; q++) {
            h[hOff + q] = 0.0;
        }
        for (int j = 0; j < cell.hiddenSize(); j++) {
            double u = m[mOff + j];
            int row = cell.wrOff() + j * p;
            for (int q = p0; q < p1; q++) {
                h[hOff + q] += u * w[row + q];
            }
        }
    }

    @Override
    public void cellBackward(int hidden, double[] gates, int gOff, double[] cPrev, int cPrevOff, double[] tanhC,
                             int tcOff, double[] dm, int dmOff, double[] dc, int dcOff, double[] dz, int dzOff) {
        for (int k = 0; k < hidden; k++) {
            double i = gates[gOff + k];
            double f = gates[gOff + hidden + k];
            double g = gates[gOff + 2 * hidden + k];
            double o = gates[gOff + 3 * hidden + k];
            double tc = tanhC[tcOff + k];
            double dmk = dm[dmOff + k];
            // m = o ⊙ tanh(c): term 1 to o, term 2 to c (tanh' = 1 - tanh²), plus dc from step t+1
            double dO = dmk * tc;
            double dC = dc[dcOff + k] + dmk * o * (1.0 - tc * tc);
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            double dI = dC * g;
            double dF = dC * cPrev[cPrevOff + k];
            double dG = dC * i;
            dc[dcOff + k] = dC * f;
            // through the activations: σ' = σ(1-σ), tanh' = 1 - tanh²
            dz[dzOff + k] = dI * i * (1.0 - i);
            dz[dzOff + hidden + k] = dF * f * (1.0 - f);
            dz[dzOff + 2 * hidden + k] = dG * (1.0 - g * g);
            dz[dzOff + 3 * hidden + k] = dO * o * (1.0 - o);
        }
    }

    @Override
    public void cellBackward(Activation gate, Activation act, int hidden, double[] gates, int gOff, double[] cPrev,
                             int cPrevOff, double[] actC, int acOff, double[] dm, int dmOff, double[] dc, int dcOff,
                             double[] dz, int dzOff) {
        if (gate == Activation.SIGMOID && act == Activation.TANH) {
            cellBackward(hidden, gates, gOff, cPrev, cPrevOff, actC, acOff, dm, dmOff, dc, dcOff, dz, dzOff);
            return;
        }
        for (int k = 0; k < hidden; k++) {
            double i = gates[gOff + k];
            double f = gates[gOff + hidden + k];
            double g = gates[gOff + 2 * hidden + k];
            double o = gates[gOff + 3 * hidden + k];
            double ac = actC[acOff + k];
            double dmk = dm[dmOff + k];
            // m = o ⊙ act(c): term 1 to o, term 2 to c, plus dc from step t+1
            double dO = dmk * ac;
            double dC = dc[dcOff + k] + dmk * o * act.derivativeFromOutput(ac);
            // c_t = f ⊙ c_{t-1} + i ⊙ g
            double dI = dC * g;
            double dF = dC * cPrev[cPrevOff + k];
            double dG = dC * i;
            dc[dcOff + k] = dC * f;
            dz[dzOff + k] = dI * gate.derivativeFromOutput(i);
            dz[dzOff + hidden + k] = dF * gate.derivativeFromOutput(f);
            dz[dzOff + 2 * hidden + k] = dG * act.derivativeFromOutput(g);
            dz[dzOff + 3 * hidden + k] = dO * gate.derivativeFromOutput(o);
        }
    }

    @Override
    public void gatesBackward(double[] w, double[] dw, CellLayout cell, double[] dz, int dzOff, double[] x, int xOff,
                              double[] h, int hOff, double[] dx, int dxOff, double[] dh, int dhOff) {
        if (cell.hasBias()) {
            for (int r = 0; r < cell.gateSize(); r++) {
                dw[cell.bihOff() + r] += dz[dzOff + r];
                dw[cell.bhhOff() + r] += dz[dzOff + r];
            }
        }
        for (int j = 0; j < cell.outputSize(); j++) {
            dh[dhOff + j] = 0.0;
        }
        for (int p = 0; p < cell.panelCount(); p++) {
            int width = cell.panelWidth(p);
            int zp = dzOff + p * CellLayout.PANEL;
            int row = cell.panelOffset(p);
            for (int j = 0; j < cell.inputSize(); j++, row += width) {
                double s = rowBackward(w, dw, row, width, x[xOff + j], dz, zp);
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
    public void projectBackward(double[] w, double[] dw, CellLayout cell, double[] m, int mOff, double[] dh, int dhOff,
                                double[] dm, int dmOff) {
        int p = cell.projSize();
        for (int j = 0; j < cell.hiddenSize(); j++) {
            dm[dmOff + j] = rowBackward(w, dw, cell.wrOff() + j * p, p, m[mOff + j], dh, dhOff);
        }
    }

    /** For one row {@code W[row, 0:n]} applied as {@code y += u·W[row,:]}: {@code dW[row,:] += u·dy}; returns ∂L/∂u. */
    private static double rowBackward(double[] w, double[] dw, int row, int n, double u, double[] dy, int dyOff) {
        double s = 0.0;
        for (int r = 0; r < n; r++) {
            double d = dy[dyOff + r];
            dw[row + r] += u * d;
            s += w[row + r] * d;
        }
        return s;
    }

    static double sigmoid(double x) {
        return (1.0 / (1.0 + Math.exp(-x)));
    }

    static double tanh(double x) {
        return Math.tanh(x);
    }
}
