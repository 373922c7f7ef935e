package dev.lstmflink.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lstmflink.core.model.Activation;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The pointwise cell and its backward with Keras' activations, on every kernel: the float kernels (scalar, and the
 * vector kernel, which runs the scalar loop for these) agree with the double kernel, at hidden sizes on and off the
 * lane count; and the σ/tanh pair through the activation overloads is bit for bit the fast path.
 */
class KerasActivationKernelTest {

    private final LstmKernel<double[]> dbl = new DoubleLstmKernel();
    private final LstmKernel<float[]> scalar = new ScalarLstmKernel();
    private final LstmKernel<float[]> vector = LstmKernels.vector().orElseThrow(() -> new AssertionError(
            "the test JVM must have --add-modules=jdk.incubator.vector (see the surefire argLine in pom.xml)"));

    @Test
    void floatKernelsMatchDoubleKernelForEveryActivationPair() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (Activation gate : Activation.values()) {
            for (Activation act : Activation.values()) {
                for (int hidden : new int[] {1, 7, 16, 33}) {
                    String what = "seed " + seed + " gate " + gate + " act " + act + " H=" + hidden;
                    double[] z = RandomLstm.values(4 * hidden, 5, rnd);   // beyond ±3, so hard_sigmoid clips
                    double[] cPrev = RandomLstm.values(hidden, 2, rnd);
                    double[] dm = RandomLstm.values(hidden, 1, rnd);
                    double[] dcNext = RandomLstm.values(hidden, 1, rnd);
                    double[][] want = run(dbl, gate, act, z, cPrev, dm, dcNext);
                    for (LstmKernel<float[]> k : java.util.List.of(scalar, vector)) {
                        double[][] got = runF(k, gate, act, z, cPrev, dm, dcNext);
                        String[] names = {"gates", "c", "act(c)", "m", "dc_prev", "dz"};
                        for (int i = 0; i < names.length; i++) {
                            Close.assertClose(what + " " + k.name() + " " + names[i], want[i], got[i], 1e-5);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sigmoidTanhThroughTheOverloadIsTheFastPathBitForBit() {
        Random rnd = new Random(3);
        for (LstmKernel<float[]> k : java.util.List.of(scalar, vector)) {
            for (int hidden : new int[] {5, 16, 37}) {
                double[] z = RandomLstm.values(4 * hidden, 5, rnd);
                double[] cPrev = RandomLstm.values(hidden, 2, rnd);
                double[] dm = RandomLstm.values(hidden, 1, rnd);
                double[] dc = RandomLstm.values(hidden, 1, rnd);
                double[][] a = runF(k, Activation.SIGMOID, Activation.TANH, z, cPrev, dm, dc);
                double[][] b = runF(k, null, null, z, cPrev, dm, dc);
                for (int i = 0; i < a.length; i++) {
                    assertArrayEquals(b[i], a[i], k.name() + " H=" + hidden + " output " + i);
                }
            }
        }
    }

    /** cell then cellBackward: activated gates, c, act(c), m, ∂L/∂c_{t-1}, ∂L/∂z. */
    private static double[][] run(LstmKernel<double[]> k, Activation gate, Activation act, double[] z0,
                                  double[] cPrev, double[] dm, double[] dcNext) {
        int h = cPrev.length;
        double[] z = z0.clone();
        double[] c = new double[h];
        double[] ac = new double[h];
        double[] m = new double[h];
        k.cell(gate, act, h, z, 0, cPrev, 0, c, 0, ac, 0, m, 0);
        double[] dc = dcNext.clone();
        double[] dz = new double[4 * h];
        k.cellBackward(gate, act, h, z, 0, cPrev, 0, ac, 0, dm, 0, dc, 0, dz, 0);
        return new double[][] {z, c, ac, m, dc, dz};
    }

    /** As {@link #run} in float32; null activations call the plain σ/tanh methods. */
    private static double[][] runF(LstmKernel<float[]> k, Activation gate, Activation act, double[] z0,
                                   double[] cPrev0, double[] dm0, double[] dcNext) {
        int h = cPrev0.length;
        float[] z = f(z0);
        float[] cPrev = f(cPrev0);
        float[] dm = f(dm0);
        float[] c = new float[h];
        float[] ac = new float[h];
        float[] m = new float[h];
        float[] dc = f(dcNext);
        float[] dz = new float[4 * h];
        if (gate == null) {
            k.cell(h, z, 0, cPrev, 0, c, 0, ac, 0, m, 0);
            k.cellBackward(h, z, 0, cPrev, 0, ac, 0, dm, 0, dc, 0, dz, 0);
        } else {
            k.cell(gate, act, h, z, 0, cPrev, 0, c, 0, ac, 0, m, 0);
            k.cellBackward(gate, act, h, z, 0, cPrev, 0, ac, 0, dm, 0, dc, 0, dz, 0);
        }
        return new double[][] {Close.toDoubles(z), Close.toDoubles(c), Close.toDoubles(ac), Close.toDoubles(m),
            Close.toDoubles(dc), Close.toDoubles(dz)};
    }

    private static float[] f(double[] d) {
        float[] r = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (float) d[i];
        }
        return r;
    }
}
