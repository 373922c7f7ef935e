package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Dropout inside the layers ({@link DropoutConfig}): Keras' dropout / recurrent_dropout (= Wolfram's VariationalInput /
 * VariationalState), Wolfram's VariationalWeights (DropConnect on W_hh) and StateUpdate. Each kind: mask statistics,
 * the per-sequence or per-step pattern, an independent reference forward, finite-difference gradients with the masks
 * fixed (same seed), a fixed seed reproducing a run bit for bit, p = 0 equal to no dropout, inference untouched.
 */
class InLayerDropoutTest {

    static final DropoutConfig ALL = new DropoutConfig(0.2, 0.3, 0.4, 0.5);

    static final DropoutConfig[] EACH = {
        DropoutConfig.NONE.withInput(0.3), DropoutConfig.NONE.withRecurrent(0.3),
        DropoutConfig.NONE.withWeights(0.3), DropoutConfig.NONE.withStateUpdate(0.3), ALL,
    };

    // ---------------------------------------------------------------- mask statistics

    /**
     * Every mask holds 0 or exactly 1/(1 − p), and the dropped fraction is p within 6 binomial standard deviations
     * (sqrt(p(1 − p)/n)): a bound a correct sampler breaks with probability about 2·10⁻⁹.
     */
    @Test
    void masksDropAboutPAndScaleKeptUnitsByTheInverse() {
        LstmConfig cfg = LstmConfig.of(40, 32).withNumLayers(2).withBidirectional(true);
        Random rnd = new Random(11);
        int t = 20;
        int b = 30;
        ForwardPass<double[]> pass = Lstm.f64(cfg, RandomLstm.params(cfg, rnd)).forwardTraining(
                RandomLstm.values(t * b * 40, 1, rnd), t, b, null, null, null, null, ALL, new SplittableRandom(3));
        for (int cd = 0; cd < 4; cd++) {
            int in = cfg.layerInputSize(cd / 2);
            checkRate("input cell " + cd, pass.inputMask(cd), b * in, ALL.input());
            checkRate("recurrent cell " + cd, pass.recurrentMask(cd), b * 32, ALL.recurrent());
            checkRate("weights cell " + cd, pass.weightMask(cd), b * 32 * 4 * 32, ALL.weights());
            checkRate("state update cell " + cd, pass.stateUpdateMask(cd), t * b * 32, ALL.stateUpdate());
        }
    }

    private static void checkRate(String what, double[] mask, int n, double p) {
        assertEquals(n, mask.length, what + ": mask size");
        int zeros = 0;
        for (double m : mask) {
            if (m == 0) {
                zeros++;
            } else {
                assertEquals(1 / (1 - p), m, 0.0, what + ": kept units are scaled by exactly 1/(1-p)");
            }
        }
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertEquals(p, zeros / (double) n, 6 * sigma, what + ": dropped fraction of " + n + " draws");
    }

    /**
     * Input dropout is one mask per sequence: ∂L/∂x[t,b,j] is exactly 0 at every step t where unit j of sequence b is
     * dropped, and (almost surely) nonzero at every step where it is kept. The same units are dropped at every step.
     */
    @Test
    void inputDropoutDropsTheSameUnitsAtEveryStep() {
        LstmConfig cfg = LstmConfig.of(12, 5);
        Random rnd = new Random(12);
        int t = 7;
        int b = 3;
        DropoutConfig drop = DropoutConfig.keras(0.5, 0);
        ForwardPass<double[]> pass = Lstm.f64(cfg, RandomLstm.params(cfg, rnd)).forwardTraining(
                RandomLstm.values(t * b * 12, 1, rnd), t, b, null, null, null, null, drop, new SplittableRandom(4));
        double[] dx = pass.backward(RandomLstm.values(t * b * 5, 1, rnd), null, null).input();
        double[] mask = pass.inputMask(0);
        int dropped = 0;
        for (int s = 0; s < b; s++) {
            for (int j = 0; j < 12; j++) {
                boolean off = mask[s * 12 + j] == 0;
                dropped += off ? 1 : 0;
                for (int step = 0; step < t; step++) {
                    double g = dx[(step * b + s) * 12 + j];
                    assertEquals(off, g == 0, "sequence " + s + " unit " + j + " step " + step + ": gradient " + g);
                }
            }
        }
        assertTrue(dropped > 0 && dropped < b * 12, "some units dropped, some kept: " + dropped);
    }

