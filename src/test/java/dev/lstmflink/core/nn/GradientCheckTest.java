package dev.lstmflink.core.nn;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Backward agrees with central finite differences of forward (float64) on random configurations that mix what the
 * golden files test one at a time: bidirectional, projection, batch-first, lengths, initial state; and Keras'
 * options, which no golden file covers: every activation in both roles, go_backwards and masks.
 */
class GradientCheckTest {

    private static final double EPS = 1e-6;

    @Test
    void backwardMatchesFiniteDifferences() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int n = 0; n < 12; n++) {
            LstmConfig cfg = RandomLstm.config(rnd, true);
            int t = 1 + rnd.nextInt(5);
            int b = 1 + rnd.nextInt(3);
            int[] lengths = rnd.nextBoolean() ? null : rnd.ints(b, 1, t + 1).toArray();
            check(cfg, t, b, lengths, null, rnd, "seed " + seed + " case " + n + " " + cfg + " T=" + t + " B=" + b);
        }
    }

    /**
     * Each activation as {@code activation} and as {@code recurrent_activation} (all 25 pairs), with go_backwards, a
     * Keras mask and zero_output_for_mask drawn at random. The kinks of relu (0) and hard_sigmoid (±3) are a set of
     * measure zero that random pre-activations hit within the finite-difference step with negligible probability.
     */
    @Test
    void backwardMatchesFiniteDifferencesForEveryActivationGoBackwardsAndMask() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        int n = 0;
        for (Activation gate : Activation.values()) {
            for (Activation act : Activation.values()) {
                LstmConfig cfg = RandomLstm.config(rnd, true).withRecurrentActivation(gate).withActivation(act);
                if (!cfg.bidirectional() && rnd.nextBoolean()) {
                    cfg = cfg.withGoBackwards(true);
                }
                cfg = cfg.withZeroOutputForMask(rnd.nextBoolean());
                int t = 1 + rnd.nextInt(5);
                int b = 1 + rnd.nextInt(3);
                boolean[] mask = null;
                if (rnd.nextInt(3) > 0) {
                    mask = new boolean[b * t];
                    for (int i = 0; i < mask.length; i++) {
                        mask[i] = rnd.nextInt(3) > 0;
                    }
                }
                check(cfg, t, b, null, mask, rnd, "seed " + seed + " case " + n++ + " " + cfg + " T=" + t + " B=" + b
                        + " mask=" + java.util.Arrays.toString(mask));
            }
        }
    }

    /**
     * zero_output_for_mask with a mask on every case (bidirectional, go_backwards, projections, stacks as drawn): a
     * masked step's output is a constant 0, so its gradient reaches neither the state nor the parameters.
     */
    @Test
    void backwardMatchesFiniteDifferencesWithZeroOutputForMask() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int n = 0; n < 12; n++) {
            LstmConfig cfg = RandomLstm.config(rnd, true).withZeroOutputForMask(true);
            if (!cfg.bidirectional() && rnd.nextBoolean()) {
                cfg = cfg.withGoBackwards(true);
            }
            int t = 2 + rnd.nextInt(5);
            int b = 1 + rnd.nextInt(3);
            boolean[] mask = new boolean[b * t];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = rnd.nextInt(3) > 0;
            }
            mask[rnd.nextInt(mask.length)] = false;
            check(cfg, t, b, null, mask, rnd, "seed " + seed + " case " + n + " " + cfg + " T=" + t + " B=" + b
                    + " mask=" + java.util.Arrays.toString(mask));
        }
    }

    private static void check(LstmConfig cfg, int t, int b, int[] lengths, boolean[] mask, Random rnd, String what) {
        int ld = cfg.numLayers() * cfg.numDirections();
        double[] params = KerasLstmTest.tame(cfg, RandomLstm.params(cfg, rnd));
        double[] x = RandomLstm.values(t * b * cfg.inputSize(), KerasLstmTest.unbounded(cfg) ? 1 : 1.5, rnd);
        double[] h0 = RandomLstm.values(ld * b * cfg.outputSize(), 0.5, rnd);
        double[] c0 = RandomLstm.values(ld * b * cfg.hiddenSize(), 0.5, rnd);
        double[] gOut = RandomLstm.values(t * b * cfg.numDirections() * cfg.outputSize(), 1, rnd);
        double[] gH = RandomLstm.values(h0.length, 1, rnd);
        double[] gC = RandomLstm.values(c0.length, 1, rnd);
        Lstm<double[]> lstm = Lstm.f64(cfg, params);
        Gradients<double[]> g = new ForwardPass<>(lstm, x, t, b, h0, c0, lengths, mask, null).backward(gOut, gH, gC);
        Loss loss = (p, xx, hh, cc) -> {
            ForwardPass<double[]> f = new ForwardPass<>(Lstm.f64(cfg, p), xx, t, b, hh, cc, lengths, mask, null);
            return dot(f.output(), gOut) + dot(f.hN(), gH) + dot(f.cN(), gC);
        };
        compare(what + " dparams", g.params(), params, i -> numeric(loss, params, i, x, h0, c0, 0));
        compare(what + " dinput", g.input(), x, i -> numeric(loss, params, i, x, h0, c0, 1));
        compare(what + " dh0", g.h0(), h0, i -> numeric(loss, params, i, x, h0, c0, 2));
        compare(what + " dc0", g.c0(), c0, i -> numeric(loss, params, i, x, h0, c0, 3));
    }

    interface Loss {
        double at(double[] p, double[] x, double[] h0, double[] c0);
    }

    /** Central difference with respect to element i of argument {@code which} (0 params, 1 x, 2 h0, 3 c0). */
    private static double numeric(Loss loss, double[] p, int i, double[] x, double[] h0, double[] c0, int which) {
        double[][] args = {p.clone(), x.clone(), h0.clone(), c0.clone()};
        args[which][i] += EPS;
        double up = loss.at(args[0], args[1], args[2], args[3]);
        args[which][i] -= 2 * EPS;
        double down = loss.at(args[0], args[1], args[2], args[3]);
        return (up - down) / (2 * EPS);
    }

    /** Checks up to 25 elements spread over the array (every one for small arrays). */
    private static void compare(String what, double[] analytic, double[] arg,
                                java.util.function.IntToDoubleFunction numeric) {
        int stride = Math.max(1, arg.length / 25);
        int n = (arg.length + stride - 1) / stride;
        double[] a = new double[n];
        double[] fd = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = analytic[k * stride];
            fd[k] = numeric.applyAsDouble(k * stride);
        }
        Close.assertClose(what, fd, a, 1e-6);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

}
