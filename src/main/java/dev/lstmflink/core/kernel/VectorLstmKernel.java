package dev.lstmflink.core.kernel;

import dev.lstmflink.core.model.CellLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 forward kernel on the JDK Vector API ({@code jdk.incubator.vector}, JEP 414): the fused gate product keeps
 * four vectors of gate sums in registers while it streams through one weight panel ({@link CellLayout}), so each
 * weight is loaded once per step, in address order, and no horizontal reduction is needed; σ and tanh use the vector {@code EXP}/{@code TANH} operators (Intel SVML stubs in HotSpot on
 * x86). Columns that do not fill a vector are finished by {@link ScalarLstmKernel}'s range methods.
 *
 * <p>All {@code jdk.incubator.vector} imports of the project live in this class; {@link LstmKernels} loads it
 * reflectively so that a JVM started without {@code --add-modules=jdk.incubator.vector} falls back to the scalar kernel.
 * The backward pass is inherited from the scalar kernel (training is not on the per-event path).
 */
public final class VectorLstmKernel extends ScalarLstmKernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int BLOCK = 4 * LANES;

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
        int k = 0;
        for (; k + LANES <= hidden; k += LANES) {
            int iz = zOff + k;
            FloatVector i = sigmoid(FloatVector.fromArray(SPECIES, z, iz));
            FloatVector f = sigmoid(FloatVector.fromArray(SPECIES, z, iz + hidden));
            FloatVector g = FloatVector.fromArray(SPECIES, z, iz + 2 * hidden).lanewise(VectorOperators.TANH);
            FloatVector o = sigmoid(FloatVector.fromArray(SPECIES, z, iz + 3 * hidden));
            i.intoArray(z, iz);
            f.intoArray(z, iz + hidden);
            g.intoArray(z, iz + 2 * hidden);
            o.intoArray(z, iz + 3 * hidden);
            // c_t = f ⊙ c_{t-1} + i ⊙ g ;  m_t = o ⊙ tanh(c_t)
            FloatVector ct = i.fma(g, f.mul(FloatVector.fromArray(SPECIES, cPrev, cPrevOff + k)));
            FloatVector tc = ct.lanewise(VectorOperators.TANH);
            ct.intoArray(c, cOff + k);
            tc.intoArray(tanhC, tcOff + k);
            o.mul(tc).intoArray(m, mOff + k);
        }
        if (k < hidden) {
            cellRange(k, hidden, hidden, z, zOff, cPrev, cPrevOff, c, cOff, tanhC, tcOff, m, mOff);
        }
    }

    /** σ(x) = 1 / (1 + e^{-x}); e^{-x} = +∞ for very negative x gives exactly 0, as it should. */
    private static FloatVector sigmoid(FloatVector x) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        return one.div(one.add(x.neg().lanewise(VectorOperators.EXP)));
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
}