    /** State-update dropout draws a fresh mask at every step (Wolfram: "a different pattern at each step"). */
    @Test
    void stateUpdateDropoutDrawsAFreshMaskEveryStep() {
        LstmConfig cfg = LstmConfig.of(2, 64);
        Random rnd = new Random(13);
        int t = 10;
        int b = 2;
        ForwardPass<double[]> pass = Lstm.f64(cfg, RandomLstm.params(cfg, rnd)).forwardTraining(
                RandomLstm.values(t * b * 2, 1, rnd), t, b, null, null, null, null,
                DropoutConfig.NONE.withStateUpdate(0.5), new SplittableRandom(5));
        double[] m = pass.stateUpdateMask(0);
        for (int s = 0; s < b; s++) {
            for (int step = 1; step < t; step++) {
                double[] now = Arrays.copyOfRange(m, (step * b + s) * 64, (step * b + s + 1) * 64);
                double[] before = Arrays.copyOfRange(m, ((step - 1) * b + s) * 64, ((step - 1) * b + s) * 64 + 64);
                assertFalse(Arrays.equals(now, before), "sequence " + s + ": steps " + (step - 1) + " and " + step
                        + " share a mask (chance 2^-64 for a correct sampler)");
            }
        }
    }

    // ---------------------------------------------------------------- an independent forward

    /**
     * A plain single-cell LSTM written from the equations of {@link DropoutConfig}, reading the weights by
     * {@link CellLayout#weightIndex} and the masks from the pass, agrees with the pass for each kind and all together:
     * the masks enter where the definitions say (x and h_{t-1} only in the gates, M on W_hh for the whole sequence,
     * m_t on g_t alone) and nowhere else.
     */
    @Test
    void matchesAReferenceForwardWrittenFromTheDefinitions() {
        for (DropoutConfig drop : EACH) {
            LstmConfig cfg = LstmConfig.of(3, 5);
            Random rnd = new Random(14);
            double[] p = RandomLstm.params(cfg, rnd);
            int t = 6;
            int b = 4;
            double[] x = RandomLstm.values(t * b * 3, 1, rnd);
            double[] h0 = RandomLstm.values(b * 5, 0.5, rnd);
            double[] c0 = RandomLstm.values(b * 5, 0.5, rnd);
            Lstm<double[]> lstm = Lstm.f64(cfg, p);
            ForwardPass<double[]> pass = lstm.forwardTraining(x, t, b, h0, c0, null, null, drop,
                    new SplittableRandom(6));
            double[] expected = reference(lstm, pass, x, h0, c0, t, b);
            Close.assertClose(drop.toString(), expected, pass.output(), 1e-12);
        }
    }

