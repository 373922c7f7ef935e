package dev.lstmflink.core.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The activations a Keras {@code LSTM} accepts for {@code activation} (the cell input g and the output
 * {@code h = o ⊙ act(c)}; PyTorch fixes it to tanh) and {@code recurrent_activation} (the gates i, f, o; PyTorch's
 * sigmoid), named as Keras serializes them.
 *
 * <p>Every derivative here is a function of the activation's <em>output</em> y = act(x), so the backward pass needs
 * only the activated values the forward pass keeps: σ' = y(1 − y), tanh' = 1 − y², hard_sigmoid' = 1/6 where
 * 0 &lt; y &lt; 1 (i.e. −3 &lt; x &lt; 3) and 0 where it is clipped, relu' = 1 where y &gt; 0 (x &gt; 0), linear' = 1.
 * At the kinks (x = ±3, x = 0) the derivative is taken as 0, as TensorFlow's relu6 and relu gradients do.
 */
public enum Activation {

    TANH("tanh"),
    SIGMOID("sigmoid"),
    /**
     * Keras 3's definition ({@code keras/src/activations/activations.py}: 0 if x ≤ −3, 1 if x ≥ 3, x/6 + 0.5
     * between, i.e. {@code relu6(x + 3) / 6}); not Keras 2's slope 0.2.
     */
    HARD_SIGMOID("hard_sigmoid"),
    RELU("relu"),
    LINEAR("linear");

    private final String kerasName;

    Activation(String kerasName) {
        this.kerasName = kerasName;
    }

    /** The name Keras uses in a layer config, e.g. {@code "hard_sigmoid"}. */
    public String kerasName() {
        return kerasName;
    }

    /**
     * The activation of a Keras name (case-insensitive).
     *
     * @param argument the config key the name came from, for the error message
     */
    public static Activation fromName(String argument, String name) {
        if (name != null) {
            for (Activation a : values()) {
                if (a.kerasName.equals(name.toLowerCase(Locale.ROOT))) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException(argument + " must be one of "
                + Arrays.stream(values()).map(Activation::kerasName).collect(Collectors.joining(", "))
                + ", got '" + name + "'");
    }

    /** y = act(x), in double. */
    public double apply(double x) {
        return switch (this) {
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case HARD_SIGMOID -> x <= -3 ? 0.0 : x >= 3 ? 1.0 : x / 6 + 0.5;
            case RELU -> x > 0 ? x : 0.0;
            case LINEAR -> x;
        };
    }

    /** act'(x) expressed through y = act(x). */
    public double derivativeFromOutput(double y) {
        return switch (this) {
            case TANH -> 1.0 - y * y;
            case SIGMOID -> y * (1.0 - y);
            case HARD_SIGMOID -> y > 0 && y < 1 ? 1.0 / 6 : 0.0;
            case RELU -> y > 0 ? 1.0 : 0.0;
            case LINEAR -> 1.0;
        };
    }

    @Override
    public String toString() {
        return kerasName;
    }
}
