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
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Keras' LSTM options in the sequence forward: activations, go_backwards, masks and the return_sequences /
 * return_state views. Small cases are worked out by hand (the expected numbers are literals, derived in the comments);
 * random ones are checked against a naive double-precision LSTM written in this test from the Keras definitions
 * (its own activation functions, its own loop), for every kernel.
 */
class KerasLstmTest {

    // -------------------------------------------------------------------------------------------------------------
    // Hand-derived cases, I = 1, H = 1: the parameters are PyTorch's [4,1] weights and [4] biases, gates i, f, g, o.

    /** I = H = 1 with the given PyTorch tensors (bias null for bias=false). */
    private static Lstm<double[]> tiny(LstmConfig cfg, double[] wIh, double[] wHh, double[] bIh, double[] bHh) {
        LstmLayout layout = new LstmLayout(cfg);
        double[] p = new double[layout.size()];
        for (TensorSpec spec : layout.tensors()) {
            double[] v = switch (spec.kind()) {
                case WEIGHT_IH -> wIh;
                case WEIGHT_HH -> wHh;
                case BIAS_IH -> bIh;
                case BIAS_HH -> bHh;
                default -> throw new AssertionError(spec.name());
            };
            layout.pack(spec, v, Precision.F64, p);
        }
        return Lstm.f64(cfg, p);
    }

    @Test
    void hardSigmoidGatesAndReluCellByHand() {
        LstmConfig cfg = LstmConfig.of(1, 1).withRecurrentActivation(Activation.HARD_SIGMOID)
                .withActivation(Activation.RELU);
        Lstm<double[]> lstm = tiny(cfg, new double[] {1.5, -1.2, 2, 4}, new double[] {0.5, 1, -1, 0},
                new double[] {0, 0.6, 0, 0}, new double[] {0, 0, 0, 0.5});
        // t=0, x=1, h=c=0: z = (1.5, -0.6, 2, 4.5): i = 1.5/6+.5 = .75, f = -.1+.5 = .4, g = relu 2, o = 1 (clipped)
        //   c = .4·0 + .75·2 = 1.5, h = 1·relu(1.5) = 1.5
        // t=1, x=-1, h=c=1.5: z = (-1.5+.75, 1.2+1.5+.6, -2-1.5, -4+.5) = (-.75, 3.3, -3.5, -3.5)
        //   i = -.125+.5 = .375, f = 1 (clipped), g = relu(-3.5) = 0, o = 0 (clipped)
        //   c = 1·1.5 + .375·0 = 1.5, h = 0·relu(1.5) = 0
        ForwardPass<double[]> f = lstm.forward(new double[] {1, -1}, 2, 1, null, null, null);
        assertArrayEquals(new double[] {1.5, 0}, f.output(), 1e-15);
        assertArrayEquals(new double[] {0}, f.hN(), 1e-15);
        assertArrayEquals(new double[] {1.5}, f.cN(), 1e-15);
    }

    /** linear gates and cell, no bias, W_hh = 0: every number below is exact. */
    private static Lstm<double[]> linearTiny(LstmConfig base) {
        LstmConfig cfg = base.withBias(false).withRecurrentActivation(Activation.LINEAR)
                .withActivation(Activation.LINEAR);
        return tiny(cfg, new double[] {0.5, 0.25, 2, 1}, new double[] {0, 0, 0, 0}, null, null);
    }

    @Test
    void linearCellByHand() {
        // x=1: i=.5 f=.25 g=2 o=1: c = 0 + 1 = 1, h = 1 ; x=2: i=1 f=.5 g=4 o=2: c = .5 + 4 = 4.5, h = 9
        ForwardPass<double[]> f = linearTiny(LstmConfig.of(1, 1)).forward(new double[] {1, 2}, 2, 1, null, null,
                null);
        assertArrayEquals(new double[] {1, 9}, f.output(), 0.0);
        assertArrayEquals(new double[] {4.5}, f.cN(), 0.0);
    }

