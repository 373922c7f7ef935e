package dev.lstmflink.core.io.keras;

import dev.lstmflink.core.model.Activation;

/**
 * The one place that maps a Keras LSTM layer's {@code activation} / {@code recurrent_activation} to the core's
 * {@link Activation} (tanh, sigmoid, hard_sigmoid as Keras 3 defines it, relu, linear); any other name is refused,
 * naming the layer, the argument and the value.
 */
final class KerasActivations {

    private KerasActivations() {}

    /**
     * @param layer      the Keras layer name, e.g. {@code "lstm_1"}
     * @param argument   {@code "activation"} or {@code "recurrent_activation"}
     * @param activation the value from the model's config
     */
    static Activation of(String source, String layer, String argument, String activation) throws KerasFormatException {
        try {
            return Activation.fromName(argument, activation);
        } catch (IllegalArgumentException e) {
            throw new KerasFormatException(source, "LSTM layer '" + layer + "' has " + argument + "='" + activation
                    + "'; " + e.getMessage());
        }
    }
}