    private static double[] reference(Lstm<double[]> lstm, ForwardPass<double[]> pass, double[] x, double[] h0,
                                      double[] c0, int t, int b) {
        CellLayout cell = lstm.layout().cell(0, 0);
        double[] w = lstm.params();
        int in = cell.inputSize();
        int hid = cell.hiddenSize();
        double[] mx = pass.inputMask(0);
        double[] mh = pass.recurrentMask(0);
        double[] mw = pass.weightMask(0);
        double[] mu = pass.stateUpdateMask(0);
        double[] out = new double[t * b * hid];
        for (int s = 0; s < b; s++) {
            double[] h = Arrays.copyOfRange(h0, s * hid, (s + 1) * hid);
            double[] c = Arrays.copyOfRange(c0, s * hid, (s + 1) * hid);
            for (int step = 0; step < t; step++) {
                double[] z = new double[4 * hid];
                for (int r = 0; r < 4 * hid; r++) {
                    z[r] = w[cell.bihOff() + r] + w[cell.bhhOff() + r];
                    for (int j = 0; j < in; j++) {
                        double xj = x[(step * b + s) * in + j] * (mx == null ? 1 : mx[s * in + j]);
                        z[r] += w[cell.weightIndex(j, r)] * xj;
                    }
                    for (int j = 0; j < hid; j++) {
                        double hj = h[j] * (mh == null ? 1 : mh[s * hid + j]);
                        double wj = w[cell.weightIndex(in + j, r)] * (mw == null ? 1 : mw[(s * hid + j) * 4 * hid + r]);
                        z[r] += wj * hj;
                    }
                }
                for (int j = 0; j < hid; j++) {
                    double i = sigmoid(z[j]);
                    double f = sigmoid(z[hid + j]);
                    double g = Math.tanh(z[2 * hid + j]);
                    double o = sigmoid(z[3 * hid + j]);
                    c[j] = f * c[j] + i * g * (mu == null ? 1 : mu[(step * b + s) * hid + j]);
                    h[j] = o * Math.tanh(c[j]);
                    out[(step * b + s) * hid + j] = h[j];
                }
            }
        }
        return out;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    // ---------------------------------------------------------------- gradients

    /**
     * Backward through the fixed masks (the loss re-runs the forward with the same seed, so the same masks) agrees
     * with central differences: each kind alone and all together, on stacked bidirectional layers with inter-layer
     * dropout and initial state; then with projection and lengths; then with Keras activations, go_backwards and a
     * Keras mask.
     */
    @Test
    void backwardThroughFixedMasksMatchesFiniteDifferences() {
        LstmConfig stacked = LstmConfig.of(3, 4).withNumLayers(2).withBidirectional(true).withDropout(0.25);
        for (DropoutConfig drop : EACH) {
            check(stacked, drop, 4, 2, null, null, "stacked bidirectional " + drop);
        }
        check(LstmConfig.of(3, 5).withNumLayers(2).withProjSize(3).withBatchFirst(true), ALL, 5, 3,
                new int[] {5, 2, 4}, null, "projection, batch-first, lengths");
        check(LstmConfig.of(2, 4).withNumLayers(2).withGoBackwards(true).withActivation(Activation.HARD_SIGMOID)
                        .withRecurrentActivation(Activation.HARD_SIGMOID), ALL, 4, 2, null,
                new boolean[] {true, false, true, true, false, true, true, false}, "Keras options and mask");
    }

    private static void check(LstmConfig cfg, DropoutConfig drop, int t, int b, int[] lengths, boolean[] mask,
                              String what) {
        Random rnd = new Random(15);
        int ld = cfg.numLayers() * cfg.numDirections();
        double[] p = RandomLstm.params(cfg, rnd);
        double[] x = RandomLstm.values(t * b * cfg.inputSize(), 1, rnd);
        double[] h0 = RandomLstm.values(ld * b * cfg.outputSize(), 0.5, rnd);
        double[] c0 = RandomLstm.values(ld * b * cfg.hiddenSize(), 0.5, rnd);
        double[] gOut = RandomLstm.values(t * b * cfg.numDirections() * cfg.outputSize(), 1, rnd);
        double[] gH = RandomLstm.values(h0.length, 1, rnd);
        double[] gC = RandomLstm.values(c0.length, 1, rnd);
        Loss loss = (pp, xx, hh, cc) -> {
            ForwardPass<double[]> f = Lstm.f64(cfg, pp).forwardTraining(xx, t, b, hh, cc, lengths, mask, drop,
                    new SplittableRandom(16));
            return dot(f.output(), gOut) + dot(f.hN(), gH) + dot(f.cN(), gC);
        };
        Gradients<double[]> g = Lstm.f64(cfg, p).forwardTraining(x, t, b, h0, c0, lengths, mask, drop,
                new SplittableRandom(16)).backward(gOut, gH, gC);
        double[][] args = {p, x, h0, c0};
        double[][] analytic = {g.params(), g.input(), g.h0(), g.c0()};
        String[] names = {"dparams", "dinput", "dh0", "dc0"};
        for (int a = 0; a < 4; a++) {
            double[] fd = new double[args[a].length];
            for (int i = 0; i < fd.length; i++) {
                double[][] up = args.clone();
                double[][] down = args.clone();
                up[a] = args[a].clone();
                down[a] = args[a].clone();
                up[a][i] += 1e-6;
                down[a][i] -= 1e-6;
                fd[i] = (loss.of(up[0], up[1], up[2], up[3]) - loss.of(down[0], down[1], down[2], down[3])) / 2e-6;
            }
            Close.assertClose(what + " " + names[a], fd, analytic[a], 1e-6);
        }
    }

    private interface Loss {
        double of(double[] p, double[] x, double[] h0, double[] c0);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    // ---------------------------------------------------------------- seeds, p = 0, inference

    /** float32 on the preferred kernel: the same seed gives the same outputs and gradients, bit for bit. */
    @Test
    void aFixedSeedReproducesARunBitForBit() {
        LstmConfig cfg = LstmConfig.of(4, 16).withNumLayers(2).withDropout(0.2);
        Random rnd = new Random(17);
        float[] p = toFloat(RandomLstm.params(cfg, rnd));
        float[] x = toFloat(RandomLstm.values(6 * 3 * 4, 1, rnd));
        float[] gOut = toFloat(RandomLstm.values(6 * 3 * 16, 1, rnd));
        Lstm<float[]> lstm = Lstm.f32(cfg, p);
        for (DropoutConfig drop : EACH) {
            ForwardPass<float[]> a = lstm.forwardTraining(x, 6, 3, null, null, null, null, drop,
                    new SplittableRandom(18));
            ForwardPass<float[]> b = lstm.forwardTraining(x, 6, 3, null, null, null, null, drop,
                    new SplittableRandom(18));
            assertArrayEquals(a.output(), b.output(), drop + ": outputs");
            assertArrayEquals(a.backward(gOut, null, null).params(), b.backward(gOut, null, null).params(),
                    drop + ": gradients");
            ForwardPass<float[]> c = lstm.forwardTraining(x, 6, 3, null, null, null, null, drop,
                    new SplittableRandom(19));
            assertFalse(Arrays.equals(a.output(), c.output()), drop + ": another seed draws other masks");
        }
    }

    /**
     * With every in-layer probability 0 the training forward equals the plain one exactly, and it draws nothing:
     * the inter-layer masks (same seed) and thus outputs and gradients equal those of the existing training forward.
     */
    @Test
    void probabilityZeroEqualsNoDropoutExactly() {
        LstmConfig cfg = LstmConfig.of(3, 6).withNumLayers(3);
        Random rnd = new Random(20);
        double[] p = RandomLstm.params(cfg, rnd);
        double[] x = RandomLstm.values(5 * 2 * 3, 1, rnd);
        double[] gOut = RandomLstm.values(5 * 2 * 6, 1, rnd);
        Lstm<double[]> lstm = Lstm.f64(cfg, p);
        ForwardPass<double[]> plain = lstm.forward(x, 5, 2, null, null, null);
        ForwardPass<double[]> zero = lstm.forwardTraining(x, 5, 2, null, null, null, null, new DropoutConfig(0, 0, 0,
                0), new SplittableRandom(21));
        assertArrayEquals(plain.output(), zero.output());
        assertArrayEquals(plain.backward(gOut, null, null).params(), zero.backward(gOut, null, null).params());
        assertNull(zero.inputMask(0));
        assertNull(zero.weightMask(2));

        Lstm<double[]> between = Lstm.f64(cfg.withDropout(0.3), p);
        ForwardPass<double[]> old = between.forwardTraining(x, 5, 2, null, null, null, new SplittableRandom(22));
        ForwardPass<double[]> now = between.forwardTraining(x, 5, 2, null, null, null, null, DropoutConfig.NONE,
                new SplittableRandom(22));
        assertArrayEquals(old.output(), now.output(), "inter-layer dropout: same masks from the same seed");
        assertArrayEquals(old.backward(gOut, null, null).params(), now.backward(gOut, null, null).params());
    }

    /**
     * Inference never applies these masks: {@code forward} and the stepper have no way to receive them, and a
     * training forward with every kind on changes the output, while the inference paths give the plain LSTM's output.
     * A non-empty config without a random stream is refused rather than silently ignored.
     */
    @Test
    void inferenceIsUnaffected() {
        LstmConfig cfg = LstmConfig.of(3, 6);
        Random rnd = new Random(23);
        double[] p = RandomLstm.params(cfg, rnd);
        double[] x = RandomLstm.values(4 * 3, 1, rnd);
        Lstm<double[]> lstm = Lstm.f64(cfg, p);
        double[] trained = lstm.forwardTraining(x, 4, 1, null, null, null, null, ALL, new SplittableRandom(24))
                .output();
        double[] inferred = lstm.forward(x, 4, 1, null, null, null).output();
        assertFalse(Arrays.equals(trained, inferred), "training applies the masks");
        LstmStepper<double[]> stepper = lstm.stepper();
        double[] state = stepper.newState();
        double[] stepped = new double[4 * 6];
        for (int s = 0; s < 4; s++) {
            stepper.step(x, s * 3, state);
            System.arraycopy(state, stepper.outputOffset(), stepped, s * 6, 6);
        }
        Close.assertClose("stepper = plain forward", inferred, stepped, 1e-12);
        assertArrayEquals(inferred, lstm.forwardMasked(x, 4, 1, null, null, null).output());
        assertThrows(IllegalArgumentException.class,
                () -> lstm.forwardTraining(x, 4, 1, null, null, null, null, ALL, null));
    }

    @Test
    void probabilitiesOutsideZeroToOneAreRefusedNamingTheKind() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DropoutConfig(0, 1.0, 0, 0));
        assertTrue(e.getMessage().contains("recurrent") && e.getMessage().contains("1.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DropoutConfig.NONE.withStateUpdate(-0.1));
        assertTrue(DropoutConfig.NONE.isNone());
        assertEquals(new DropoutConfig(0.1, 0.2, 0, 0), DropoutConfig.keras(0.1, 0.2));
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