    @Test
    void goBackwardsReadsFromTheEndAndReturnsProcessingOrder() {
        // x = (1, 2) read as 2, 1: x=2: c = 4, h = 2·4 = 8 ; x=1: c = .25·4 + .5·2 = 2, h = 1·2 = 2
        // Keras returns the outputs in processing order: (8, 2), and the last output 2
        ForwardPass<double[]> f = linearTiny(LstmConfig.of(1, 1).withGoBackwards(true))
                .forward(new double[] {1, 2}, 2, 1, null, null, null);
        assertArrayEquals(new double[] {8, 2}, f.output(), 0.0);
        assertArrayEquals(new double[] {2}, f.lastOutput(), 0.0);
        assertArrayEquals(new double[] {2}, f.hN(), 0.0);
        assertArrayEquals(new double[] {2}, f.cN(), 0.0);
    }

    @Test
    void maskedStepKeepsStateAndRepeatsPreviousOutput() {
        // x = (1, 5, 2), mask (1, 0, 1): t0: c=1 h=1 ; t1 masked: output 1, state (1, 1) ; t2 x=2: c = .5·1 + 4 = 4.5,
        // h = 2·4.5 = 9. x = 5 is never read.
        ForwardPass<double[]> f = linearTiny(LstmConfig.of(1, 1)).forwardMasked(new double[] {1, 5, 2}, 3, 1, null,
                null, new boolean[] {true, false, true});
        assertArrayEquals(new double[] {1, 1, 9}, f.output(), 0.0);
        assertArrayEquals(new double[] {9}, f.hN(), 0.0);
        assertArrayEquals(new double[] {4.5}, f.cN(), 0.0);
        assertArrayEquals(new double[] {9}, f.lastOutput(), 0.0);
    }

    @Test
    void leadingMaskedStepsOutputZerosAndKeepTheInitialState() {
        // h0 = 3, c0 = 2, x = (7, 1, 2), mask (0, 1, 1): t0 masked: output 0 (no previous output), state (3, 2);
        // t1 x=1: c = .25·2 + .5·2 = 1.5, h = 1·1.5 ; t2 x=2: c = .5·1.5 + 4 = 4.75, h = 2·4.75 = 9.5; trailing mask
        // (1, 1, 0) with x = (1, 2, 7): outputs 1, 9, 9 (repeated), state after t1.
        Lstm<double[]> lstm = linearTiny(LstmConfig.of(1, 1));
        ForwardPass<double[]> f = lstm.forwardMasked(new double[] {7, 1, 2}, 3, 1, new double[] {3},
                new double[] {2}, new boolean[] {false, true, true});
        assertArrayEquals(new double[] {0, 1.5, 9.5}, f.output(), 0.0);
        assertArrayEquals(new double[] {4.75}, f.cN(), 0.0);
        ForwardPass<double[]> g = lstm.forwardMasked(new double[] {1, 2, 7}, 3, 1, null, null,
                new boolean[] {true, true, false});
        assertArrayEquals(new double[] {1, 9, 9}, g.output(), 0.0);
        assertArrayEquals(new double[] {9}, g.hN(), 0.0);
        assertArrayEquals(new double[] {4.5}, g.cN(), 0.0);
    }

    @Test
    void goBackwardsReversesTheMaskWithTheInput() {
        // x = (1, 5, 2), mask (1, 0, 1), read as x = 2, 5, 1 with mask 1, 0, 1: x=2: c=4 h=8 ; masked: 8 ;
        // x=1: c = .25·4 + .5·2 = 2, h = 2
        ForwardPass<double[]> f = linearTiny(LstmConfig.of(1, 1).withGoBackwards(true)).forwardMasked(
                new double[] {1, 5, 2}, 3, 1, null, null, new boolean[] {true, false, true});
        assertArrayEquals(new double[] {8, 8, 2}, f.output(), 0.0);
    }

