package dev.lstmflink.core.nn;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;

/**
 * The arithmetic of the dropout kinds inside a layer ({@link DropoutConfig}) for {@link ForwardPass}: drawing the
 * masks, masking the kernel's inputs and W_hh, and the pointwise cell with the state-update mask, forward and
 * backward. Plain loops over {@link Precision}: these run in training only, never on the streaming path.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
final class CellDropout<A> {

    private final Precision<A> num;
    private final LstmConfig cfg;

    CellDropout(Precision<A> num, LstmConfig cfg) {
        this.num = num;
        this.cfg = cfg;
    }

    /** Inverted-dropout mask of n units: 0 with probability p, else 1/(1 − p); null when p = 0 (nothing drawn). */
    A drawMask(int n, double p, java.util.random.RandomGenerator rng) {
        if (p == 0) {
            return null;
        }
        A mask = num.allocate(n);
        double keep = 1 / (1 - p);
        for (int i = 0; i < n; i++) {
            num.set(mask, i, rng.nextDouble() < p ? 0 : keep);
        }
        return mask;
    }

    /** {@code dst[0..n) = a[aOff..] ⊙ mask[mOff..]}; {@code dst} may be {@code a} at offset 0. */
    void multiply(A a, int aOff, A mask, int mOff, A dst, int n) {
        for (int j = 0; j < n; j++) {
            num.set(dst, j, num.get(a, aOff + j) * num.get(mask, mOff + j));
        }
    }

    /** A copy of the parameters with cell's W_hh multiplied by sequence b's DropConnect mask {@code [Hout,4H]}. */
    A droppedWeights(A w, CellLayout cell, A mask, int b) {
        A wc = num.copy(w);
        maskRecurrentBlock(wc, cell, mask, b);
        return wc;
    }

    /** Multiplies cell's W_hh entries of {@code a} (parameter layout) by sequence b's mask, in place. */
    void maskRecurrentBlock(A a, CellLayout cell, A mask, int b) {
        int hOut = cell.outputSize();
        int g4 = cell.gateSize();
        for (int j = 0; j < hOut; j++) {
            int row = (b * hOut + j) * g4;
            for (int r = 0; r < g4; r++) {
                int idx = cell.weightIndex(cell.inputSize() + j, r);
                num.set(a, idx, num.get(a, idx) * num.get(mask, row + r));
            }
        }
    }

    /**
     * The kernel's pointwise cell with the state-update dropout of Semeniuta et al. 2016 (see {@link DropoutConfig}),
     * in the config's activations:
     * <pre>
     *   i, f, o = gate(z_i, z_f, z_o)   g = act(z_g)
     *   c_t = f ⊙ c_{t-1} + i ⊙ (g ⊙ m_t)
     *   m_t(out) = o ⊙ act(c_t)
     * </pre>
     * The activated, unmasked gates replace z (for the backward pass), as the kernel's cell does.
     */
    void cellUpdateDropout(int hid, A z, int zOff, A cPrev, int cpOff, A c, int cOff, A actC, int acOff,
                           A m, int mOff, A mask, int maskOff) {
        Activation gate = cfg.recurrentActivation();
        Activation act = cfg.activation();
        for (int j = 0; j < hid; j++) {
            num.set(z, zOff + j, gate.apply(num.get(z, zOff + j)));
            num.set(z, zOff + hid + j, gate.apply(num.get(z, zOff + hid + j)));
            num.set(z, zOff + 2 * hid + j, act.apply(num.get(z, zOff + 2 * hid + j)));
            num.set(z, zOff + 3 * hid + j, gate.apply(num.get(z, zOff + 3 * hid + j)));
            double ig = num.get(z, zOff + j);
            double fg = num.get(z, zOff + hid + j);
            double gg = num.get(z, zOff + 2 * hid + j);
            double og = num.get(z, zOff + 3 * hid + j);
            num.set(c, cOff + j, fg * num.get(cPrev, cpOff + j) + ig * gg * num.get(mask, maskOff + j));
            num.set(actC, acOff + j, act.apply(num.get(c, cOff + j)));
            num.set(m, mOff + j, og * num.get(actC, acOff + j));
        }
    }

    /**
     * Backward of {@link #cellUpdateDropout}, as the kernel's {@code cellBackward}: on entry {@code dc} holds
     * ∂L/∂c_t from later steps and {@code dm} ∂L/∂m_t; on exit {@code dz} holds ∂L/∂z_t, {@code dc} ∂L/∂c_{t-1}.
     */
    void cellBackwardUpdateDropout(int hid, A gates, int gOff, A cPrev, int cpOff, A actC, int acOff, A dm,
                                   A dc, A dz, A mask, int maskOff) {
        Activation gate = cfg.recurrentActivation();
        Activation act = cfg.activation();
        for (int j = 0; j < hid; j++) {
            double ig = num.get(gates, gOff + j);
            double fg = num.get(gates, gOff + hid + j);
            double gg = num.get(gates, gOff + 2 * hid + j);
            double og = num.get(gates, gOff + 3 * hid + j);
            double ac = num.get(actC, acOff + j);
            double mk = num.get(mask, maskOff + j);
            double dmj = num.get(dm, j);
            // ∂L/∂c_t: from later steps plus through m_t = o ⊙ act(c_t)
            double dct = num.get(dc, j) + dmj * og * act.derivativeFromOutput(ac);
            num.set(dz, j, dct * gg * mk * gate.derivativeFromOutput(ig));
            num.set(dz, hid + j, dct * num.get(cPrev, cpOff + j) * gate.derivativeFromOutput(fg));
            num.set(dz, 2 * hid + j, dct * ig * mk * act.derivativeFromOutput(gg));
            num.set(dz, 3 * hid + j, dmj * ac * gate.derivativeFromOutput(og));
            num.set(dc, j, dct * fg);
        }
    }
}
