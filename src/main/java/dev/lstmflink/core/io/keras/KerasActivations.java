package dev.lstmflink.core.io.keras;

import java.util.Map;

/**
 * The one place that decides which Keras LSTM activations the core can run. The core computes PyTorch's cell
 * ({@code tanh} for the cell input and output, {@code sigmoid} for the gates), which is Keras' default
 * ({@code activation="tanh"}, {@code recurrent_activation="sigmoid"}); any other choice is refused here, naming the
 * layer and the activation, until the core supports it (issue 7, item 1: hard_sigmoid, relu, linear). When it does,
 * widen {@link #SUPPORTED} and carry the choice into the model.
 */
final class KerasActivations {

    /** For each LSTM argument, the only value the core computes. */
    private static final Map<String, String> SUPPORTED = Map.of(
            "activation", "tanh",
            "recurrent_activation", "sigmoid");

    private KerasActivations() {}

    /**
     * @param layer      the Keras layer name, e.g. {@code "lstm_1"}
     * @param argument   {@code "activation"} or {@code "recurrent_activation"}
     * @param activation the value from the model's config
     */
    static void requireSupported(String source, String layer, String argument, String activation)
            throws KerasFormatException {
        String supported = SUPPORTED.get(argument);
        if (supported == null) {
            throw new IllegalArgumentException("not an LSTM activation argument: " + argument);
        }
        if (!supported.equals(activation)) {
            throw new KerasFormatException(source, "LSTM layer '" + layer + "' has " + argument + "='" + activation
                    + "'; only " + argument + "='" + supported + "' is supported so far (PyTorch's cell)");
        }
    }
}