    @Test
    void zeroOutputForMaskOutputsZerosAtMaskedStepsAndCarriesTheState() {
        // the cases above with zero_output_for_mask: x = (1, 5, 2), mask (1, 0, 1): t1 outputs 0 instead of 1, the
        // state is carried as before (t2: c = .5·1 + 4 = 4.5, h = 9); leading masked step with h0 = 3: output 0 (as
        // before); trailing mask (1, 1, 0): outputs 1, 9, 0 and the last output 0, h_n = 9, c_n = 4.5 as before
        Lstm<double[]> lstm = linearTiny(LstmConfig.of(1, 1).withZeroOutputForMask(true));
        ForwardPass<double[]> f = lstm.forwardMasked(new double[] {1, 5, 2}, 3, 1, null, null,
                new boolean[] {true, false, true});
        assertArrayEquals(new double[] {1, 0, 9}, f.output(), 0.0);
        assertArrayEquals(new double[] {9}, f.hN(), 0.0);
        assertArrayEquals(new double[] {4.5}, f.cN(), 0.0);
        ForwardPass<double[]> g = lstm.forwardMasked(new double[] {1, 2, 7}, 3, 1, null, null,
                new boolean[] {true, true, false});
        assertArrayEquals(new double[] {1, 9, 0}, g.output(), 0.0);
        assertArrayEquals(new double[] {0}, g.lastOutput(), 0.0);
        assertArrayEquals(new double[] {9}, g.hN(), 0.0);
        assertArrayEquals(new double[] {4.5}, g.cN(), 0.0);
        // go_backwards: read as x = 2, 5, 1 with mask 1, 0, 1: 8, then 0 (not 8), then 2
        ForwardPass<double[]> b = linearTiny(LstmConfig.of(1, 1).withGoBackwards(true).withZeroOutputForMask(true))
                .forwardMasked(new double[] {1, 5, 2}, 3, 1, null, null, new boolean[] {true, false, true});
        assertArrayEquals(new double[] {8, 0, 2}, b.output(), 0.0);
        // without a mask the option changes nothing
        ForwardPass<double[]> plain = linearTiny(LstmConfig.of(1, 1)).forward(new double[] {1, 2}, 2, 1, null, null,
                null);
        ForwardPass<double[]> zero = lstm.forward(new double[] {1, 2}, 2, 1, null, null, null);
        assertArrayEquals(plain.output(), zero.output(), 0.0);
    }

    // -------------------------------------------------------------------------------------------------------------
    // Keras' own expected numbers: keras-team/keras keras/src/layers/rnn/lstm_test.py, test_masking (Keras 3,
    // commit 12ada9a35eedff1abd926690b58e1588ba1c4add). LSTM(2) on sequence = np.arange(24).reshape((2, 4, 3)) with
    // kernel_initializer=Constant(0.01), recurrent_initializer=Constant(0.02), bias_initializer=Constant(0.03) and the
    // default unit_forget_bias=True (the forget-gate bias is ones instead: Keras' LSTMCell.build concatenates
    // bias_initializer(units), ones(units), bias_initializer(2·units)), mask [[T, T, T, F], [T, T, F, F]].
    // Keras' gate order i, f, c, o is PyTorch's i, f, g, o; its single bias is b_ih here, b_hh = 0.

    private static final double[] KERAS_SEQUENCE = new double[24];
    private static final boolean[] KERAS_MASK = {true, true, true, false, true, true, false, false};

    static {
        for (int i = 0; i < 24; i++) {
            KERAS_SEQUENCE[i] = i;
        }
    }

    private static <A> Lstm<A> kerasConstantLstm(LstmConfig base, Precision<A> num, LstmKernel<A> kernel) {
        LstmConfig cfg = base.withBatchFirst(true);
        LstmLayout layout = new LstmLayout(cfg);
        double[] p = new double[layout.size()];
        for (TensorSpec spec : layout.tensors()) {
            double[] v = new double[Arrays.stream(spec.shape()).reduce(1, (a, b) -> a * b)];
            switch (spec.kind()) {
                case WEIGHT_IH -> Arrays.fill(v, 0.01);
                case WEIGHT_HH -> Arrays.fill(v, 0.02);
                case BIAS_IH -> {
                    Arrays.fill(v, 0.03);
                    Arrays.fill(v, 2, 4, 1.0);   // rows H..2H-1: the forget gate (unit_forget_bias)
                }
                case BIAS_HH -> Arrays.fill(v, 0.0);
                default -> throw new AssertionError(spec.name());
            }
            layout.pack(spec, v, Precision.F64, p);
        }
        return new Lstm<>(cfg, kernel, num.fromDoubles(p));
    }

