package dev.lstmflink.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Values and derivatives of the Keras activations at hand-picked points, written as literals: Keras 3's hard_sigmoid
 * is {@code relu6(x + 3) / 6} (0 at x ≤ −3, 1 at x ≥ 3, x/6 + 1/2 between; not Keras 2's 0.2·x + 0.5).
 */
class ActivationTest {

    @Test
    void hardSigmoidIsKeras3Definition() {
        Activation a = Activation.HARD_SIGMOID;
        assertEquals(0.0, a.apply(-3.0), 0.0);
        assertEquals(0.0, a.apply(-7.5), 0.0);
        assertEquals(1.0, a.apply(3.0), 0.0);
        assertEquals(1.0, a.apply(100.0), 0.0);
        assertEquals(0.5, a.apply(0.0), 0.0);
        assertEquals(0.75, a.apply(1.5), 1e-16);
        assertEquals(0.3, a.apply(-1.2), 1e-16);
        // Keras 2's 0.2·x + 0.5 would give 0.9 here
        assertEquals(2.0 / 3.0, a.apply(1.0), 1e-16);
        assertEquals(1.0 / 6.0, a.derivativeFromOutput(0.75), 0.0);
        assertEquals(1.0 / 6.0, a.derivativeFromOutput(0.3), 0.0);
        assertEquals(0.0, a.derivativeFromOutput(0.0), 0.0, "clipped below: −3 and less");
        assertEquals(0.0, a.derivativeFromOutput(1.0), 0.0, "clipped above: 3 and more");
    }

    @Test
    void reluLinearSigmoidTanhAtChosenPoints() {
        assertEquals(2.5, Activation.RELU.apply(2.5), 0.0);
        assertEquals(0.0, Activation.RELU.apply(-2.5), 0.0);
        assertEquals(1.0, Activation.RELU.derivativeFromOutput(2.5), 0.0);
        assertEquals(0.0, Activation.RELU.derivativeFromOutput(0.0), 0.0);
        assertEquals(-4.25, Activation.LINEAR.apply(-4.25), 0.0);
        assertEquals(1.0, Activation.LINEAR.derivativeFromOutput(-4.25), 0.0);
        // σ(ln 3) = 3/4, σ' = 3/16 ; tanh(ln 2) = 3/5, tanh' = 16/25
        assertEquals(0.75, Activation.SIGMOID.apply(Math.log(3)), 1e-15);
        assertEquals(3.0 / 16, Activation.SIGMOID.derivativeFromOutput(0.75), 1e-15);
        assertEquals(0.6, Activation.TANH.apply(Math.log(2)), 1e-15);
        assertEquals(16.0 / 25, Activation.TANH.derivativeFromOutput(0.6), 1e-15);
    }

    @Test
    void derivativesAgreeWithFiniteDifferencesAwayFromKinks() {
        double eps = 1e-6;
        for (Activation a : Activation.values()) {
            for (double x : new double[] {-5.1, -2.9, -1.3, -0.2, 0.4, 1.7, 2.95, 4.2}) {
                double fd = (a.apply(x + eps) - a.apply(x - eps)) / (2 * eps);
                assertEquals(fd, a.derivativeFromOutput(a.apply(x)), 1e-8, a + " at " + x);
            }
        }
    }

    @Test
    void namesAreKerasNames() {
        assertEquals(Activation.HARD_SIGMOID, Activation.fromName("activation", "hard_sigmoid"));
        assertEquals(Activation.RELU, Activation.fromName("activation", "ReLU"));
        assertEquals("linear", Activation.LINEAR.kerasName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Activation.fromName("recurrent_activation", "swish"));
        assertTrue(e.getMessage().contains("recurrent_activation") && e.getMessage().contains("swish")
                && e.getMessage().contains("hard_sigmoid"), e.getMessage());
    }
}
