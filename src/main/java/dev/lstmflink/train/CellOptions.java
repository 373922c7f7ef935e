package dev.lstmflink.train;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import java.io.Serializable;

/**
 * The trained LSTM's cell beyond its size: PyTorch's {@code bias} and {@code proj_size}, Keras' {@code activation}
 * and {@code recurrent_activation} ({@code config/train.yaml}: {@code model.bias}, {@code model.proj_size},
 * {@code model.activation}, {@code model.recurrent_activation}). {@code bidirectional} and {@code go_backwards} are
 * not here on purpose: the trainer learns next-step prediction, and a layer that reads a window from its end sees the
 * step it is asked to predict.
 *
 * @param bias                {@code bias_ih}/{@code bias_hh} present (Keras' {@code use_bias})
 * @param projSize            PyTorch's {@code proj_size}: h_t projected to this size by {@code weight_hr}; 0 = none
 * @param activation          the cell's activation (g_t, and h_t = o_t ⊙ act(c_t))
 * @param recurrentActivation the gates' activation (i, f, o)
 */
public record CellOptions(boolean bias, int projSize, Activation activation, Activation recurrentActivation)
        implements Serializable {

    /** {@code nn.LSTM}'s defaults: bias, no projection, tanh, sigmoid. */
    public static final CellOptions DEFAULT = new CellOptions(true, 0, Activation.TANH, Activation.SIGMOID);

    public CellOptions {
        if (projSize < 0) {
            throw new IllegalArgumentException("proj_size must be >= 0, got " + projSize);
        }
        if (activation == null || recurrentActivation == null) {
            throw new IllegalArgumentException("activation and recurrent_activation must not be null");
        }
    }

    /** The LSTM to train (time-major, unidirectional). */
    public LstmConfig config(int inputSize, int hiddenSize, int layers, double dropout) {
        return new LstmConfig(inputSize, hiddenSize, layers, bias, false, dropout, false, projSize)
                .withActivation(activation).withRecurrentActivation(recurrentActivation);
    }
}