    private static <A> void kerasMaskingCase(Precision<A> num, LstmKernel<A> kernel, double tol) {
        String k = kernel.getClass().getSimpleName();
        A x = num.fromDoubles(KERAS_SEQUENCE);
        // zero_output_for_mask=False, return_sequences=True (masked steps repeat the previous output)
        ForwardPass<A> repeat = kerasConstantLstm(LstmConfig.of(3, 2), num, kernel).forwardMasked(x, 4, 2, null, null,
                KERAS_MASK);
        Close.assertClose(k + " return_sequences", new double[] {
            0.01588910, 0.01588910, 0.05552048, 0.05552048, 0.11755939, 0.11755939, 0.11755939, 0.11755939,
            0.14185596, 0.14185596, 0.28556206, 0.28556206, 0.28556206, 0.28556206, 0.28556206, 0.28556206},
                num.toDoubles(repeat.output()), tol);
        // the unroll=True case's last output (return_sequences=False)
        Close.assertClose(k + " last output", new double[] {0.11755939, 0.11755939, 0.28556206, 0.28556206},
                num.toDoubles(repeat.lastOutput()), tol);
        // zero_output_for_mask=True, return_sequences=True: zeros at the masked steps
        ForwardPass<A> zero = kerasConstantLstm(LstmConfig.of(3, 2).withZeroOutputForMask(true), num, kernel)
                .forwardMasked(x, 4, 2, null, null, KERAS_MASK);
        Close.assertClose(k + " zero_output_for_mask", new double[] {
            0.01588910, 0.01588910, 0.05552048, 0.05552048, 0.11755939, 0.11755939, 0.0, 0.0,
            0.14185596, 0.14185596, 0.28556206, 0.28556206, 0.0, 0.0, 0.0, 0.0},
                num.toDoubles(zero.output()), tol);
        // h_n and c_n are the carried state, the same as without the option
        assertArrayEquals(num.toDoubles(repeat.hN()), num.toDoubles(zero.hN()), 0.0);
        assertArrayEquals(num.toDoubles(repeat.cN()), num.toDoubles(zero.cN()), 0.0);
        // go_backwards=True with backwards_mask [[F, T, T, T], [F, F, T, T]], return_sequences=False
        ForwardPass<A> back = kerasConstantLstm(LstmConfig.of(3, 2).withGoBackwards(true), num, kernel).forwardMasked(
                x, 4, 2, null, null, new boolean[] {false, true, true, true, false, false, true, true});
        Close.assertClose(k + " go_backwards", new double[] {0.15341201, 0.15341201, 0.3844719, 0.3844719},
                num.toDoubles(back.lastOutput()), tol);
    }

    @Test
    void kerasOwnMaskingCasesIncludingZeroOutputForMask() {
        // Keras prints 8 significant digits of a float32 computation: 2e-7 covers both
        kerasMaskingCase(Precision.F64, new DoubleLstmKernel(), 2e-7);
        kerasMaskingCase(Precision.F32, new ScalarLstmKernel(), 2e-7);
        kerasMaskingCase(Precision.F32, LstmKernels.preferred(), 2e-7);
    }

    @Test
    void maskIsPerSequenceAndBatchMajor() {
        // B = 2, T = 2, batch_first = false: input [T,B,1]; the mask is [B,T]. Sequence 0 masks t1, sequence 1 t0.
        // seq 0: x = (1, 3): 1 then repeated 1 ; seq 1: x = (3, 1): masked → 0, then x=1 from zero state → 1.
        ForwardPass<double[]> f = linearTiny(LstmConfig.of(1, 1)).forwardMasked(new double[] {1, 3, 3, 1}, 2, 2,
                null, null, new boolean[] {true, false, false, true});
        assertArrayEquals(new double[] {1, 0, 1, 1}, f.output(), 0.0);
    }

