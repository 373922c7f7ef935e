package dev.lstmflink.core.nn;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;

/**
 * Advances one sequence (one key of a stream) by one timestep through all layers, in place, without allocating.
 *
 * <p>A key's state is one flat array, layer after layer: {@code [h_l (Hout) | c_l (H)]} for l = 0 … L-1 (see
 * {@link #hOffset}, {@link #cOffset}), so it can be stored as a single {@code float[]} in Flink state. Stepping a
 * sequence event by event gives the same h and c as {@link Lstm#forward} over the whole sequence, with any of Keras'
 * activations. Bidirectional and {@code go_backwards} models need the whole sequence and are refused.
 *
 * <p>{@link #stepBatch} advances up to {@link #maxBatch()} keys by one timestep each in one pass over the weights:
 * each layer's gate products of all keys become one small matrix product ({@link LstmKernel#gatesBatch}), so the
 * weights are read once per pass instead of once per key. Each key's state stays its own array, as in {@link #step},
 * and each key gets the same h and c as {@link #step} would give it.
 *
 * <p>Not thread-safe: it owns scratch buffers. Use one per thread (one per Flink task), shared by all keys.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public final class LstmStepper<A> {

    private final Lstm<A> lstm;
    private final LstmKernel<A> kernel;
    private final CellLayout[] cells;
    private final int stride;
    private final boolean plain;   // PyTorch's cell (σ, tanh): the kernels' fast path
    private final Activation gate;
    private final Activation act;
    private final A z;       // (4H) gates of the current layer
    private final A tanhC;   // (H)
    private final A m;       // (H) o ⊙ tanh(c), only used when projecting
    // the batched step's scratch, for up to maxBatch keys
    private final int maxBatch;
    private final A u;       // (max(R, H), maxBatch) the keys' inputs [x; h] (or m) as columns
    private final A zb;      // (maxBatch, 4H) gates; after the cells, the projection's (maxBatch, P) output
    private final A mb;      // (maxBatch, H) m_t per key, only used when projecting
    private final int[] inOffs;   // (maxBatch) where each key's input to layer l > 0 starts in its state

    LstmStepper(Lstm<A> lstm) {
        this(lstm, 1);
    }

    /** A stepper whose {@link #stepBatch} takes up to {@code maxBatch} keys; its scratch is allocated here, once. */
    LstmStepper(Lstm<A> lstm, int maxBatch) {
        LstmConfig cfg = lstm.config();
        if (cfg.bidirectional()) {
            throw new IllegalArgumentException("a bidirectional LSTM cannot be stepped one event at a time: its "
                    + "reverse direction needs the rest of the sequence (bidirectional=true)");
        }
        if (cfg.goBackwards()) {
            throw new IllegalArgumentException("a go_backwards LSTM cannot be stepped one event at a time: it reads "
                    + "each sequence from its last step, which a stream has not seen yet (go_backwards=true)");
        }
        this.lstm = lstm;
        this.kernel = lstm.kernel();
        this.cells = new CellLayout[cfg.numLayers()];
        for (int l = 0; l < cells.length; l++) {
            cells[l] = lstm.layout().cell(l, 0);
        }
        this.stride = cfg.outputSize() + cfg.hiddenSize();
        this.plain = cfg.hasDefaultActivations();
        this.gate = cfg.recurrentActivation();
        this.act = cfg.activation();
        Precision<A> num = kernel.precision();
        this.z = num.allocate(4 * cfg.hiddenSize());
        this.tanhC = num.allocate(cfg.hiddenSize());
        this.m = num.allocate(cfg.hiddenSize());
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
        int rows = cfg.hiddenSize();
        for (CellLayout cell : cells) {
            rows = Math.max(rows, cell.rows());
        }
        this.u = num.allocate(rows * maxBatch);
        this.zb = num.allocate(maxBatch * 4 * cfg.hiddenSize());
        this.mb = num.allocate(cfg.projSize() > 0 ? maxBatch * cfg.hiddenSize() : 0);
        this.inOffs = new int[maxBatch];
    }

    /** The most keys one {@link #stepBatch} call takes. */
    public int maxBatch() {
        return maxBatch;
    }

    /** Length of a key's state: L·(Hout + H). */
    public int stateSize() {
        return cells.length * stride;
    }

    /** A zero state (PyTorch's default h0 = c0 = 0). */
    public A newState() {
        return kernel.precision().allocate(stateSize());
    }

    /** Offset of layer l's h (Hout values) in a state. */
    public int hOffset(int layer) {
        return layer * stride;
    }

    /** Offset of layer l's c (H values) in a state. */
    public int cOffset(int layer) {
        return layer * stride + cells[layer].outputSize();
    }

    /** Offset of the last layer's h, the output of a step. */
    public int outputOffset() {
        return hOffset(cells.length - 1);
    }

    /**
     * Sets {@code state} to sequence {@code b} of PyTorch-shaped initial states {@code h0 [L,B,Hout]} and
     * {@code c0 [L,B,H]} (either may be null for zeros).
     */
    public void loadState(A state, A h0, A c0, int batch, int b) {
        Precision<A> num = kernel.precision();
        int hOut = lstm.config().outputSize();
        int hid = lstm.config().hiddenSize();
        A zeros = num.allocate(Math.max(hOut, hid));
        for (int l = 0; l < cells.length; l++) {
            System.arraycopy(h0 != null ? h0 : zeros, h0 != null ? (l * batch + b) * hOut : 0, state, hOffset(l), hOut);
            System.arraycopy(c0 != null ? c0 : zeros, c0 != null ? (l * batch + b) * hid : 0, state, cOffset(l), hid);
        }
    }

    /**
     * One timestep: reads {@code x_t} ({@code I} values at {@code xOff}) and replaces every layer's h and c in
     * {@code state} by their values after this step. The output is at {@link #outputOffset()}.
     */
    public void step(A x, int xOff, A state) {
        A w = lstm.params();
        A in = x;
        int inOff = xOff;
        for (int l = 0; l < cells.length; l++) {
            CellLayout cell = cells[l];
            int h = hOffset(l);
            int c = cOffset(l);
            kernel.gates(w, cell, in, inOff, state, h, z, 0);
            // h_{t-1} is consumed by the gates, so the cell can write h_t (or m_t) and c_t over the old values.
            if (!plain) {
                // Keras' other activations: one branch per layer and step, the default path below is untouched
                A mOut = cell.hasProjection() ? m : state;
                kernel.cell(gate, act, cell.hiddenSize(), z, 0, state, c, state, c, tanhC, 0, mOut,
                        cell.hasProjection() ? 0 : h);
                if (cell.hasProjection()) {
                    kernel.project(w, cell, m, 0, state, h);
                }
            } else if (cell.hasProjection()) {
                kernel.cell(cell.hiddenSize(), z, 0, state, c, state, c, tanhC, 0, m, 0);
                kernel.project(w, cell, m, 0, state, h);
            } else {
                kernel.cell(cell.hiddenSize(), z, 0, state, c, state, c, tanhC, 0, state, h);
            }
            in = state;
            inOff = h;
        }
    }

    /**
     * One timestep for n keys at once: key b reads {@code x_t} from {@code xs[b]} at {@code xOffs[b]} ({@code I}
     * values) and has its h and c of every layer replaced in {@code states[b]} (a state as {@link #newState()} makes,
     * laid out as for {@link #step}), exactly as {@code step(xs[b], xOffs[b], states[b])} would, in one pass over the
     * weights per layer. The keys must be distinct arrays: two entries for one key would be stepped from the same old
     * state.
     *
     * @param n at most {@link #maxBatch()}
     */
    public void stepBatch(int n, A[] xs, int[] xOffs, A[] states) {
        if (n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " keys, but this stepper was made for at most "
                    + maxBatch + " (Lstm.stepper(maxBatch))");
        }
        A w = lstm.params();
        A[] in = xs;
        int[] inOff = xOffs;
        for (int l = 0; l < cells.length; l++) {
            CellLayout cell = cells[l];
            int h = hOffset(l);
            int c = cOffset(l);
            int g = cell.gateSize();
            int hid = cell.hiddenSize();
            // Z^T = Wt^T [x_b; h_b]_{b < n}: every key's h_{t-1} is consumed here, before any cell overwrites it
            kernel.gatesBatch(w, cell, n, in, inOff, states, h, u, zb);
            boolean proj = cell.hasProjection();
            for (int b = 0; b < n; b++) {
                A s = states[b];
                A mOut = proj ? mb : s;
                int mOff = proj ? b * hid : h;
                if (plain) {
                    kernel.cell(hid, zb, b * g, s, c, s, c, tanhC, 0, mOut, mOff);
                } else {
                    kernel.cell(gate, act, hid, zb, b * g, s, c, s, c, tanhC, 0, mOut, mOff);
                }
            }
            if (proj) {
                // h_b = W_hr m_b for all keys; the gates in zb are no longer needed, so zb takes the product
                kernel.projectBatch(w, cell, n, mb, states, h, u, zb);
            }
            for (int b = 0; b < n; b++) {
                inOffs[b] = h;
            }
            in = states;
            inOff = inOffs;
        }
    }
}
