package dev.lstmflink.core.nn;

import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;

/**
 * An LSTM with its parameters: PyTorch's {@code nn.LSTM} (gate order i, f, g, o; layers, bias, projection,
 * bidirectional, batch-first, per-sequence lengths) and Keras' {@code LSTM} options (activations, go_backwards, masks),
 * in float32 or float64.
 *
 * <p>The parameter array is held by reference, in the layout of {@link LstmLayout}; a trainer may update it in place.
 * Instances are immutable otherwise and safe to share between threads; {@link #stepper()} gives each thread (or Flink
 * task) its own scratch buffers.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public final class Lstm<A> {

    private final LstmConfig config;
    private final LstmLayout layout;
    private final LstmKernel<A> kernel;
    private final A params;

    public Lstm(LstmConfig config, LstmKernel<A> kernel, A params) {
        this.config = config;
        this.layout = new LstmLayout(config);
        this.kernel = kernel;
        this.params = params;
        int n = kernel.precision().length(params);
        if (n != layout.size()) {
            throw new IllegalArgumentException(
                    "parameter array has " + n + " values, the config " + config + " needs " + layout.size());
        }
    }

    /** A float32 LSTM on this JVM's preferred kernel (vector when available). */
    public static Lstm<float[]> f32(LstmConfig config, float[] params) {
        return new Lstm<>(config, LstmKernels.preferred(), params);
    }

    /** A float64 LSTM. */
    public static Lstm<double[]> f64(LstmConfig config, double[] params) {
        return new Lstm<>(config, new DoubleLstmKernel(), params);
    }

    /**
     * Runs whole sequences, as {@code nn.LSTM.forward}.
     *
     * @param input   {@code [T,B,I]}, or {@code [B,T,I]} when batch-first
     * @param seqLen  T
     * @param batch   B
     * @param h0      {@code [L·D,B,Hout]}, or null for zeros
     * @param c0      {@code [L·D,B,H]}, or null for zeros
     * @param lengths B lengths in [1, T] (packed-sequence semantics), or null when every sequence has T steps
     * @return the outputs, and what {@link ForwardPass#backward} needs
     */
    public ForwardPass<A> forward(A input, int seqLen, int batch, A h0, A c0, int[] lengths) {
        return new ForwardPass<>(this, input, seqLen, batch, h0, c0, lengths, null, null);
    }

    /**
     * Runs whole sequences under a Keras mask (see {@link ForwardPass} for the semantics): a masked step keeps h and c
     * and repeats the previous output.
     *
     * @param mask {@code [B,T]} row-major (element (b, t) at {@code b·T + t}, whatever {@code batch_first} says),
     *             true where the step is used; in input order even when {@code go_backwards}; null for none
     */
    public ForwardPass<A> forwardMasked(A input, int seqLen, int batch, A h0, A c0, boolean[] mask) {
        return new ForwardPass<>(this, input, seqLen, batch, h0, c0, null, mask, null);
    }

    /** As {@link #forwardMasked}, in training mode (inter-layer dropout as {@link #forwardTraining}). */
    public ForwardPass<A> forwardMaskedTraining(A input, int seqLen, int batch, A h0, A c0, boolean[] mask,
                                                java.util.random.RandomGenerator rng) {
        return new ForwardPass<>(this, input, seqLen, batch, h0, c0, null, mask, rng);
    }

    /**
     * As {@link #forward}, in training mode: when the config's {@code dropout} is above 0, each layer's output but the
     * last's is dropped out (PyTorch and MindSpore semantics) with masks drawn from {@code rng}, and
     * {@link ForwardPass#backward} goes through the same masks.
     */
    public ForwardPass<A> forwardTraining(A input, int seqLen, int batch, A h0, A c0, int[] lengths,
                                          java.util.random.RandomGenerator rng) {
        return new ForwardPass<>(this, input, seqLen, batch, h0, c0, lengths, null, rng);
    }

    /**
     * Training mode with every dropout kind: the config's inter-layer {@code dropout} as {@link #forwardTraining} and
     * the kinds of {@code drop} inside each layer ({@link DropoutConfig}), masks drawn from {@code rng} in a fixed
     * order, so the same seed gives the same masks. {@link ForwardPass#backward} goes through the same masks.
     *
     * @param lengths as {@link #forward}, or null
     * @param mask    as {@link #forwardMasked}, or null; not together with {@code lengths}
     */
    public ForwardPass<A> forwardTraining(A input, int seqLen, int batch, A h0, A c0, int[] lengths, boolean[] mask,
                                          DropoutConfig drop, java.util.random.RandomGenerator rng) {
        return new ForwardPass<>(this, input, seqLen, batch, h0, c0, lengths, mask, drop, rng);
    }

    /** A stepper that advances one sequence (one key) by one timestep at a time, without allocating. */
    public LstmStepper<A> stepper() {
        return new LstmStepper<>(this);
    }

    /**
     * A stepper that can also advance up to {@code maxBatch} keys at once ({@link LstmStepper#stepBatch}), with its
     * scratch for that many keys allocated here.
     */
    public LstmStepper<A> stepper(int maxBatch) {
        return new LstmStepper<>(this, maxBatch);
    }

    public LstmConfig config() {
        return config;
    }

    public LstmLayout layout() {
        return layout;
    }

    public LstmKernel<A> kernel() {
        return kernel;
    }

    /** The parameters, in {@link LstmLayout}'s order (not a copy). */
    public A params() {
        return params;
    }
}