    @Test
    void allTrueMaskIsBitwiseTheUnmaskedForward() {
        Random rnd = new Random(11);
        LstmConfig cfg = LstmConfig.of(3, 7).withNumLayers(2).withBidirectional(true).withProjSize(2);
        float[] p = toFloats(RandomLstm.params(cfg, rnd));
        float[] x = toFloats(RandomLstm.values(5 * 2 * 3, 2, rnd));
        boolean[] all = new boolean[10];
        Arrays.fill(all, true);
        Lstm<float[]> lstm = Lstm.f32(cfg, p);
        ForwardPass<float[]> a = lstm.forward(x, 5, 2, null, null, null);
        ForwardPass<float[]> b = lstm.forwardMasked(x, 5, 2, null, null, all);
        assertArrayEquals(a.output(), b.output());
        assertArrayEquals(a.hN(), b.hN());
        assertArrayEquals(a.cN(), b.cN());
    }

    @Test
    void invalidCombinationsAreRefused() {
        Lstm<double[]> back = linearTiny(LstmConfig.of(1, 1).withGoBackwards(true));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> back.forward(new double[] {1, 2, 3, 4}, 2, 2, null, null, new int[] {2, 1}));
        assertTrue(e.getMessage().contains("go_backwards") && e.getMessage().contains("lengths"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> back.stepper());
        assertTrue(e2.getMessage().contains("go_backwards=true"), e2.getMessage());
        Lstm<double[]> fwd = linearTiny(LstmConfig.of(1, 1));
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class,
                () -> fwd.forwardMasked(new double[] {1, 2}, 2, 1, null, null, new boolean[] {true}));
        assertTrue(e3.getMessage().contains("mask has 1 entries"), e3.getMessage());
        IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class,
                () -> new ForwardPass<>(fwd, new double[] {1, 2}, 2, 1, null, null, new int[] {2},
                        new boolean[] {true, true}, null));
        assertTrue(e4.getMessage().contains("mask") && e4.getMessage().contains("lengths"), e4.getMessage());
    }

    // -------------------------------------------------------------------------------------------------------------
    // Random models against a naive reference

    @Test
    void everyActivationPairMatchesNaiveReferenceOnEveryKernel() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (Activation gate : Activation.values()) {
            for (Activation act : Activation.values()) {
                for (int rep = 0; rep < 2; rep++) {
                    LstmConfig cfg = RandomLstm.config(rnd, true).withRecurrentActivation(gate).withActivation(act);
                    if (!cfg.bidirectional() && rnd.nextBoolean()) {
                        cfg = cfg.withGoBackwards(true);
                    }
                    cfg = cfg.withZeroOutputForMask(rnd.nextBoolean());
                    int t = 1 + rnd.nextInt(6);
                    int b = 1 + rnd.nextInt(3);
                    boolean[] mask = null;
                    if (rnd.nextBoolean()) {
                        mask = new boolean[b * t];
                        for (int i = 0; i < mask.length; i++) {
                            mask[i] = rnd.nextInt(3) > 0;
                        }
                    }
                    double[] params = tame(cfg, RandomLstm.params(cfg, rnd));
                    double[] x = RandomLstm.values(t * b * cfg.inputSize(), unbounded(cfg) ? 1 : 2, rnd);
                    String what = "seed " + seed + " " + cfg + " T=" + t + " B=" + b + " mask="
                            + Arrays.toString(mask);
                    Reference ref = new Reference(cfg, params, x, t, b, mask);
                    check(cfg, Precision.F64, new DoubleLstmKernel(), params, x, t, b, mask, ref, 1e-12, what);
                    check(cfg, Precision.F32, new ScalarLstmKernel(), params, x, t, b, mask, ref, 2e-5, what);
                    check(cfg, Precision.F32, LstmKernels.preferred(), params, x, t, b, mask, ref, 2e-5, what);
                }
            }
        }
    }

    private static <A> void check(LstmConfig cfg, Precision<A> num, LstmKernel<A> k, double[] params, double[] x,
                                  int t, int b, boolean[] mask, Reference ref, double tol, String what) {
        Lstm<A> lstm = new Lstm<>(cfg, k, num.fromDoubles(params));
        ForwardPass<A> f = lstm.forwardMasked(num.fromDoubles(x), t, b, null, null, mask);
        String w = what + " " + k.name();
        Close.assertClose(w + " output", ref.output, num.toDoubles(f.output()), tol);
        Close.assertClose(w + " h_n", ref.hN, num.toDoubles(f.hN()), tol);
        Close.assertClose(w + " c_n", ref.cN, num.toDoubles(f.cN()), tol);
        Close.assertClose(w + " last output", ref.last, num.toDoubles(f.lastOutput()), tol);
    }

    /**
     * Keras' LSTM stack written out plainly, from PyTorch-named tensors: each layer (and the backward layer of a
     * Bidirectional) a loop over steps; go_backwards reverses the layer's input and mask and keeps the outputs in
     * processing order; a Bidirectional's backward layer runs go_backwards and its outputs are reversed back; a masked
     * step keeps (h, c) and repeats the previous output, zeros before the first step (zeros always with
     * zero_output_for_mask).
     */
    static final class Reference {
        final double[] output;   // [T,B,D·Hout] or [B,T,·] when batch-first
        final double[] hN;
        final double[] cN;
        final double[] last;     // [B, D·Hout]

        Reference(LstmConfig cfg, double[] params, double[] input, int seqLen, int batch, boolean[] mask) {
            int dirs = cfg.numDirections();
            int hOut = cfg.outputSize();
            int hid = cfg.hiddenSize();
            int layers = cfg.numLayers();
            LstmLayout layout = new LstmLayout(cfg);
            hN = new double[layers * dirs * batch * hOut];
            cN = new double[layers * dirs * batch * hid];
            last = new double[batch * dirs * hOut];
            double[][][] out = null;   // [B][T][D·Hout]
            double[][][] seq = new double[batch][seqLen][];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < seqLen; t++) {
                    int row = cfg.batchFirst() ? b * seqLen + t : t * batch + b;
                    seq[b][t] = Arrays.copyOfRange(input, row * cfg.inputSize(), (row + 1) * cfg.inputSize());
                }
            }
            for (int l = 0; l < layers; l++) {
                out = new double[batch][seqLen][dirs * hOut];
                for (int d = 0; d < dirs; d++) {
                    double[][] t4 = tensors(layout, params, l, d);
                    for (int b = 0; b < batch; b++) {
                        boolean reverse = d == 1 || cfg.goBackwards();
                        double[][] xs = new double[seqLen][];
                        boolean[] ms = new boolean[seqLen];
                        for (int s = 0; s < seqLen; s++) {
                            int t = reverse ? seqLen - 1 - s : s;
                            xs[s] = seq[b][t];
                            ms[s] = mask == null || mask[b * seqLen + t];
                        }
                        double[] h = new double[hOut];
                        double[] c = new double[hid];
                        double[] prevOut = new double[hOut];
                        double[][] ys = new double[seqLen][];
                        for (int s = 0; s < seqLen; s++) {
                            if (ms[s]) {
                                double[][] hc = cellStep(cfg, t4, xs[s], h, c);
                                h = hc[0];
                                c = hc[1];
                                prevOut = h;
                            }
                            ys[s] = ms[s] || !cfg.zeroOutputForMask() ? prevOut : new double[hOut];
                        }
                        for (int s = 0; s < seqLen; s++) {
                            // a Bidirectional's backward layer is reversed back; go_backwards keeps processing order
                            int t = d == 1 ? seqLen - 1 - s : s;
                            System.arraycopy(ys[s], 0, out[b][t], d * hOut, hOut);
                        }
                        int sr = (l * dirs + d) * batch + b;
                        System.arraycopy(h, 0, hN, sr * hOut, hOut);
                        System.arraycopy(c, 0, cN, sr * hid, hid);
                        if (l == layers - 1) {
                            System.arraycopy(ys[seqLen - 1], 0, last, (b * dirs + d) * hOut, hOut);
                        }
                    }
                }
                seq = out;
            }
            output = new double[seqLen * batch * dirs * hOut];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < seqLen; t++) {
                    int row = cfg.batchFirst() ? b * seqLen + t : t * batch + b;
                    System.arraycopy(out[b][t], 0, output, row * dirs * hOut, dirs * hOut);
                }
            }
        }

        /** weight_ih [4H·I], weight_hh [4H·Hout], bias_ih, bias_hh [4H] (zeros without bias), weight_hr [P·H]. */
        private static double[][] tensors(LstmLayout layout, double[] params, int l, int d) {
            LstmConfig cfg = layout.config();
            int h4 = 4 * cfg.hiddenSize();
            double[][] t = {null, null, new double[h4], new double[h4], null};
            String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
            for (TensorSpec spec : layout.tensors()) {
                if (!spec.name().endsWith(suffix)) {
                    continue;
                }
                t[spec.kind().ordinal()] = layout.unpack(spec, Precision.F64, params);
            }
            return t;
        }

        private static double[][] cellStep(LstmConfig cfg, double[][] t, double[] x, double[] h, double[] c) {
            int hid = cfg.hiddenSize();
            int in = x.length;
            int hOut = h.length;
            DoubleUnaryOperator gate = fn(cfg.recurrentActivation());
            DoubleUnaryOperator act = fn(cfg.activation());
            double[] z = new double[4 * hid];
            for (int r = 0; r < 4 * hid; r++) {
                double s = t[2][r] + t[3][r];
                for (int j = 0; j < in; j++) {
                    s += t[0][r * in + j] * x[j];
                }
                for (int j = 0; j < hOut; j++) {
                    s += t[1][r * hOut + j] * h[j];
                }
                z[r] = s;
            }
            double[] cNew = new double[hid];
            double[] m = new double[hid];
            for (int k = 0; k < hid; k++) {
                double i = gate.applyAsDouble(z[k]);
                double f = gate.applyAsDouble(z[hid + k]);
                double g = act.applyAsDouble(z[2 * hid + k]);
                double o = gate.applyAsDouble(z[3 * hid + k]);
                cNew[k] = f * c[k] + i * g;
                m[k] = o * act.applyAsDouble(cNew[k]);
            }
            if (cfg.projSize() == 0) {
                return new double[][] {m, cNew};
            }
            double[] hNew = new double[cfg.projSize()];
            for (int q = 0; q < hNew.length; q++) {
                for (int k = 0; k < hid; k++) {
                    hNew[q] += t[4][q * hid + k] * m[k];
                }
            }
            return new double[][] {hNew, cNew};
        }
    }

    /** Whether the cell uses relu or linear, with which c (a product of gates) can grow without bound. */
    static boolean unbounded(LstmConfig cfg) {
        return cfg.activation() == Activation.RELU || cfg.activation() == Activation.LINEAR
                || cfg.recurrentActivation() == Activation.RELU || cfg.recurrentActivation() == Activation.LINEAR;
    }

    /**
     * Halves PyTorch's default weight range when {@link #unbounded}: with linear gates c_t = f·c + i·g is a polynomial
     * in the inputs whose degree doubles every step and layer, so at the default range a 3-layer stack reaches 1e39
     * (float32 overflow) in three steps; at half the range the pre-activations stay below 1 and the values shrink.
     * Float-representable, as {@link RandomLstm#params} is.
     */
    static double[] tame(LstmConfig cfg, double[] params) {
        if (!unbounded(cfg)) {
            return params;
        }
        double[] p = params.clone();
        for (int i = 0; i < p.length; i++) {
            p[i] *= 0.5;
        }
        return p;
    }

    /** The activations from their definitions, independent of {@link Activation}'s own code. */
    static DoubleUnaryOperator fn(Activation a) {
        return switch (a) {
            case TANH -> Math::tanh;
            case SIGMOID -> v -> 1 / (1 + Math.exp(-v));
            case HARD_SIGMOID -> v -> Math.min(6, Math.max(0, v + 3)) / 6;   // relu6(x + 3) / 6
            case RELU -> v -> Math.max(0, v);
            case LINEAR -> v -> v;
        };
    }

    static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
