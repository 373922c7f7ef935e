package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import dev.lstmflink.train.optim.Constraint;
import dev.lstmflink.train.optim.Penalties;
import org.junit.jupiter.api.Test;

/**
 * Keras' weight constraints ({@link Constraint}) by hand, per axis, on Keras' layout; the mapping of Keras' axes onto
 * PyTorch's transposed matrices and the bias sum ({@link Penalties#constrain}); and a short training run whose
 * constrained weights stay within their constraints after every step.
 */
class TrainConstraintsTest {

    static final double E = Constraint.EPSILON;

    /** Keras [2, 3]: axis 0 takes each column's norm, axis 1 each row's, [0, 1] the whole matrix's. */
    @Test
    void maxNormPerAxisByHand() {
        double[] w = {3, 0, 1, 4, 0.5, 0};   // [[3, 0, 1], [4, 0.5, 0]]: column norms 5, 0.5, 1
        new Constraint.MaxNorm(2, 0).apply(w, new int[] {2, 3});
        double[] expected = {3 * 2 / (E + 5), 0, 1 * 1 / (E + 1), 4 * 2 / (E + 5), 0.5 * 0.5 / (E + 0.5), 0};
        assertArrayClose(expected, w);

        double[] r = {3, 0, 4, 0, 0.5, 0};   // row norms 5 and 0.5
        new Constraint.MaxNorm(2, 1).apply(r, new int[] {2, 3});
        assertArrayClose(new double[] {3 * 2 / (E + 5), 0, 4 * 2 / (E + 5), 0, 0.5 * 0.5 / (E + 0.5), 0}, r);

        double[] neg = {3, 0, 4, 0, 0.5, 0};   // axis -1 is axis 1 of a matrix
        new Constraint.MaxNorm(2, -1).apply(neg, new int[] {2, 3});
        assertArrayClose(r, neg);

        double[] all = {1, 2, 2, 0, 0, 4};   // norm 5
        new Constraint.MaxNorm(1, new int[] {0, 1}).apply(all, new int[] {2, 3});
        assertArrayClose(new double[] {1 / (E + 5), 2 / (E + 5), 2 / (E + 5), 0, 0, 4 / (E + 5)}, all);

        double[] zero = {0, 0};   // a zero column stays zero: 0 · 0 / (ε + 0)
        new Constraint.MaxNorm(2, 0).apply(zero, new int[] {2, 1});
        assertArrayClose(new double[] {0, 0}, zero);
    }

    @Test
    void unitNormAndNonNegByHand() {
        double[] w = {3, 0, 4, 2};   // [[3, 0], [4, 2]]: column norms 5, 2
        new Constraint.UnitNorm(0).apply(w, new int[] {2, 2});
        assertArrayClose(new double[] {3 / (E + 5), 0, 4 / (E + 5), 2 / (E + 2)}, w);
        double[] v = {3, 4};
        new Constraint.UnitNorm(0).apply(v, new int[] {2});
        assertArrayClose(new double[] {3 / (E + 5), 4 / (E + 5)}, v);
        double[] n = {-1, 0, 2.5, -0.0};
        new Constraint.NonNeg().apply(n, new int[] {4});
        assertArrayClose(new double[] {0, 0, 2.5, 0}, n);
    }

    /**
     * PyTorch's weight_ih [4H, I] is Keras' kernel [I, 4H] transposed: Keras axis 0 normalises each PyTorch row,
     * axis 1 each PyTorch column. H = 1, I = 2.
     */
    @Test
    void kerasAxisZeroIsAPyTorchRow() {
        LstmConfig cfg = LstmConfig.of(2, 1);
        LstmLayout layout = new LstmLayout(cfg);
        TensorSpec wih = layout.tensors().get(0);
        double[] torch = {3, 4, 0, 2, 1, 0, 6, 8};   // rows [3,4] [0,2] [1,0] [6,8]
        double[] p = new double[layout.size()];
        layout.pack(wih, torch, Precision.F64, p);
        Penalties.NONE.withKernelConstraint(new Constraint.UnitNorm(0)).constrain(layout, Precision.F64, p);
        assertArrayClose(new double[] {3 / (E + 5), 4 / (E + 5), 0, 2 / (E + 2), 1 / (E + 1), 0, 6 / (E + 10),
                8 / (E + 10)}, layout.unpack(wih, Precision.F64, p));

        layout.pack(wih, torch, Precision.F64, p);
        Penalties.NONE.withKernelConstraint(new Constraint.UnitNorm(1)).constrain(layout, Precision.F64, p);
        double c0 = Math.sqrt(9 + 0 + 1 + 36);    // column 0: [3, 0, 1, 6]
        double c1 = Math.sqrt(16 + 4 + 0 + 64);   // column 1: [4, 2, 0, 8]
        assertArrayClose(new double[] {3 / (E + c0), 4 / (E + c1), 0, 2 / (E + c1), 1 / (E + c0), 0, 6 / (E + c0),
                8 / (E + c1)}, layout.unpack(wih, Precision.F64, p));
    }

