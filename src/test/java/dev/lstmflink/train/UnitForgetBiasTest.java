package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.model.SequenceModel;
import org.junit.jupiter.api.Test;

/**
 * Keras' {@code unit_forget_bias} as an initializer option: forget-gate bias 1 (rows [H, 2H) of PyTorch's i, f, g, o
 * order, in {@code b_ih}), every other bias 0, weights untouched; and the Keras activations reach the trainer's model.
 */
class UnitForgetBiasTest {

    private static final LstmConfig CFG = LstmConfig.of(3, 4).withNumLayers(2);

    @Test
    void unitForgetBiasSetsForgetGateToOneAndZeroesTheRest() {
        for (Initializers.Scheme scheme : Initializers.Scheme.values()) {
            float[] p = Initializers.lstm(CFG, scheme, true, new SplitMix64(5), Precision.F32);
            LstmLayout layout = new LstmLayout(CFG);
            int biases = 0;
            for (TensorSpec spec : layout.tensors()) {
                double[] v = layout.unpack(spec, Precision.F32, p);
                switch (spec.kind()) {
                    case BIAS_IH -> {
                        biases++;
                        for (int i = 0; i < 16; i++) {
                            assertEquals(i >= 4 && i < 8 ? 1.0 : 0.0, v[i], 0.0, scheme + " " + spec.name() + i);
                        }
                    }
                    case BIAS_HH -> {
                        biases++;
                        assertArrayEquals(new double[16], v, 0.0, scheme + " " + spec.name());
                    }
                    default -> { }
                }
            }
            assertEquals(4, biases);
        }
    }

    @Test
    void theOptionChangesOnlyTheBiases() {
        LstmLayout layout = new LstmLayout(CFG);
        float[] plain = Initializers.lstm(CFG, Initializers.Scheme.PYTORCH, false, new SplitMix64(9), Precision.F32);
        float[] ufb = Initializers.lstm(CFG, Initializers.Scheme.PYTORCH, true, new SplitMix64(9), Precision.F32);
        boolean biasDiffers = false;
        for (TensorSpec spec : layout.tensors()) {
            double[] a = layout.unpack(spec, Precision.F32, plain);
            double[] b = layout.unpack(spec, Precision.F32, ufb);
            if (spec.kind() == LstmLayout.Kind.BIAS_IH || spec.kind() == LstmLayout.Kind.BIAS_HH) {
                biasDiffers |= !java.util.Arrays.equals(a, b);
            } else {
                assertArrayEquals(a, b, 0.0, spec.name());
            }
        }
        assertTrue(biasDiffers, "PyTorch's uniform biases must be replaced");
    }

    @Test
    void kerasSchemeWithoutUnitForgetBiasHasZeroBiases() {
        float[] p = Initializers.lstm(CFG, Initializers.Scheme.KERAS, false, new SplitMix64(5), Precision.F32);
        LstmLayout layout = new LstmLayout(CFG);
        for (TensorSpec spec : layout.tensors()) {
            if (spec.kind() == LstmLayout.Kind.BIAS_IH || spec.kind() == LstmLayout.Kind.BIAS_HH) {
                assertArrayEquals(new double[16], layout.unpack(spec, Precision.F32, p), 0.0, spec.name());
            }
        }
        // the three-argument form keeps each scheme's default: Keras true, PyTorch false
        assertArrayEquals(Initializers.lstm(CFG, Initializers.Scheme.KERAS, true, new SplitMix64(5), Precision.F32),
                Initializers.lstm(CFG, Initializers.Scheme.KERAS, new SplitMix64(5), Precision.F32));
        assertArrayEquals(Initializers.lstm(CFG, Initializers.Scheme.PYTORCH, false, new SplitMix64(5),
                Precision.F32), Initializers.lstm(CFG, Initializers.Scheme.PYTORCH, new SplitMix64(5), Precision.F32));
    }

    @Test
    void trainOptionsCarryTheOptionToTheTrainersModel() {
        TrainOptions o = TrainOptions.defaults();
        assertFalse(o.unitForgetBias(), "PyTorch scheme default");
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 4, 1, true);
        SequenceModel<float[]> m = Trainer.newModel(CFG.withActivation(Activation.HARD_SIGMOID), head,
                o.withUnitForgetBias(true));
        LstmLayout layout = m.lstm().layout();
        double[] bih = layout.unpack(layout.tensors().get(2), Precision.F32, m.lstm().params());
        assertEquals("bias_ih_l0", layout.tensors().get(2).name());
        assertEquals(1.0, bih[5], 0.0);
        assertEquals(0.0, bih[0], 0.0);
        assertEquals(Activation.HARD_SIGMOID, m.lstm().config().activation());
        assertTrue(o.withUnitForgetBias(true).withEpochs(3).withSeed(1).unitForgetBias(), "withers keep it");
    }
}
