package dev.lstmflink.core.nn;

import java.io.Serializable;

/**
 * The dropout kinds applied inside each LSTM layer in training, each with its own probability p in [0, 1) (0 = off),
 * all combinable. Kept units are scaled by 1/(1 − p) (inverted dropout), so inference runs the unchanged network:
 * {@link Lstm#forward}, {@link Lstm#forwardMasked} and the stepper never apply these masks. PyTorch's and MindSpore's
 * dropout between layers is {@code LstmConfig.dropout()}, not part of this record.
 *
 * <p>Every mask is drawn per cell (layer, direction), as Keras' {@code Bidirectional} wraps two layers with a cell
 * each, and per sequence of the batch. In the equations of {@link dev.lstmflink.core.kernel.LstmKernel}:
 * <pre>
 *   input:        z_t = W_ih (x_t ⊙ m_x) + W_hh h_{t-1} + b       m_x (I_l)  one mask per sequence
 *   recurrent:    z_t = W_ih x_t + W_hh (h_{t-1} ⊙ m_h) + b       m_h (Hout) one mask per sequence
 *   weights:      z_t = W_ih x_t + (W_hh ⊙ M) h_{t-1} + b         M (4H, Hout) one mask per sequence
 *   stateUpdate:  c_t = f ⊙ c_{t-1} + i ⊙ (g ⊙ m_t)               m_t (H)    a fresh mask per step
 * </pre>
 * The mask on x and on h_{t-1} enters only the gate pre-activations: c_t, h_t and the layer's output are not dropped.
 *
 * <ul>
 *   <li>{@code input} is Keras' {@code dropout} and Wolfram's {@code "VariationalInput"}; {@code recurrent} is Keras'
 *   {@code recurrent_dropout} and Wolfram's {@code "VariationalState"}. Both are the variational dropout of Gal &amp;
 *   Ghahramani, "A Theoretically Grounded Application of Dropout in Recurrent Neural Networks", NIPS 2016
 *   (arXiv:1512.05287): the same units are dropped at every time step. One mask serves all four gates, as Keras 3's
 *   {@code LSTMCell.call} multiplies {@code inputs} by {@code dp_mask} and {@code h_tm1} by {@code rec_dp_mask} once
 *   before the fused kernel product, and as the paper's "tied" parametrisation does; the masks are cached for the
 *   whole sequence by {@code DropoutRNNCell} ({@code keras/src/layers/rnn/dropout_rnn_cell.py}). Keras 2's
 *   {@code implementation=1}, which drew four masks, is not modelled.</li>
 *   <li>{@code weights} is Wolfram's {@code "VariationalWeights"}: DropConnect (Wan et al., ICML 2013) on the
 *   recurrent matrix W_hh, the weight-dropped LSTM of Merity, Keskar &amp; Socher, "Regularizing and Optimizing LSTM
 *   Language Models", arXiv:1708.02182 (2017): "the same individual dropped weights remain dropped for the entirety
 *   of the forward and backward pass". Here one mask per sequence; AWD-LSTM's {@code WeightDrop} draws one per
 *   mini-batch, which differs only in which sequences share a mask, not in the expectation.</li>
 *   <li>{@code stateUpdate} is Wolfram's {@code "StateUpdate"}: Semeniuta, Severyn &amp; Barth, "Recurrent Dropout
 *   without Memory Loss", COLING 2016 (arXiv:1603.05118), its LSTM equation {@code c_t = f_t * c_{t-1} + i_t * d(g_t)}:
 *   dropout on the cell update only, so the memory c_{t-1} itself is never dropped. The paper considers a mask per
 *   step and a mask per sequence; Wolfram's documentation asks for "a different pattern of units at each sequence
 *   step", which is what this does.</li>
 * </ul>
 *
 * @param input       Keras {@code dropout} / Wolfram {@code VariationalInput}
 * @param recurrent   Keras {@code recurrent_dropout} / Wolfram {@code VariationalState}
 * @param weights     Wolfram {@code VariationalWeights}
 * @param stateUpdate Wolfram {@code StateUpdate}
 */
public record DropoutConfig(double input, double recurrent, double weights, double stateUpdate)
        implements Serializable {

    /** No dropout inside the layers. */
    public static final DropoutConfig NONE = new DropoutConfig(0, 0, 0, 0);

    public DropoutConfig {
        check("input", input);
        check("recurrent", recurrent);
        check("weights", weights);
        check("state_update", stateUpdate);
    }

    /** Keras' {@code LSTM(dropout=…, recurrent_dropout=…)}. */
    public static DropoutConfig keras(double dropout, double recurrentDropout) {
        return new DropoutConfig(dropout, recurrentDropout, 0, 0);
    }

    public DropoutConfig withInput(double p) {
        return new DropoutConfig(p, recurrent, weights, stateUpdate);
    }

    public DropoutConfig withRecurrent(double p) {
        return new DropoutConfig(input, p, weights, stateUpdate);
    }

    public DropoutConfig withWeights(double p) {
        return new DropoutConfig(input, recurrent, p, stateUpdate);
    }

    public DropoutConfig withStateUpdate(double p) {
        return new DropoutConfig(input, recurrent, weights, p);
    }

    /** True when every probability is 0. */
    public boolean isNone() {
        return input == 0 && recurrent == 0 && weights == 0 && stateUpdate == 0;
    }

    private static void check(String name, double p) {
        if (!(p >= 0.0 && p < 1.0)) {
            throw new IllegalArgumentException("dropout " + name + " must be in [0, 1), got " + p);
        }
    }
}