    /** weight_hh [4H, H] is Keras' recurrent kernel [H, 4H] transposed, the same way. H = 2, max_norm axis 0. */
    @Test
    void recurrentKernelAxisZeroIsAPyTorchRow() {
        LstmConfig cfg = LstmConfig.of(1, 2);
        LstmLayout layout = new LstmLayout(cfg);
        TensorSpec whh = layout.tensors().get(1);
        double[] torch = new double[16];
        torch[0] = 3;
        torch[1] = 4;    // row 0: norm 5
        torch[2] = 0.3;  // row 1: norm 0.3
        double[] p = new double[layout.size()];
        layout.pack(whh, torch, Precision.F64, p);
        Penalties.NONE.withRecurrentConstraint(new Constraint.MaxNorm(1, 0)).constrain(layout, Precision.F64, p);
        double[] got = layout.unpack(whh, Precision.F64, p);
        assertEquals(3 / (E + 5), got[0], 1e-15);
        assertEquals(4 / (E + 5), got[1], 1e-15);
        assertEquals(0.3 * 0.3 / (E + 0.3), got[2], 1e-15);
        assertEquals(0.0, got[3], 0.0);
    }

    /** The bias constraint acts on b_ih + b_hh and stores b_ih = c(b) − b_hh. */
    @Test
    void biasConstraintActsOnTheSum() {
        LstmConfig cfg = LstmConfig.of(1, 1);
        LstmLayout layout = new LstmLayout(cfg);
        double[] p = new double[layout.size()];
        layout.pack(layout.tensors().get(2), new double[] {1, -2, 0.5, 0}, Precision.F64, p);
        layout.pack(layout.tensors().get(3), new double[] {0.5, 1, -1, -0.5}, Precision.F64, p);
        Penalties.NONE.withBiasConstraint(new Constraint.NonNeg()).constrain(layout, Precision.F64, p);
        // sum [1.5, -1, -0.5, -0.5] -> [1.5, 0, 0, 0]
        assertArrayClose(new double[] {1, -1, 1, 0.5}, layout.unpack(layout.tensors().get(2), Precision.F64, p));
        assertArrayClose(new double[] {0.5, 1, -1, -0.5}, layout.unpack(layout.tensors().get(3), Precision.F64, p));
    }

    @Test
    void axesThatDoNotExistAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Penalties.NONE.withBiasConstraint(new Constraint.UnitNorm(1)));
        assertThrows(IllegalArgumentException.class,
                () -> Penalties.NONE.withKernelConstraint(new Constraint.MaxNorm(2, 2)));
        assertThrows(IllegalArgumentException.class, () -> new Constraint.MaxNorm(0, 0));
        LstmLayout noBias = new LstmLayout(LstmConfig.of(1, 2).withBias(false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Penalties.NONE.withBiasConstraint(new Constraint.NonNeg()).checkFits(noBias));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
    }

    /**
     * A short run, one batch at a time through {@link EpochRunner}: after every Adam step every kernel row has norm
     * ≤ 0.4, every recurrent-kernel row (Keras axis 0) norm 1 and every b_ih + b_hh is ≥ 0 (up to float rounding).
     */
    @Test
    void constrainedWeightsStayWithinAfterEveryStep() {
        WindowSet ws = WindowSet.build(TrainerTest.noisySine(300, 8), 12, 4, 0.25);
        LstmConfig cfg = LstmConfig.of(1, 4).withNumLayers(2);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 4, 1, true);
        Penalties pen = Penalties.NONE.withKernelConstraint(new Constraint.MaxNorm(0.4, 0))
                .withRecurrentConstraint(new Constraint.UnitNorm(0)).withBiasConstraint(new Constraint.NonNeg());
        TrainOptions o = TrainOptions.defaults().withEpochs(1).withBatchSize(4)
                .withSchedule(dev.lstmflink.train.optim.LrSchedule.constant(0.05)).withPenalties(pen);
        SequenceModel<float[]> m = Trainer.newModel(cfg, head, o);
        Adam<float[]> adam = new Adam<>(Precision.F32, o.beta1(), o.beta2(), o.eps(), o.weightDecay());
        TrainingWindows data = TrainingWindows.of(ws);
        int[] order = Trainer.epochOrder(Trainer.shuffleStream(o), data.trainCount());
        LstmLayout layout = new LstmLayout(cfg);
        int steps = 0;
        for (int i = 0; i < order.length; i += o.batchSize()) {
            EpochRunner.train(m, adam, data, order, i, Math.min(order.length, i + o.batchSize()), o, 0.05, null);
            steps++;
            float[] p = m.lstm().params();
            for (TensorSpec spec : layout.tensors()) {
                double[] v = layout.unpack(spec, Precision.F32, p);
                switch (spec.kind()) {
                    case WEIGHT_IH, WEIGHT_HH -> {
                        int cols = spec.shape()[1];
                        for (int r = 0; r < spec.shape()[0]; r++) {
                            double sq = 0;
                            for (int j = 0; j < cols; j++) {
                                sq += v[r * cols + j] * v[r * cols + j];
                            }
                            double n = Math.sqrt(sq);
                            if (spec.kind() == LstmLayout.Kind.WEIGHT_IH) {
                                assertTrue(n <= 0.4 + 1e-6, "step " + steps + " " + spec.name() + " row " + r + ": " + n);
                            } else {
                                assertEquals(1.0, n, 1e-5, "step " + steps + " " + spec.name() + " row " + r);
                            }
                        }
                    }
                    case BIAS_IH -> {
                        double[] hh = layout.unpack(layout.tensors().get(layout.tensors().indexOf(spec) + 1),
                                Precision.F32, p);
                        for (int k = 0; k < v.length; k++) {
                            assertTrue(v[k] + hh[k] >= -1e-7, "step " + steps + " bias " + k + ": " + (v[k] + hh[k]));
                        }
                    }
                    default -> { }
                }
            }
        }
        assertTrue(steps >= 10, "steps " + steps);
    }

    private static void assertArrayClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-15 * (1 + Math.abs(expected[i])), "element " + i);
        }
    }
}
