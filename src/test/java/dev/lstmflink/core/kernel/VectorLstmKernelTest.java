package dev.lstmflink.core.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property test: the vector kernel computes what the scalar reference computes, at random sizes, most of which are
 * not a multiple of the lane count (so the scalar tails run), with inputs large enough to saturate the gates.
 */
class VectorLstmKernelTest {

    private static final int CASES = 300;

    private final LstmKernel<float[]> scalar = new ScalarLstmKernel();
    private final LstmKernel<float[]> vector = LstmKernels.vector().orElseThrow(() -> new AssertionError(
            "the test JVM must have --add-modules=jdk.incubator.vector (see the surefire argLine in pom.xml)"));

    @Test
    void vectorKernelMatchesScalarKernelAtRandomSizes() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        int offLane = 0;
        for (int n = 0; n < CASES; n++) {
            int in = 1 + rnd.nextInt(70);
            int hidden = 1 + rnd.nextInt(70);
            int proj = rnd.nextInt(3) == 0 && hidden > 1 ? 1 + rnd.nextInt(hidden - 1) : 0;
            LstmConfig cfg = LstmConfig.of(in, hidden).withBias(rnd.nextBoolean()).withProjSize(proj);
            if (hidden % 16 != 0 || proj % 16 != 0) {
                offLane++;
            }
            String what = "seed " + seed + ", case " + n + ", " + cfg;
            compareOneStep(cfg, rnd, what);
        }
        assertTrue(offLane > CASES / 2, "most sizes must leave a tail");
    }

    @Test
    void exactLaneMultiplesAndSingleUnits() {
        Random rnd = new Random(7);
        for (int hidden : new int[] {1, 15, 16, 17, 32, 64, 65, 128, 256}) {
            compareOneStep(LstmConfig.of(8, hidden), rnd, "H=" + hidden);
        }
    }

    private void compareOneStep(LstmConfig cfg, Random rnd, String what) {
        LstmLayout layout = new LstmLayout(cfg);
        CellLayout cell = layout.cell(0, 0);
        float[] w = toFloats(RandomLstm.params(cfg, rnd));
        int hid = cfg.hiddenSize();
        int hOut = cfg.outputSize();
        // offsets inside larger arrays, as the sequence and streaming code use them
        int off = rnd.nextInt(5);
        float[] x = toFloats(RandomLstm.values(off + cfg.inputSize(), 3, rnd));
        float[] h = toFloats(RandomLstm.values(off + hOut, 1, rnd));
        float[] cPrev = toFloats(RandomLstm.values(off + hid, 4, rnd));
        float[][] s = run(scalar, w, cell, x, h, cPrev, off);
        float[][] v = run(vector, w, cell, x, h, cPrev, off);
        String[] names = {"activated gates", "c", "tanh c", "m", "h"};
        for (int i = 0; i < names.length; i++) {
            Close.assertClose(what + ": " + names[i], Close.toDoubles(s[i]), Close.toDoubles(v[i]), 2e-6);
        }
    }

    private static float[][] run(LstmKernel<float[]> k, float[] w, CellLayout cell, float[] x, float[] h,
                                 float[] cPrev, int off) {
        int hid = cell.hiddenSize();
        float[] z = new float[off + 4 * hid];
        float[] c = new float[off + hid];
        float[] tc = new float[off + hid];
        float[] m = new float[off + hid];
        float[] hNew = new float[off + cell.outputSize()];
        k.gates(w, cell, x, off, h, off, z, off);
        k.cell(hid, z, off, cPrev, off, c, off, tc, off, m, off);
        if (cell.hasProjection()) {
            k.project(w, cell, m, off, hNew, off);
        }
        return new float[][] {z, c, tc, m, hNew};
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
