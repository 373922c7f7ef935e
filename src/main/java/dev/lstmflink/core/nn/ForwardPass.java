package dev.lstmflink.core.nn;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;

/**
 * One forward pass over a batch of sequences, with what the backward pass (BPTT) needs.
 *
 * <p>Shapes (T steps, B sequences, L layers, D directions, H hidden, Hout = P or H): every buffer below is
 * time-major; batch-first input and output are transposed at the boundary. For cell (l, d) the pass keeps the
 * activated gates {@code [T,B,4H]}, {@code c_t} and {@code act(c_t)} (tanh by default) {@code [T,B,H]}, {@code m_t}
 * {@code [T,B,H]} when projecting, and each layer's input and output {@code [T,B,·]}. The reverse direction of a
 * sequence of length
 * n runs t = n-1 … 0 from its own initial state; steps at t ≥ n are never computed, so their outputs stay 0 and
 * their inputs get a zero gradient (PyTorch's {@code pack_padded_sequence} semantics).
 *
 * <p><b>Keras options.</b> The cell uses the config's {@code activation} and {@code recurrent_activation}. With
 * {@code go_backwards} every layer reverses its input sequence in time (and the mask with it) and returns its
 * outputs in processing order, so output step 0 belongs to the last input step: what Keras' backend {@code rnn()}
 * returns ({@code keras/src/backend/numpy/rnn.py} flips the scanned outputs back with {@code np.flip} when
 * {@code go_backwards}), and, for stacked layers, what a stack of Keras {@code LSTM(go_backwards=True,
 * return_sequences=True)} layers computes, each of which reverses the previous one's output and the unchanged mask.
 *
 * <p><b>Keras mask.</b> A {@code [B,T]} boolean mask (true = use the step) follows Keras' {@code RNN} with its default
 * {@code zero_output_for_mask=False} ({@code keras/src/layers/rnn/rnn.py}): at
 * a masked step h and c keep their previous values (the initial state before the first processed step), and the step's
 * output repeats the previous step's output ({@code where(mask_t, output, prev_output)} in the backend's loop). Before
 * the first processed step there is no previous output: the TensorFlow and torch backends start {@code prev_output}
 * at zeros ("In the case T = 0, a zero filled tensor will be used", {@code keras/src/backend/torch/rnn.py}), and so
 * does this class; the numpy backend's scan uses {@code states[0]} (h0) instead, which differs only when h0 ≠ 0 and
 * a sequence starts with masked steps. With the config's {@code zeroOutputForMask} (Keras'
 * {@code zero_output_for_mask=True}, which {@code LSTM} passes on to {@code RNN}; also what Keras' cuDNN path returns)
 * a masked step outputs zeros instead ({@code where(mask_t, output, zeros_like(output))}), h and c still carry
 * through unchanged, so {@code h_n}/{@code c_n} are the same either way and {@link #lastOutput()}, the last step's output, is
 * 0 for a sequence whose last processed step is masked; in the backward pass a
 * masked step's output gradient then reaches nothing. Each layer of the stack
 * gets the same mask, as Keras propagates it through {@code return_sequences} layers ({@code RNN.compute_mask}); in
 * the reverse direction of a bidirectional model "previous" means the step after. A masked step's input gets a zero
 * gradient. A mask and PyTorch lengths are different things and cannot be combined.
 *
 * <p><b>Dropout inside the layers</b> (training only, see {@link DropoutConfig}): the masks of every kind are drawn
 * per cell at the start of its layer, before the layer runs, in the order input, recurrent, weights, state update
 * (each only when its probability is above 0, so a config without them draws nothing and leaves the inter-layer
 * masks as they were), and kept for the backward pass, which goes through the same masks. DropConnect on W_hh runs
 * the unchanged kernel on a copy of the parameters whose W_hh block is masked, one copy per sequence; its gradient is
 * the masked copy's gradient times the mask. The state-update kind replaces the kernel's pointwise cell by a plain
 * loop ({@link CellDropout}), since the kernels have no mask argument; the other kinds only mask the kernel's inputs.
 * Known cost: the W_hh copy is of the whole parameter array, per sequence and cell, in forward and backward.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public final class ForwardPass<A> {

    private final Lstm<A> lstm;
    private final Precision<A> num;
    private final LstmConfig cfg;
    private final int seqLen;
    private final int batch;
    private final int[] lengths;
    private final boolean[] stepMask;   // [B,T] in processing order (reversed when go_backwards), or null
    private final A h0;
    private final A c0;
    private final A[] layerIn;      // [L] of [T,B,I_l]
    private final A[] layerOut;     // [L] of [T,B,D·Hout]
    private final A[] gates;        // [L·D] of [T,B,4H]
    private final A[] cells;        // [L·D] of [T,B,H]
    private final A[] tanhCells;    // [L·D] of [T,B,H]
    private final A[] projIn;       // [L·D] of [T,B,H], only when P > 0
    private final A[] dropMasks;    // [L] of [T,B,D·Hout]: 0 or 1/(1-p) on layer l's output, training only
    private final A[] inMasks;      // [L·D] of [B,I_l]: input dropout (Keras dropout), training only
    private final A[] recMasks;     // [L·D] of [B,Hout]: recurrent dropout on h_{t-1} (Keras recurrent_dropout)
    private final A[] weightMasks;  // [L·D] of [B,Hout,4H]: DropConnect on W_hh (Wolfram VariationalWeights)
    private final A[] updateMasks;  // [L·D] of [T,B,H]: dropout on g_t in the cell update (Wolfram StateUpdate)
    private final CellDropout<A> drops;
    private final A output;
    private final A hN;
    private final A cN;

    ForwardPass(Lstm<A> lstm, A input, int seqLen, int batch, A h0, A c0, int[] lengths, boolean[] mask,
                java.util.random.RandomGenerator dropoutRng) {
        this(lstm, input, seqLen, batch, h0, c0, lengths, mask, DropoutConfig.NONE, dropoutRng);
    }

    /**
     * @param drop       dropout inside the layers (null for none); needs {@code dropoutRng}
     * @param dropoutRng the masks' random stream in training; null for inference (then {@code drop} must be none)
     */
    @SuppressWarnings("unchecked")
    ForwardPass(Lstm<A> lstm, A input, int seqLen, int batch, A h0, A c0, int[] lengths, boolean[] mask,
                DropoutConfig drop, java.util.random.RandomGenerator dropoutRng) {
        if (drop == null) {
            drop = DropoutConfig.NONE;
        }
        if (!drop.isNone() && dropoutRng == null) {
            throw new IllegalArgumentException("dropout " + drop + " needs a random generator (training mode)");
        }
        this.lstm = lstm;
        this.num = lstm.kernel().precision();
        this.cfg = lstm.config();
        this.drops = new CellDropout<>(num, cfg);
        this.seqLen = seqLen;
        this.batch = batch;
        int layers = cfg.numLayers();
        int dirs = cfg.numDirections();
        int hid = cfg.hiddenSize();
        int hOut = cfg.outputSize();
        Shapes.checkPositive("seq_len", seqLen);
        Shapes.checkPositive("batch", batch);
        Shapes.checkLength("input", num.length(input), seqLen, batch, cfg.inputSize());
        this.lengths = Shapes.lengths(lengths, seqLen, batch);
        if (mask != null && lengths != null) {
            throw new IllegalArgumentException("a Keras mask and PyTorch lengths cannot be combined: pass one of them");
        }
        if (cfg.goBackwards() && lengths != null) {
            throw new IllegalArgumentException("go_backwards=true cannot be combined with lengths (PyTorch's packed "
                    + "sequences); mark padding with a Keras mask instead");
        }
        this.stepMask = mask == null ? null : stepMask(mask, seqLen, batch, cfg.goBackwards());
        if (h0 != null) {
            Shapes.checkLength("h0", num.length(h0), layers * dirs, batch, hOut);
        }
        if (c0 != null) {
            Shapes.checkLength("c0", num.length(c0), layers * dirs, batch, hid);
        }
        this.h0 = h0;
        this.c0 = c0;

        layerIn = (A[]) new Object[layers];
        layerOut = (A[]) new Object[layers];
        gates = (A[]) new Object[layers * dirs];
        cells = (A[]) new Object[layers * dirs];
        tanhCells = (A[]) new Object[layers * dirs];
        projIn = (A[]) new Object[layers * dirs];
        dropMasks = (A[]) new Object[layers];
        inMasks = (A[]) new Object[layers * dirs];
        recMasks = (A[]) new Object[layers * dirs];
        weightMasks = (A[]) new Object[layers * dirs];
        updateMasks = (A[]) new Object[layers * dirs];
        A hZero = num.allocate(hOut);
        A cZero = num.allocate(hid);
        A hN = num.allocate(layers * dirs * batch * hOut);
        A cN = num.allocate(layers * dirs * batch * hid);
        A x = cfg.batchFirst() ? Shapes.swapFirstTwo(num, input, batch, seqLen, cfg.inputSize()) : input;
        int tb = seqLen * batch;
        LstmKernel<A> k = lstm.kernel();
        A w = lstm.params();
        boolean plain = cfg.hasDefaultActivations();
        for (int l = 0; l < layers; l++) {
            int in = cfg.layerInputSize(l);
            if (cfg.goBackwards()) {
                x = Shapes.reverseTime(num, x, seqLen, batch, in);
            }
            layerIn[l] = x;
            A y = num.allocate(tb * dirs * hOut);
            layerOut[l] = y;
            for (int d = 0; d < dirs; d++) {
                int cd = l * dirs + d;
                inMasks[cd] = drops.drawMask(batch * in, drop.input(), dropoutRng);
                recMasks[cd] = drops.drawMask(batch * hOut, drop.recurrent(), dropoutRng);
                weightMasks[cd] = drops.drawMask(batch * hOut * 4 * hid, drop.weights(), dropoutRng);
                updateMasks[cd] = drops.drawMask(tb * hid, drop.stateUpdate(), dropoutRng);
            }
            for (int d = 0; d < dirs; d++) {
                int cd = l * dirs + d;
                CellLayout cell = lstm.layout().cell(l, d);
                A xs = inMasks[cd] == null ? null : num.allocate(in);       // x_t ⊙ m_x
                A hs = recMasks[cd] == null ? null : num.allocate(hOut);    // h_{t-1} ⊙ m_h
                gates[cd] = num.allocate(tb * 4 * hid);
                cells[cd] = num.allocate(tb * hid);
                tanhCells[cd] = num.allocate(tb * hid);
                projIn[cd] = cell.hasProjection() ? num.allocate(tb * hid) : null;
                for (int b = 0; b < batch; b++) {
                    int n = this.lengths[b];
                    A hp = h0 != null ? h0 : hZero;
                    int hpOff = h0 != null ? (cd * batch + b) * hOut : 0;
                    A cp = c0 != null ? c0 : cZero;
                    int cpOff = c0 != null ? (cd * batch + b) * hid : 0;
                    int yPrev = -1;   // row of the previous step's output, for masked steps
                    A wc = weightMasks[cd] == null ? w : drops.droppedWeights(w, cell, weightMasks[cd], b);
                    for (int s = 0; s < n; s++) {
                        int t = d == 0 ? s : n - 1 - s;
                        int i = t * batch + b;   // row (t, b) of the [T,B,·] buffers
                        if (stepMask != null && !stepMask[b * seqLen + t]) {
                            // Keras: state unchanged, output = previous output (zeros before the first step), or
                            // zeros with zero_output_for_mask (y is allocated zero and this row is never written)
                            if (yPrev >= 0 && !cfg.zeroOutputForMask()) {
                                System.arraycopy(y, (yPrev * dirs + d) * hOut, y, (i * dirs + d) * hOut, hOut);
                            }
                            yPrev = i;
                            continue;
                        }
                        if (xs != null) {
                            drops.multiply(x, i * in, inMasks[cd], b * in, xs, in);
                        }
                        if (hs != null) {
                            drops.multiply(hp, hpOff, recMasks[cd], b * hOut, hs, hOut);
                        }
                        k.gates(wc, cell, xs != null ? xs : x, xs != null ? 0 : i * in, hs != null ? hs : hp,
                                hs != null ? 0 : hpOff, gates[cd], i * 4 * hid);
                        A m = cell.hasProjection() ? projIn[cd] : y;
                        int mOff = cell.hasProjection() ? i * hid : (i * dirs + d) * hOut;
                        if (updateMasks[cd] != null) {
                            drops.cellUpdateDropout(hid, gates[cd], i * 4 * hid, cp, cpOff, cells[cd], i * hid,
                                    tanhCells[cd], i * hid, m, mOff, updateMasks[cd], i * hid);
                        } else if (plain) {
                            k.cell(hid, gates[cd], i * 4 * hid, cp, cpOff, cells[cd], i * hid, tanhCells[cd],
                                    i * hid, m, mOff);
                        } else {
                            k.cell(cfg.recurrentActivation(), cfg.activation(), hid, gates[cd], i * 4 * hid, cp,
                                    cpOff, cells[cd], i * hid, tanhCells[cd], i * hid, m, mOff);
                        }
                        if (cell.hasProjection()) {
                            k.project(w, cell, m, mOff, y, (i * dirs + d) * hOut);
                        }
                        hp = y;
                        hpOff = (i * dirs + d) * hOut;
                        cp = cells[cd];
                        cpOff = i * hid;
                        yPrev = i;
                    }
                    System.arraycopy(hp, hpOff, hN, (cd * batch + b) * hOut, hOut);
                    System.arraycopy(cp, cpOff, cN, (cd * batch + b) * hid, hid);
                }
            }
            x = y;
            if (dropoutRng != null && cfg.dropout() > 0 && l < layers - 1) {
                x = dropout(y, l, dropoutRng);
            }
        }
        A last = layerOut[layers - 1];
        this.output = cfg.batchFirst() ? Shapes.swapFirstTwo(num, last, seqLen, batch, dirs * hOut) : last;
        this.hN = hN;
        this.cN = cN;
    }

    /**
     * {@code [T,B,D·Hout]}, or {@code [B,T,D·Hout]} when batch-first: the last layer's h, forward direction first.
     * Keras' {@code return_sequences=True} output (in processing order when {@code go_backwards}).
     */
    public A output() {
        return output;
    }

    /**
     * {@code [B, D·Hout]}: each sequence's output at its last processed step, forward direction first: Keras'
     * {@code return_sequences=False} output ({@code last_output = outputs[-1]} of the backend's {@code rnn()}; for
     * a bidirectional model the forward output at the last step and the reverse direction's at step 0, as Keras'
     * {@code Bidirectional} concatenates them). With lengths the forward part is taken at step {@code lengths[b]-1}.
     * Without a mask it equals the last layer's rows of {@link #hN()}; its gradient goes into {@code dHn} of
     * {@link #backward}. Keras' {@code return_state=True} states are the last layer's rows of {@link #hN()} and
     * {@link #cN()} (index {@code (L-1)·D + d}).
     */
    public A lastOutput() {
        int dirs = cfg.numDirections();
        int hOut = cfg.outputSize();
        A y = layerOut[cfg.numLayers() - 1];
        A last = num.allocate(batch * dirs * hOut);
        for (int b = 0; b < batch; b++) {
            for (int d = 0; d < dirs; d++) {
                int t = d == 0 ? lengths[b] - 1 : 0;
                System.arraycopy(y, ((t * batch + b) * dirs + d) * hOut, last, (b * dirs + d) * hOut, hOut);
            }
        }
        return last;
    }

    /** {@code [L·D,B,Hout]}: h after each sequence's last valid step. */
    public A hN() {
        return hN;
    }

    /** The dropout mask applied to layer l's output in training (0 or 1/(1-p) per element), or null. */
    A dropoutMask(int layer) {
        return dropMasks[layer];
    }

    /** Cell (l·D + d)'s input-dropout mask {@code [B,I_l]}, or null. */
    A inputMask(int cell) {
        return inMasks[cell];
    }

    /** Cell (l·D + d)'s recurrent-dropout mask on h_{t-1} {@code [B,Hout]}, or null. */
    A recurrentMask(int cell) {
        return recMasks[cell];
    }

    /** Cell (l·D + d)'s DropConnect mask on W_hh {@code [B,Hout,4H]} ((b, j, r): from h_j to gate row r), or null. */
    A weightMask(int cell) {
        return weightMasks[cell];
    }

    /** Cell (l·D + d)'s state-update mask {@code [T,B,H]} (time in processing order), or null. */
    A stateUpdateMask(int cell) {
        return updateMasks[cell];
    }

    /** {@code [L·D,B,H]}: c after each sequence's last valid step. */
    public A cN() {
        return cN;
    }

    /**
     * Backpropagation through time for a loss whose gradients with respect to the outputs are given.
     *
     * @param dOutput ∂L/∂output, shaped as {@link #output()}, or null for zero
     * @param dHn     ∂L/∂h_n, or null for zero
     * @param dCn     ∂L/∂c_n, or null for zero
     */
    public Gradients<A> backward(A dOutput, A dHn, A dCn) {
        int layers = cfg.numLayers();
        int dirs = cfg.numDirections();
        int hid = cfg.hiddenSize();
        int hOut = cfg.outputSize();
        int tb = seqLen * batch;
        if (dOutput != null) {
            Shapes.checkLength("output gradient", num.length(dOutput), seqLen, batch, dirs * hOut);
        }
        if (dHn != null) {
            Shapes.checkLength("h_n gradient", num.length(dHn), layers * dirs, batch, hOut);
        }
        if (dCn != null) {
            Shapes.checkLength("c_n gradient", num.length(dCn), layers * dirs, batch, hid);
        }
        LstmKernel<A> k = lstm.kernel();
        A w = lstm.params();
        A dw = num.allocate(lstm.layout().size());
        A dH0 = num.allocate(layers * dirs * batch * hOut);
        A dC0 = num.allocate(layers * dirs * batch * hid);
        A hZero = num.allocate(hOut);
        A cZero = num.allocate(hid);
        A dh = num.allocate(hOut);
        A dc = num.allocate(hid);
        A dm = num.allocate(hid);
        A dz = num.allocate(4 * hid);
        A carry = num.allocate(hOut);   // ∂L/∂(previous output) gathered from masked steps
        boolean plain = cfg.hasDefaultActivations();
        A dy;
        if (dOutput == null) {
            dy = num.allocate(tb * dirs * hOut);
        } else {
            dy = cfg.batchFirst() ? Shapes.swapFirstTwo(num, dOutput, batch, seqLen, dirs * hOut) : dOutput;
        }
        for (int l = layers - 1; l >= 0; l--) {
            int in = cfg.layerInputSize(l);
            A x = layerIn[l];
            A y = layerOut[l];
            A dx = num.allocate(tb * in);
            for (int d = 0; d < dirs; d++) {
                int cd = l * dirs + d;
                CellLayout cell = lstm.layout().cell(l, d);
                A xs = inMasks[cd] == null ? null : num.allocate(in);
                A dxs = inMasks[cd] == null ? null : num.allocate(in);     // ∂L/∂(x_t ⊙ m_x)
                A hs = recMasks[cd] == null ? null : num.allocate(hOut);
                for (int b = 0; b < batch; b++) {
                    int n = lengths[b];
                    int stateRow = cd * batch + b;
                    A wc = weightMasks[cd] == null ? w : drops.droppedWeights(w, cell, weightMasks[cd], b);
                    A dwc = weightMasks[cd] == null ? dw : num.allocate(num.length(dw));   // ∂L/∂(masked θ)
                    copyOrZero(dHn, stateRow * hOut, dh, hOut);
                    copyOrZero(dCn, stateRow * hid, dc, hid);
                    int[] before = stepMask == null ? null : previousUnmasked(b, d, n);
                    if (stepMask != null) {
                        copyOrZero(null, 0, carry, hOut);
                    }
                    for (int s = n - 1; s >= 0; s--) {
                        int t = d == 0 ? s : n - 1 - s;
                        int i = t * batch + b;
                        if (stepMask != null && !stepMask[b * seqLen + t]) {
                            // output = previous output, h and c pass through unchanged; with zero_output_for_mask
                            // the output is a constant 0 and its gradient goes nowhere
                            if (!cfg.zeroOutputForMask()) {
                                num.addTo(carry, 0, dy, (i * dirs + d) * hOut, hOut);
                            }
                            continue;
                        }
                        // step processed before this one (the state it read), when sb ≥ 0
                        int sb = before == null ? s - 1 : before[s];
                        int prev = (d == 0 ? sb : n - 1 - sb) * batch + b;
                        num.addTo(dh, 0, dy, (i * dirs + d) * hOut, hOut);
                        if (stepMask != null) {
                            num.addTo(dh, 0, carry, 0, hOut);
                            copyOrZero(null, 0, carry, hOut);
                        }
                        A dmBuf = dh;
                        if (cell.hasProjection()) {
                            k.projectBackward(w, dw, cell, projIn[cd], i * hid, dh, 0, dm, 0);
                            dmBuf = dm;
                        }
                        A cp = sb >= 0 ? cells[cd] : (c0 != null ? c0 : cZero);
                        int cpOff = sb >= 0 ? prev * hid : (c0 != null ? stateRow * hid : 0);
                        if (updateMasks[cd] != null) {
                            drops.cellBackwardUpdateDropout(hid, gates[cd], i * 4 * hid, cp, cpOff, tanhCells[cd],
                                    i * hid, dmBuf, dc, dz, updateMasks[cd], i * hid);
                        } else if (plain) {
                            k.cellBackward(hid, gates[cd], i * 4 * hid, cp, cpOff, tanhCells[cd], i * hid,
                                    dmBuf, 0, dc, 0, dz, 0);
                        } else {
                            k.cellBackward(cfg.recurrentActivation(), cfg.activation(), hid, gates[cd], i * 4 * hid,
                                    cp, cpOff, tanhCells[cd], i * hid, dmBuf, 0, dc, 0, dz, 0);
                        }
                        A hp = sb >= 0 ? y : (h0 != null ? h0 : hZero);
                        int hpOff = sb >= 0 ? (prev * dirs + d) * hOut : (h0 != null ? stateRow * hOut : 0);
                        if (xs == null && hs == null && wc == w) {
                            k.gatesBackward(w, dw, cell, dz, 0, x, i * in, hp, hpOff, dx, i * in, dh, 0);
                        } else {
                            gatesBackwardDropped(k, wc, dwc, cell, cd, b, x, i, in, hp, hpOff, xs, dxs, hs, dx, dz,
                                    dh);
                        }
                    }
                    if (dwc != dw) {
                        // ∂L/∂W_hh = M ⊙ ∂L/∂(W_hh ⊙ M); every other parameter passes unchanged
                        drops.maskRecurrentBlock(dwc, cell, weightMasks[cd], b);
                        num.addTo(dw, 0, dwc, 0, num.length(dw));
                    }
                    System.arraycopy(dh, 0, dH0, stateRow * hOut, hOut);
                    System.arraycopy(dc, 0, dC0, stateRow * hid, hid);
                }
            }
            dy = cfg.goBackwards() ? Shapes.reverseTime(num, dx, seqLen, batch, in) : dx;
            if (l > 0 && dropMasks[l - 1] != null) {
                A mask = dropMasks[l - 1];
                for (int i = 0; i < num.length(dy); i++) {
                    num.set(dy, i, num.get(dy, i) * num.get(mask, i));
                }
            }
        }
        A dInput = cfg.batchFirst() ? Shapes.swapFirstTwo(num, dy, seqLen, batch, cfg.inputSize()) : dy;
        return new Gradients<>(dw, dInput, dH0, dC0);
    }

    /**
     * Dropout on the output of layer l before it feeds layer l + 1, as {@code nn.LSTM(dropout=p)} in training: each
     * element is kept with probability 1 − p and scaled by 1/(1 − p) (inverted dropout, so inference needs no change).
     */
    private A dropout(A y, int l, java.util.random.RandomGenerator rng) {
        double p = cfg.dropout();
        A mask = num.allocate(num.length(y));
        A out = num.allocate(num.length(y));
        double keep = 1 / (1 - p);
        for (int i = 0; i < num.length(y); i++) {
            double mi = rng.nextDouble() < p ? 0 : keep;
            num.set(mask, i, mi);
            num.set(out, i, num.get(y, i) * mi);
        }
        dropMasks[l] = mask;
        return out;
    }

    /** The mask in processing order, {@code [B,T]}: reversed in time when {@code go_backwards}. */
    private static boolean[] stepMask(boolean[] mask, int seqLen, int batch, boolean backwards) {
        if (mask.length != seqLen * batch) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, expected [B, T] = [" + batch
                    + ", " + seqLen + "] = " + seqLen * batch);
        }
        if (!backwards) {
            return mask.clone();
        }
        boolean[] r = new boolean[mask.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seqLen; t++) {
                r[b * seqLen + t] = mask[b * seqLen + seqLen - 1 - t];
            }
        }
        return r;
    }

    /** For each processing step s of sequence b in direction d: the last unmasked step before it, or -1. */
    private int[] previousUnmasked(int b, int d, int n) {
        int[] before = new int[n];
        int last = -1;
        for (int s = 0; s < n; s++) {
            before[s] = last;
            int t = d == 0 ? s : n - 1 - s;
            if (stepMask[b * seqLen + t]) {
                last = s;
            }
        }
        return before;
    }

    private void copyOrZero(A src, int off, A dst, int n) {
        if (src != null) {
            System.arraycopy(src, off, dst, 0, n);
        } else {
            System.arraycopy(num.allocate(n), 0, dst, 0, n);
        }
    }

    /**
     * {@link LstmKernel#gatesBackward} of one step through the input and recurrent dropout masks and the DropConnect
     * copy of the weights (kept out of {@link #backward}'s loop so that the path without dropout stays as small as
     * it was for the JIT). {@code xs}, {@code dxs}, {@code hs} are scratch (null when that kind is off).
     */
    private void gatesBackwardDropped(LstmKernel<A> k, A wc, A dwc, CellLayout cell, int cd, int b, A x, int i, int in,
                                      A hp, int hpOff, A xs, A dxs, A hs, A dx, A dz, A dh) {
        int hOut = cfg.outputSize();
        if (xs != null) {
            drops.multiply(x, i * in, inMasks[cd], b * in, xs, in);
            copyOrZero(null, 0, dxs, in);
        }
        if (hs != null) {
            drops.multiply(hp, hpOff, recMasks[cd], b * hOut, hs, hOut);
        }
        k.gatesBackward(wc, dwc, cell, dz, 0, xs != null ? xs : x, xs != null ? 0 : i * in, hs != null ? hs : hp,
                hs != null ? 0 : hpOff, xs != null ? dxs : dx, xs != null ? 0 : i * in, dh, 0);
        if (xs != null) {
            // term 1: ∂L/∂x_t = m_x ⊙ ∂L/∂(x_t ⊙ m_x)
            for (int j = 0; j < in; j++) {
                int o = i * in + j;
                num.set(dx, o, num.get(dx, o) + num.get(dxs, j) * num.get(inMasks[cd], b * in + j));
            }
        }
        if (hs != null) {
            // term 2: ∂L/∂h_{t-1} = m_h ⊙ ∂L/∂(h_{t-1} ⊙ m_h) (c_{t-1}'s gradient is not masked)
            drops.multiply(dh, 0, recMasks[cd], b * hOut, dh, hOut);
        }
    }
}
