package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.GradientClipping;
import dev.lstmflink.train.optim.LrSchedule;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The trainer's parts: gradients of LSTM + head + loss, clipping, schedules, Keras initialisers. */
class TrainComponentsTest {

    /** Central differences of the loss against the analytic gradient of every parameter array (float64). */
    @ParameterizedTest
    @EnumSource(HeadSpec.Kind.class)
    void lossGradientsMatchFiniteDifferences(HeadSpec.Kind kind) {
        Random rnd = new Random(5);
        LstmConfig cfg = LstmConfig.of(3, 5).withNumLayers(2).withProjSize(2);
        int k = 3;
        HeadSpec head = new HeadSpec(kind, 2, k, true);
        double[] lstm = RandomLstm.params(cfg, rnd);
        double[] w = RandomLstm.values(k * 2, 0.5, rnd);
        double[] b = RandomLstm.values(k, 0.1, rnd);
        int t = 4;
        int batch = 2;
        double[] x = RandomLstm.values(t * batch * 3, 1, rnd);
        double[] y = kind == HeadSpec.Kind.REGRESSION ? RandomLstm.values(t * batch * k, 1, rnd)
                : rnd.ints(t * batch, 0, k).asDoubleStream().toArray();
        SequenceModel<double[]> m = new SequenceModel<>(cfg, new DoubleLstmKernel(), head, lstm, w, b);
        List<double[]> grads = m.lossAndGradients(x, y, t, batch).gradients();
        List<double[]> params = m.parameters();
        double eps = 1e-6;
        for (int a = 0; a < params.size(); a++) {
            double[] p = params.get(a);
            double[] fd = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                double keep = p[i];
                p[i] = keep + eps;
                double up = m.lossAndGradients(x, y, t, batch).loss();
                p[i] = keep - eps;
                double down = m.lossAndGradients(x, y, t, batch).loss();
                p[i] = keep;
                fd[i] = (up - down) / (2 * eps);
            }
            Close.assertClose(kind + " parameter array " + a, fd, grads.get(a), 1e-7);
        }
    }

    @Test
    void clippingScalesToTheMaxNormAsTorchDoes() {
        double[] g1 = {3, 0};
        double[] g2 = {0, 4};
        double norm = GradientClipping.clip(Precision.F64, List.of(g1, g2), 1.0);
        assertEquals(5.0, norm, 1e-12);
        double coef = 1.0 / (5.0 + 1e-6);
        assertEquals(3 * coef, g1[0], 1e-15);
        assertEquals(4 * coef, g2[1], 1e-15);
        double[] small = {0.1};
        GradientClipping.clip(Precision.F64, List.of(small), 1.0);
        assertEquals(0.1, small[0], 0.0, "below the max norm nothing changes");
    }

    @Test
    void schedulesFollowPyTorchsFormulas() {
        assertEquals(0.01, LrSchedule.constant(0.01).lr(7), 0.0);
        LrSchedule step = LrSchedule.step(0.1, 3, 0.5);
        assertEquals(0.1, step.lr(2), 1e-15);
        assertEquals(0.05, step.lr(3), 1e-15);
        assertEquals(0.025, step.lr(6), 1e-15);
        LrSchedule cos = LrSchedule.cosine(0.1, 10, 0.0);
        assertEquals(0.1, cos.lr(0), 1e-15);
        assertEquals(0.05, cos.lr(5), 1e-12);
        assertEquals(0.0, cos.lr(10), 1e-15);
    }

    @Test
    void kerasRecurrentKernelIsOrthogonalAndForgetBiasIsOne() {
        LstmConfig cfg = LstmConfig.of(4, 6);
        float[] p = Initializers.lstm(cfg, Initializers.Scheme.KERAS, new SplitMix64(3), Precision.F32);
        LstmLayout layout = new LstmLayout(cfg);
        for (TensorSpec spec : layout.tensors()) {
            double[] v = layout.unpack(spec, Precision.F32, p);
            switch (spec.kind()) {
                case WEIGHT_HH -> {
                    // [4H, H] with orthonormal columns: W^T W = I
                    int rows = 24;
                    int cols = 6;
                    for (int a = 0; a < cols; a++) {
                        for (int c = 0; c < cols; c++) {
                            double d = 0;
                            for (int r = 0; r < rows; r++) {
                                d += v[r * cols + a] * v[r * cols + c];
                            }
                            assertEquals(a == c ? 1.0 : 0.0, d, 1e-5, "column " + a + " . column " + c);
                        }
                    }
                }
                case BIAS_IH -> {
                    for (int i = 0; i < 24; i++) {
                        assertEquals(i >= 6 && i < 12 ? 1.0 : 0.0, v[i], 0.0, "b_ih[" + i + "]");
                    }
                }
                case BIAS_HH -> {
                    for (double d : v) {
                        assertEquals(0.0, d, 0.0);
                    }
                }
                case WEIGHT_IH -> {
                    double limit = Math.sqrt(6.0 / (4 + 24));
                    for (double d : v) {
                        assertEquals(0.0, d, limit, "glorot_uniform bound");
                    }
                }
                default -> { }
            }
        }
    }
}
