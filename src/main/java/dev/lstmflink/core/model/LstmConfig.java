package dev.lstmflink.core.model;

/**
 * The arguments of PyTorch's {@code torch.nn.LSTM}, with the same names (in camel case) and defaults.
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
 */
public record LstmConfig(
        int inputSize,
        int hiddenSize,
        int numLayers,
        boolean bias,
        boolean batchFirst,
        double dropout,
        boolean bidirectional,
        int projSize) implements java.io.Serializable {

    public LstmConfig {
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
    }

    /** PyTorch's defaults: one layer, bias, sequence-first, no dropout, one direction, no projection. */
    public static LstmConfig of(int inputSize, int hiddenSize) {
        return new LstmConfig(inputSize, hiddenSize, 1, true, false, 0.0, false, 0);
    }

    public LstmConfig withNumLayers(int layers) {
        return new LstmConfig(inputSize, hiddenSize, layers, bias, batchFirst, dropout, bidirectional, projSize);
    }

    public LstmConfig withBias(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, b, batchFirst, dropout, bidirectional, projSize);
    }

    public LstmConfig withBatchFirst(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, b, dropout, bidirectional, projSize);
    }

    public LstmConfig withDropout(double p) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, p, bidirectional, projSize);
    }

    public LstmConfig withBidirectional(boolean b) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, b, projSize);
    }

    public LstmConfig withProjSize(int p) {
        return new LstmConfig(inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, p);
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
