package dev.lstmflink.core.kernel;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.Precision;

/**
 * The arithmetic of one LSTM cell for one timestep and one sequence, forward and backward, over flat arrays.
 *
 * <p>Everything above this interface (layers, directions, batches, lengths, streaming state) only moves offsets
 * around; everything below it is a loop. Implementations: {@link ScalarLstmKernel} (float, the reference),
 * {@link VectorLstmKernel} (float, SIMD through {@code jdk.incubator.vector}) and {@link DoubleLstmKernel} (double).
 * None allocates.
 *
 * <p>Equations (Hochreiter &amp; Schmidhuber 1997, forget gate: Gers et al. 2000; PyTorch's gate order i, f, g, o):
 * <pre>
 *   z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh                   (4H)
 *   i = σ(z[0:H])  f = σ(z[H:2H])  g = tanh(z[2H:3H])  o = σ(z[3H:4H])
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   m_t = o ⊙ tanh(c_t)
 *   h_t = m_t, or W_hr m_t when projecting (Sak et al. 2014)
 * </pre>
 * Weights are in the transposed layout described in {@link CellLayout}. Buffers may alias only where a method says so.
 *
 * <p>Keras' {@code recurrent_activation} (σ above) and {@code activation} (both tanh above) are chosen per call of the
 * overloads that take two {@link Activation}s: for σ and tanh they run the methods without them, which are the fast
 * path (vectorized in {@link VectorLstmKernel}); for any other pair they run a plain loop. Callers branch once per
 * step and layer, never per element.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public interface LstmKernel<A> {

    /** A short name for logs and benchmarks, e.g. {@code vector-512}. */
    String name();

    Precision<A> precision();

    /** {@code z = W_ih x + W_hh h + b_ih + b_hh}. {@code x} and {@code h} may be the same array; {@code z} not. */
    void gates(A w, CellLayout cell, A x, int xOff, A h, int hOff, A z, int zOff);

    /**
     * The pointwise part. Replaces the pre-activations in {@code z} by the activated gates {@code (i, f, g, o)} (kept
     * for the backward pass), writes {@code c_t}, {@code tanh(c_t)} and {@code m_t = o ⊙ tanh(c_t)}. {@code c} may be
     * {@code cPrev} at the same offset (in-place update of a streaming state).
     */
    void cell(int hidden, A z, int zOff, A cPrev, int cPrevOff, A c, int cOff, A tanhC, int tcOff, A m, int mOff);

    /**
     * As {@link #cell(int, Object, int, Object, int, Object, int, Object, int, Object, int)} with
     * {@code i, f, o = gate(·)}, {@code g = act(·)} and {@code m_t = o ⊙ act(c_t)}; {@code actC} receives
     * {@code act(c_t)} (the {@code tanhC} of the default cell).
     */
    void cell(Activation gate, Activation act, int hidden, A z, int zOff, A cPrev, int cPrevOff, A c, int cOff,
              A actC, int acOff, A m, int mOff);

    /** {@code h = W_hr m} (only when the cell projects). */
    void project(A w, CellLayout cell, A m, int mOff, A h, int hOff);

    /**
     * {@link #gates} for n keys at once (the batched streaming step, issue 15): {@code z[b] = W_ih x_b + W_hh h_b +
     * b_ih + b_hh} for b = 0 … n-1, key b's input at {@code xs[b][xOffs[b]]} (I values) and its {@code h_{t-1}} at
     * {@code hs[b][hOff]} (Hout values); {@code z} is {@code (n, 4H)}, key b's gates at {@code b·4H}. Stacking the
     * keys' {@code [x_b; h_b]} as the columns of {@code U (R, n)} turns the n matrix-vector products into one product
     * {@code Z^T = Wt^T U}, which a kernel can block so that each weight is loaded from memory once per call, not once
     * per key. {@code u} is scratch of at least {@code R·n} values. Per key the result equals {@link #gates}; this
     * default simply calls it n times.
     */
    default void gatesBatch(A w, CellLayout cell, int n, A[] xs, int[] xOffs, A[] hs, int hOff, A u, A z) {
        for (int b = 0; b < n; b++) {
            gates(w, cell, xs[b], xOffs[b], hs[b], hOff, z, b * cell.gateSize());
        }
    }

    /**
     * {@link #project} for n keys at once: {@code h_b = W_hr m_b}, {@code m (n, H)} with key b's {@code m_t} at
     * {@code b·H}, the result written to {@code hs[b][hOff]} (P values). {@code u} is scratch of at least {@code H·n}
     * values, {@code out} of at least {@code n·P}. Per key the result equals {@link #project}; this default calls it n
     * times.
     */
    default void projectBatch(A w, CellLayout cell, int n, A m, A[] hs, int hOff, A u, A out) {
        for (int b = 0; b < n; b++) {
            project(w, cell, m, b * cell.hiddenSize(), hs[b], hOff);
        }
    }

    /**
     * Backward of {@link #cell}. On entry {@code dc} holds ∂L/∂c_t from later steps, {@code dm} ∂L/∂m_t; on exit
     * {@code dz} holds ∂L/∂z_t and {@code dc} holds ∂L/∂c_{t-1}. {@code gates} are the activated gates.
     */
    void cellBackward(int hidden, A gates, int gOff, A cPrev, int cPrevOff, A tanhC, int tcOff,
                      A dm, int dmOff, A dc, int dcOff, A dz, int dzOff);

    /**
     * Backward of {@link #cell(Activation, Activation, int, Object, int, Object, int, Object, int, Object, int, Object,
     * int)}, as {@link #cellBackward(int, Object, int, Object, int, Object, int, Object, int, Object, int, Object, int)}
     * with the derivatives of {@code gate} and {@code act} taken from the activated values.
     */
    void cellBackward(Activation gate, Activation act, int hidden, A gates, int gOff, A cPrev, int cPrevOff, A actC,
                      int acOff, A dm, int dmOff, A dc, int dcOff, A dz, int dzOff);

    /**
     * Backward of {@link #gates}: accumulates {@code dW += [x; h] ⊗ dz} and the bias gradients into {@code dw}, adds
     * {@code W_ih^T dz} to {@code dx} and <em>overwrites</em> {@code dh} with {@code W_hh^T dz} (∂L/∂h_{t-1} from this
     * step). {@code dx} may be null when the input gradient is not wanted.
     */
    void gatesBackward(A w, A dw, CellLayout cell, A dz, int dzOff, A x, int xOff, A h, int hOff,
                       A dx, int dxOff, A dh, int dhOff);

    /** Backward of {@link #project}: {@code dWr += m ⊗ dh}, and overwrites {@code dm} with {@code W_hr^T dh}. */
    void projectBackward(A w, A dw, CellLayout cell, A m, int mOff, A dh, int dhOff, A dm, int dmOff);
}
