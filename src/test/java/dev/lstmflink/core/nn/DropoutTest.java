package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Dropout between layers (nn.LSTM(dropout=p)): training only, inverted scaling, and BPTT through the masks. */
class DropoutTest {

    static final LstmConfig CFG = LstmConfig.of(3, 6).withNumLayers(3).withDropout(0.3);

    @Test
    void inferenceIgnoresDropoutAndTrainingApplyIt() {
        Random rnd = new Random(1);
        double[] p = RandomLstm.params(CFG, rnd);
        double[] x = RandomLstm.values(5 * 2 * 3, 1, rnd);
        Lstm<double[]> lstm = Lstm.f64(CFG, p);
        Lstm<double[]> noDrop = Lstm.f64(CFG.withDropout(0), p);
        assertArrayEquals(noDrop.forward(x, 5, 2, null, null, null).output(),
                lstm.forward(x, 5, 2, null, null, null).output(), "inference: dropout off");
        double[] trained = lstm.forwardTraining(x, 5, 2, null, null, null, new SplittableRandom(7)).output();
        assertFalse(Arrays.equals(trained, lstm.forward(x, 5, 2, null, null, null).output()), "training: masks on");
        assertArrayEquals(trained, lstm.forwardTraining(x, 5, 2, null, null, null, new SplittableRandom(7)).output(),
                "a fixed seed reproduces the masks");
    }

    @Test
    void maskKeepsAboutOneMinusPAndScalesByItsInverse() {
        LstmConfig cfg = LstmConfig.of(1, 64).withNumLayers(3).withDropout(0.25);
        Random rnd = new Random(2);
        Lstm<double[]> lstm = Lstm.f64(cfg, RandomLstm.params(cfg, rnd));
        ForwardPass<double[]> pass = lstm.forwardTraining(RandomLstm.values(50 * 20, 1, rnd), 50, 20, null, null,
                null, new SplittableRandom(3));
        for (int l = 0; l < 2; l++) {
            double[] mask = pass.dropoutMask(l);
            int zeros = 0;
            for (double m : mask) {
                if (m == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.75, m, 1e-15, "kept units are scaled by 1/(1-p)");
                }
            }
            // 64,000 Bernoulli(0.25) draws: standard deviation 0.0017, so ±0.01 is about 6 sigma
            assertEquals(0.25, zeros / (double) mask.length, 0.01, "layer " + l + " drop rate");
        }
        assertEquals(null, pass.dropoutMask(2), "no dropout after the last layer");
    }

    @Test
    void backwardThroughMasksMatchesFiniteDifferences() {
        Random rnd = new Random(4);
        double[] p = RandomLstm.params(CFG, rnd);
        int t = 4;
        int b = 2;
        double[] x = RandomLstm.values(t * b * 3, 1, rnd);
        double[] gOut = RandomLstm.values(t * b * 6, 1, rnd);
        Gradients<double[]> g = Lstm.f64(CFG, p).forwardTraining(x, t, b, null, null, null, new SplittableRandom(5))
                .backward(gOut, null, null);
        double eps = 1e-6;
        double[] fd = new double[p.length];
        double[] an = new double[p.length];
        for (int i = 0; i < p.length; i += 7) {
            double[] up = p.clone();
            up[i] += eps;
            double[] down = p.clone();
            down[i] -= eps;
            fd[i] = (loss(up, x, gOut, t, b) - loss(down, x, gOut, t, b)) / (2 * eps);
            an[i] = g.params()[i];
        }
        Close.assertClose("d params through dropout masks", fd, an, 1e-6);
    }

    /**
     * The same through Keras' options: go_backwards reverses each layer's input after the previous layer's dropout,
     * and a mask skips steps; the gradient must undo both in the right order.
     */
    @Test
    void backwardThroughMasksWithGoBackwardsAndKerasMaskMatchesFiniteDifferences() {
        LstmConfig cfg = CFG.withGoBackwards(true).withActivation(Activation.HARD_SIGMOID);
        Random rnd = new Random(6);
        double[] p = RandomLstm.params(cfg, rnd);
        int t = 4;
        int b = 2;
        boolean[] mask = {true, false, true, true, false, true, true, false};
        double[] x = RandomLstm.values(t * b * 3, 1, rnd);
        double[] gOut = RandomLstm.values(t * b * 6, 1, rnd);
        Gradients<double[]> g = Lstm.f64(cfg, p).forwardMaskedTraining(x, t, b, null, null, mask,
                new SplittableRandom(5)).backward(gOut, null, null);
        double eps = 1e-6;
        double[] fd = new double[p.length + x.length];
        double[] an = new double[fd.length];
        for (int i = 0; i < p.length; i += 7) {
            double[] up = p.clone();
            up[i] += eps;
            double[] down = p.clone();
            down[i] -= eps;
            fd[i] = (loss(cfg, up, x, mask, gOut, t, b) - loss(cfg, down, x, mask, gOut, t, b)) / (2 * eps);
            an[i] = g.params()[i];
        }
        for (int i = 0; i < x.length; i++) {
            double[] up = x.clone();
            up[i] += eps;
            double[] down = x.clone();
            down[i] -= eps;
            fd[p.length + i] = (loss(cfg, p, up, mask, gOut, t, b) - loss(cfg, p, down, mask, gOut, t, b)) / (2 * eps);
            an[p.length + i] = g.input()[i];
        }
        Close.assertClose("d params and d input through dropout, go_backwards and a mask", fd, an, 1e-6);
    }

    private static double loss(LstmConfig cfg, double[] p, double[] x, boolean[] mask, double[] gOut, int t, int b) {
        double[] out = Lstm.f64(cfg, p).forwardMaskedTraining(x, t, b, null, null, mask, new SplittableRandom(5))
                .output();
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += out[i] * gOut[i];
        }
        return s;
    }

    private static double loss(double[] p, double[] x, double[] gOut, int t, int b) {
        double[] out = Lstm.f64(CFG, p).forwardTraining(x, t, b, null, null, null, new SplittableRandom(5)).output();
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += out[i] * gOut[i];
        }
        return s;
    }
}
