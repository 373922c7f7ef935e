package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the README's argument map says of Keras masks in a stream: a masked step is an event not stepped. Stepping
 * {@link LstmStepper} over the unmasked steps only, the state after each step holds exactly what
 * {@link Lstm#forwardMasked} computes for the whole sequence: its h, c and its output, which at a masked step is the
 * previous step's output (zeros before the first).
 */
class MaskedStepTest {

    @Test
    void steppingOnlyTheUnmaskedStepsGivesKerasMaskedOutputsAndStates() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 20; trial++) {
            int layers = 1 + rnd.nextInt(3);
            int in = 1 + rnd.nextInt(4);
            int hid = 2 + rnd.nextInt(5);
            int proj = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(hid - 1);
            LstmConfig cfg = new LstmConfig(in, hid, layers, rnd.nextBoolean(), false, 0.0, false, proj)
                    .withActivation(Activation.values()[rnd.nextInt(Activation.values().length)])
                    .withRecurrentActivation(Activation.values()[rnd.nextInt(Activation.values().length)]);
            double[] p64 = RandomLstm.params(cfg, rnd);
            float[] params = new float[p64.length];
            for (int i = 0; i < p64.length; i++) {
                params[i] = (float) p64[i];
            }
            Lstm<float[]> lstm = Lstm.f32(cfg, params);
            int t = 4 + rnd.nextInt(8);
            float[] x = new float[t * in];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            boolean[] mask = new boolean[t];
            for (int s = 0; s < t; s++) {
                mask[s] = rnd.nextInt(3) != 0;
            }
            mask[0] = trial % 2 == 0;   // half the sequences start with a masked step (output zeros there)

            ForwardPass<float[]> whole = lstm.forwardMasked(x, t, 1, null, null, mask);
            float[] out = whole.output();
            int hOut = cfg.outputSize();
            LstmStepper<float[]> st = lstm.stepper();
            float[] state = st.newState();
            for (int s = 0; s < t; s++) {
                if (mask[s]) {
                    st.step(x, s * in, state);
                }
                for (int j = 0; j < hOut; j++) {
                    assertEquals(out[s * hOut + j], state[st.outputOffset() + j], 1e-6f,
                            "trial " + trial + " " + cfg + " step " + s + " (masked: " + !mask[s] + ") output " + j);
                }
            }
            for (int l = 0; l < layers; l++) {
                for (int j = 0; j < hOut; j++) {
                    assertEquals(whole.hN()[l * hOut + j], state[st.hOffset(l) + j], 1e-6f, "h_n layer " + l);
                }
                for (int j = 0; j < hid; j++) {
                    assertEquals(whole.cN()[l * hid + j], state[st.cOffset(l) + j], 1e-6f, "c_n layer " + l);
                }
            }
        }
    }
}
