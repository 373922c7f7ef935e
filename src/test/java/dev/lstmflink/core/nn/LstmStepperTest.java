package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.kernel.ScalarLstmKernel;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Stepping one event at a time equals the sequence forward: what ties serving to training. */
class LstmStepperTest {

    @Test
    void steppingEqualsSequenceForwardOnRandomModels() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int n = 0; n < 40; n++) {
            LstmConfig cfg = RandomLstm.config(rnd, false).withBatchFirst(false);
            double[] params = RandomLstm.params(cfg, rnd);
            int t = 1 + rnd.nextInt(12);
            double[] x = RandomLstm.values(t * cfg.inputSize(), 2, rnd);
            String what = "seed " + seed + " case " + n + " " + cfg;
            compare(cfg, Precision.F64, new DoubleLstmKernel(), params, x, t, 1e-12, what);
            compare(cfg, Precision.F32, new ScalarLstmKernel(), params, x, t, 1e-5, what);
            compare(cfg, Precision.F32, LstmKernels.preferred(), params, x, t, 1e-5, what);
        }
    }

    @Test
    void steppingEqualsSequenceForwardForEveryActivation() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (Activation gate : Activation.values()) {
            for (Activation act : Activation.values()) {
                LstmConfig cfg = RandomLstm.config(rnd, false).withBatchFirst(false).withRecurrentActivation(gate)
                        .withActivation(act);
                double[] params = KerasLstmTest.tame(cfg, RandomLstm.params(cfg, rnd));
                int t = 1 + rnd.nextInt(10);
                double[] x = RandomLstm.values(t * cfg.inputSize(), KerasLstmTest.unbounded(cfg) ? 1 : 2, rnd);
                String what = "seed " + seed + " " + cfg;
                compare(cfg, Precision.F64, new DoubleLstmKernel(), params, x, t, 1e-12, what);
                compare(cfg, Precision.F32, new ScalarLstmKernel(), params, x, t, 1e-5, what);
                compare(cfg, Precision.F32, LstmKernels.preferred(), params, x, t, 1e-5, what);
            }
        }
    }

    @Test
    void goBackwardsModelsCannotStream() {
        LstmConfig cfg = LstmConfig.of(2, 4).withGoBackwards(true);
        Lstm<double[]> lstm = Lstm.f64(cfg, RandomLstm.params(cfg, new Random(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, lstm::stepper);
        assertTrue(e.getMessage().contains("go_backwards=true"), e.getMessage());
    }

    private static <A> void compare(LstmConfig cfg, Precision<A> num, LstmKernel<A> k, double[] params, double[] x,
                                    int t, double tol, String what) {
        Lstm<A> lstm = new Lstm<>(cfg, k, num.fromDoubles(params));
        A input = num.fromDoubles(x);
        ForwardPass<A> pass = lstm.forward(input, t, 1, null, null, null);
        LstmStepper<A> stepper = lstm.stepper();
        A state = stepper.newState();
        int hOut = cfg.outputSize();
        for (int s = 0; s < t; s++) {
            stepper.step(input, s * cfg.inputSize(), state);
            double[] out = num.toDoubles(state);
            double[] got = java.util.Arrays.copyOfRange(out, stepper.outputOffset(), stepper.outputOffset() + hOut);
            double[] want = java.util.Arrays.copyOfRange(num.toDoubles(pass.output()), s * hOut, (s + 1) * hOut);
            Close.assertClose(what + " " + k.name() + " step " + s, want, got, tol);
        }
        double[] st = num.toDoubles(state);
        double[] hN = num.toDoubles(pass.hN());
        double[] cN = num.toDoubles(pass.cN());
        for (int l = 0; l < cfg.numLayers(); l++) {
            Close.assertClose(what + " h layer " + l, java.util.Arrays.copyOfRange(hN, l * hOut, (l + 1) * hOut),
                    java.util.Arrays.copyOfRange(st, stepper.hOffset(l), stepper.hOffset(l) + hOut), tol);
            int hid = cfg.hiddenSize();
            Close.assertClose(what + " c layer " + l, java.util.Arrays.copyOfRange(cN, l * hid, (l + 1) * hid),
                    java.util.Arrays.copyOfRange(st, stepper.cOffset(l), stepper.cOffset(l) + hid), tol);
        }
    }

    @Test
    void interleavedKeysDoNotDisturbEachOther() {
        LstmConfig cfg = LstmConfig.of(3, 17).withNumLayers(2);
        Random rnd = new Random(3);
        Lstm<float[]> lstm = Lstm.f32(cfg, toFloats(RandomLstm.params(cfg, rnd)));
        float[] xa = toFloats(RandomLstm.values(30, 1, rnd));
        float[] xb = toFloats(RandomLstm.values(30, 1, rnd));
        LstmStepper<float[]> shared = lstm.stepper();
        float[] a = shared.newState();
        float[] b = shared.newState();
        for (int s = 0; s < 10; s++) {
            shared.step(xa, 3 * s, a);
            shared.step(xb, 3 * s, b);
        }
        LstmStepper<float[]> alone = lstm.stepper();
        float[] a2 = alone.newState();
        for (int s = 0; s < 10; s++) {
            alone.step(xa, 3 * s, a2);
        }
        assertArrayEquals(a2, a, "key a's state must not depend on key b's events");
    }

    @Test
    void bidirectionalModelsCannotStream() {
        LstmConfig cfg = LstmConfig.of(2, 4).withBidirectional(true);
        Lstm<double[]> lstm = Lstm.f64(cfg, RandomLstm.params(cfg, new Random(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, lstm::stepper);
        assertTrue(e.getMessage().contains("bidirectional=true"), e.getMessage());
    }

    static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
