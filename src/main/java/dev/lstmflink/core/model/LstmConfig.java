package dev.lstmflink.core.model;

/**
 * The arguments of PyTorch's {@code torch.nn.LSTM}, with the same names (in camel case) and defaults, and the Keras
 * {@code LSTM} arguments that change what the cell computes ({@code activation}, {@code recurrent_activation},
 * {@code go_backwards}, {@code zero_output_for_mask}) with Keras' defaults, under which the cell is exactly
 * PyTorch's.
 *
 * <p>Invalid values fail here, at construction, with a message naming the argument and the value (as MindSpore's
 * {@code nn.LSTM} raises {@code ValueError}), so no later code has to re-check them.
 *
 * @param inputSize    I, features of each input step
 * @param hiddenSize   H, size of the cell state (and of the hidden state unless projected)
 * @param numLayers    L, stacked layers
 * @param bias         whether {@code b_ih} and {@code b_hh} exist
 * @param batchFirst   input and output are {@code [B,T,·]} instead of {@code [T,B,·]}
 * @param dropout      dropout on the outputs of every layer but the last, in training only
 * @param bidirectional D = 2 when true: a second direction runs from the end of each sequence
 * @param projSize     P &gt; 0: {@code h_t = W_hr (o_t ⊙ tanh c_t)} has P entries (LSTMP, Sak et al. 2014)
 * @param activation   Keras' {@code activation}: of the cell input g and of the output {@code o ⊙ act(c)}; PyTorch's
 *                     tanh by default (null reads as the default, so records deserialized from before this field
 *                     existed keep PyTorch's cell)
 * @param recurrentActivation Keras' {@code recurrent_activation}: of the gates i, f, o; sigmoid by default (null: the
 *                     default)
 * @param goBackwards  Keras' {@code go_backwards}: every layer reads its input sequence from the last step to the
 *                     first and returns its outputs in that (processing) order; whole sequences only, so a streaming
 *                     stepper refuses it
 * @param zeroOutputForMask Keras' {@code zero_output_for_mask}: under a Keras mask a masked step outputs zeros
 *                     instead of repeating the previous output (h and c are carried either way); changes nothing
 *                     without a mask
 */
public record LstmConfig(
        int inputSize,
        int hiddenSize,
        int numLayers,
        boolean bias,
        boolean batchFirst,
        double dropout,
        boolean bidirectional,
        int projSize,
        Activation activation,
        Activation recurrentActivation,
        boolean goBackwards,
        boolean zeroOutputForMask) implements java.io.Serializable {

    public LstmConfig {
        activation = activation == null ? Activation.TANH : activation;
        recurrentActivation = recurrentActivation == null ? Activation.SIGMOID : recurrentActivation;
        positive("input_size", inputSize);
        positive("hidden_size", hiddenSize);
        positive("num_layers", numLayers);
        if (!(dropout >= 0.0 && dropout < 1.0)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (projSize < 0) {
            throw new IllegalArgumentException("proj_size must be >= 0, got " + projSize);
        }
        if (projSize >= hiddenSize) {
            throw new IllegalArgumentException(
                    "proj_size must be smaller than hidden_size (" + hiddenSize + "), got " + projSize);
        }
        if (goBackwards && bidirectional) {
            throw new IllegalArgumentException("go_backwards=true cannot be combined with bidirectional=true: the "
                    + "reverse direction already reads the sequence backwards (Keras' Bidirectional sets "
                    + "go_backwards on its backward layer itself)");
        }
    }

    /** Every argument but {@code zero_output_for_mask}, which is Keras' default (false). */
    public LstmConfig(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                      boolean bidirectional, int projSize, Activation activation, Activation recurrentActivation,
                      boolean goBackwards) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize, activation,
                recurrentActivation, goBackwards, false);
    }

    /** PyTorch's arguments with Keras' defaults for the rest: tanh, sigmoid, forwards, masked steps repeat. */
    public LstmConfig(int inputSize, int hiddenSize, int numLayers, boolean bias, boolean batchFirst, double dropout,
                      boolean bidirectional, int projSize) {
        this(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize, Activation.TANH,
                Activation.SIGMOID, false, false);
    }

    /** PyTorch's defaults: one layer, bias, sequence-first, no dropout, one direction, no projection. */
    public static LstmConfig of(int inputSize, int hiddenSize) {
        return new LstmConfig(inputSize, hiddenSize, 1, true, false, 0.0, false, 0);
    }

    public LstmConfig withNumLayers(int layers) {
        return new LstmConfig(inputSize, hiddenSize, layers, bias, batchFirst, dropout, bidirectional, projSize,
                activation, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withBias(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, b, batchFirst, dropout, bidirectional, projSize,
                activation, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withBatchFirst(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, b, dropout, bidirectional, projSize,
                activation, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withDropout(double p) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional, projSize,
                activation, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withBidirectional(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, b, projSize,
                activation, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withProjSize(int p) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, p,
                activation, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withActivation(Activation a) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize,
                a, recurrentActivation, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withRecurrentActivation(Activation a) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize,
                activation, a, goBackwards, zeroOutputForMask);
    }

    public LstmConfig withGoBackwards(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize,
                activation, recurrentActivation, b, zeroOutputForMask);
    }

    public LstmConfig withZeroOutputForMask(boolean z) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize,
                activation, recurrentActivation, goBackwards, z);
    }

    /** Keras' {@code use_bias}: the same switch as PyTorch's {@code bias}. */
    public boolean useBias() {
        return bias;
    }

    /** Whether the cell is PyTorch's: tanh and sigmoid, the kernels' fast path. */
    public boolean hasDefaultActivations() {
        return activation == Activation.TANH && recurrentActivation == Activation.SIGMOID;
    }

    /** D: 2 when bidirectional, else 1. */
    public int numDirections() {
        return bidirectional ? 2 : 1;
    }

    /** H_out: the size of h (P when projecting, else H). */
    public int outputSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** I_l: the input size of layer l (the previous layer's D·H_out for l &gt; 0). */
    public int layerInputSize(int layer) {
        return layer == 0 ? inputSize : numDirections() * outputSize();
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
