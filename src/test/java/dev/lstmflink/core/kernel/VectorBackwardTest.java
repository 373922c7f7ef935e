package dev.lstmflink.core.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.CellLayout;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Gradients;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property test of the vector kernel's backward pass against the scalar reference: {@code cellBackward},
 * {@code gatesBackward} (dW and bias gradients, dx, dh) and {@code projectBackward} at random sizes (input and hidden
 * 1..70, with and without bias and projection, most sizes off the lane count so the scalar tails run), and
 * {@code Lstm} forward + backward over whole random multi-layer models; plus a check that the backward kernel calls
 * allocate nothing once compiled.
 *
 * <p>Tolerance, in the mixed form {@code |a − e| ≤ tol·(1 + |e|)}:
 * <ul>
 *   <li>one kernel call, {@value #TOL_STEP}: {@code cellBackward} does the scalar kernel's float operations in its
 *       order (equal up to the last bit); {@code gatesBackward}/{@code projectBackward} add the same products in
 *       another order (16 lane-wise partial sums, then a reduction) and use FMAs, which round once. For sums of
 *       n ≤ 4·70 + 2 terms the reordering error is typically √n·2⁻²⁴·Σ|terms| ≈ 1e-6 here (|W| ≤ 1/√H, |dz| ≤ 1),
 *       so 1e-5 leaves a margin of ten, while a wrong or missing product (|W·dz| ~ 1e-2) is a thousand times
 *       over it;</li>
 *   <li>whole sequences, {@value #TOL_SEQ}: the vector forward already differs from the scalar one by up to 2e-6 per
 *       step ({@link VectorLstmKernelTest}: its float σ/tanh against the scalar kernel's double-precision ones), and
 *       BPTT carries and sums those differences over T ≤ 12 steps, B ≤ 4 sequences and 3 layers.</li>
 * </ul>
 * Every failure message carries the seed, so that a failing case can be replayed.
 */
class VectorBackwardTest {

    private static final int CASES = 300;
    private static final double TOL_STEP = 1e-5;
    private static final double TOL_SEQ = 1e-4;

    private final LstmKernel<float[]> scalar = new ScalarLstmKernel();
    private final LstmKernel<float[]> vector = LstmKernels.vector().orElseThrow(() -> new AssertionError(
            "the test JVM must have --add-modules=jdk.incubator.vector (see the surefire argLine in pom.xml)"));

    @Test
    void backwardKernelMatchesScalarKernelAtRandomSizes() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        int offLane = 0;
        for (int n = 0; n < CASES; n++) {
            int in = 1 + rnd.nextInt(70);
            int hidden = 1 + rnd.nextInt(70);
            int proj = rnd.nextInt(3) == 0 && hidden > 1 ? 1 + rnd.nextInt(hidden - 1) : 0;
            LstmConfig cfg = LstmConfig.of(in, hidden).withBias(rnd.nextBoolean()).withProjSize(proj);
            if (in % 16 != 0 || hidden % 16 != 0 || proj % 16 != 0) {
                offLane++;
            }
            compareOneStep(cfg, rnd.nextInt(4) != 0, rnd, "seed " + seed + ", case " + n + ", " + cfg);
        }
        assertTrue(offLane > CASES / 2, "most sizes must leave a tail");
    }

    @Test
    void exactLaneMultiplesAndSingleUnits() {
        long seed = 17;
        Random rnd = new Random(seed);
        for (int hidden : new int[] {1, 3, 15, 16, 17, 32, 48, 64, 65, 128, 256}) {
            for (int in : new int[] {1, 4, 16, 64}) {
                compareOneStep(LstmConfig.of(in, hidden), true, rnd, "seed " + seed + ", I=" + in + " H=" + hidden);
                if (hidden > 1) {
                    LstmConfig proj = LstmConfig.of(in, hidden).withBias(false).withProjSize(Math.max(1, hidden / 2));
                    compareOneStep(proj, true, rnd, "seed " + seed + ", " + proj);
                }
            }
        }
    }

    /** One call of each backward method on both kernels, from the same random state, at random offsets. */
    private void compareOneStep(LstmConfig cfg, boolean wantDx, Random rnd, String what) {
        LstmLayout layout = new LstmLayout(cfg);
        CellLayout cell = layout.cell(0, 0);
        int hid = cfg.hiddenSize();
        int hOut = cfg.outputSize();
        int in = cfg.inputSize();
        int off = rnd.nextInt(5);
        float[] w = floats(RandomLstm.params(cfg, rnd));
        float[] dw0 = floats(RandomLstm.values(w.length, 0.5, rnd));   // gradients accumulate into what is there
        // the saved forward state: activated gates i, f, o in (0, 1), g and tanh c in (-1, 1)
        float[] gates = new float[off + 4 * hid];
        for (int k = 0; k < 4 * hid; k++) {
            double u = rnd.nextDouble();
            gates[off + k] = (float) (k >= 2 * hid && k < 3 * hid ? 2 * u - 1 : u);
        }
        float[] cPrev = floats(RandomLstm.values(off + hid, 4, rnd));
        float[] tanhC = floats(RandomLstm.values(off + hid, 1, rnd));
        float[] m = floats(RandomLstm.values(off + hid, 1, rnd));
        float[] dm0 = floats(RandomLstm.values(off + hid, 1, rnd));
        float[] dc0 = floats(RandomLstm.values(off + hid, 1, rnd));
        float[] x = floats(RandomLstm.values(off + in, 3, rnd));
        float[] h = floats(RandomLstm.values(off + hOut, 1, rnd));
        float[] dx0 = wantDx ? floats(RandomLstm.values(off + in, 1, rnd)) : null;
        float[] dh0 = floats(RandomLstm.values(off + hOut, 7, rnd));   // garbage: gatesBackward overwrites it
        float[] dy = floats(RandomLstm.values(off + hOut, 1, rnd));

        Out s = runOneStep(scalar, w, dw0, cell, gates, cPrev, tanhC, m, dm0, dc0, x, h, dx0, dh0, dy, off);
        Out v = runOneStep(vector, w, dw0, cell, gates, cPrev, tanhC, m, dm0, dc0, x, h, dx0, dh0, dy, off);
        close(what + ": cellBackward dz", s.dz, v.dz, TOL_STEP);
        close(what + ": cellBackward dc", s.dc, v.dc, TOL_STEP);
        close(what + ": gatesBackward dw", s.dw, v.dw, TOL_STEP);
        close(what + ": gatesBackward dh", s.dh, v.dh, TOL_STEP);
        if (wantDx) {
            close(what + ": gatesBackward dx", s.dx, v.dx, TOL_STEP);
        }
        if (cell.hasProjection()) {
            close(what + ": projectBackward dw", s.dwProj, v.dwProj, TOL_STEP);
            close(what + ": projectBackward dm", s.dmProj, v.dmProj, TOL_STEP);
        }
    }

    private record Out(float[] dz, float[] dc, float[] dw, float[] dx, float[] dh, float[] dwProj, float[] dmProj) {}

    private static Out runOneStep(LstmKernel<float[]> k, float[] w, float[] dw0, CellLayout cell, float[] gates,
                                  float[] cPrev, float[] tanhC, float[] m, float[] dm0, float[] dc0, float[] x,
                                  float[] h, float[] dx0, float[] dh0, float[] dy, int off) {
        int hid = cell.hiddenSize();
        float[] dc = dc0.clone();
        float[] dz = new float[off + 4 * hid];
        k.cellBackward(hid, gates, off, cPrev, off, tanhC, off, dm0, off, dc, off, dz, off);
        float[] dw = dw0.clone();
        float[] dx = dx0 == null ? null : dx0.clone();
        float[] dh = dh0.clone();
        k.gatesBackward(w, dw, cell, dz, off, x, off, h, off, dx, off, dh, off);
        float[] dwProj = null;
        float[] dmProj = null;
        if (cell.hasProjection()) {
            dwProj = dw0.clone();
            dmProj = floats(new double[off + hid]);
            java.util.Arrays.fill(dmProj, 5f);   // garbage: projectBackward overwrites it
            k.projectBackward(w, dwProj, cell, m, off, dy, off, dmProj, off);
        }
        return new Out(dz, dc, dw, dx, dh, dwProj, dmProj);
    }

    @Test
    void wholeSequencesMatchScalarKernel() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        for (int n = 0; n < 25; n++) {
            int hidden = 1 + rnd.nextInt(70);
            int proj = rnd.nextInt(3) == 0 && hidden > 1 ? 1 + rnd.nextInt(hidden - 1) : 0;
            LstmConfig cfg = new LstmConfig(1 + rnd.nextInt(70), hidden, 1 + rnd.nextInt(3), rnd.nextBoolean(),
                    rnd.nextBoolean(), 0.0, rnd.nextBoolean(), proj);
            int t = 1 + rnd.nextInt(12);
            int b = 1 + rnd.nextInt(4);
            int[] lengths = rnd.nextBoolean() ? null : rnd.ints(b, 1, t + 1).toArray();
            compareSequences(cfg, t, b, lengths, rnd, "seed " + seed + ", case " + n + ", " + cfg + " T=" + t
                    + " B=" + b + (lengths == null ? "" : " lengths=" + java.util.Arrays.toString(lengths)));
        }
        // the training job's shape: I=1, H=64
        compareSequences(LstmConfig.of(1, 64), 100, 4, null, rnd, "seed " + seed + ", I=1 H=64 T=100 B=4");
    }

    private void compareSequences(LstmConfig cfg, int t, int b, int[] lengths, Random rnd, String what) {
        int ld = cfg.numLayers() * cfg.numDirections();
        float[] params = floats(RandomLstm.params(cfg, rnd));
        float[] x = floats(RandomLstm.values(t * b * cfg.inputSize(), 1.5, rnd));
        float[] h0 = floats(RandomLstm.values(ld * b * cfg.outputSize(), 0.5, rnd));
        float[] c0 = floats(RandomLstm.values(ld * b * cfg.hiddenSize(), 0.5, rnd));
        float[] gOut = floats(RandomLstm.values(t * b * cfg.numDirections() * cfg.outputSize(), 1, rnd));
        float[] gH = floats(RandomLstm.values(h0.length, 1, rnd));
        float[] gC = floats(RandomLstm.values(c0.length, 1, rnd));
        ForwardPass<float[]> fs = new Lstm<>(cfg, scalar, params).forward(x, t, b, h0, c0, lengths);
        ForwardPass<float[]> fv = new Lstm<>(cfg, vector, params).forward(x, t, b, h0, c0, lengths);
        close(what + ": output", fs.output(), fv.output(), TOL_SEQ);
        Gradients<float[]> gs = fs.backward(gOut, gH, gC);
        Gradients<float[]> gv = fv.backward(gOut, gH, gC);
        close(what + ": dparams", gs.params(), gv.params(), TOL_SEQ);
        close(what + ": dinput", gs.input(), gv.input(), TOL_SEQ);
        close(what + ": dh0", gs.h0(), gv.h0(), TOL_SEQ);
        close(what + ": dc0", gs.c0(), gv.c0(), TOL_SEQ);
    }

    /** Once compiled, the backward kernel calls allocate nothing (the Vector API's boxes are scalar-replaced). */
    @Test
    void backwardKernelDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation");
        mx.setThreadAllocatedMemoryEnabled(true);
        for (LstmConfig cfg : new LstmConfig[] {LstmConfig.of(1, 64), LstmConfig.of(5, 21).withProjSize(7)}) {
            Random rnd = new Random(3);
            CellLayout cell = new LstmLayout(cfg).cell(0, 0);
            int hid = cfg.hiddenSize();
            float[] w = floats(RandomLstm.params(cfg, rnd));
            float[] dw = new float[w.length];
            float[] gates = floats(RandomLstm.values(4 * hid, 1, rnd));
            float[] state = floats(RandomLstm.values(hid, 1, rnd));
            float[] dm = new float[hid];
            float[] dc = new float[hid];
            float[] dz = new float[4 * hid];
            float[] x = floats(RandomLstm.values(cfg.inputSize(), 1, rnd));
            float[] dx = new float[cfg.inputSize()];
            float[] h = floats(RandomLstm.values(cfg.outputSize(), 1, rnd));
            float[] dh = floats(RandomLstm.values(cfg.outputSize(), 1e-3, rnd));
            long tid = Thread.currentThread().getId();
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 60 && best > 256; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int s = 0; s < 5_000; s++) {
                    if (cell.hasProjection()) {
                        vector.projectBackward(w, dw, cell, state, 0, dh, 0, dm, 0);
                    } else {
                        System.arraycopy(dh, 0, dm, 0, hid);
                    }
                    vector.cellBackward(hid, gates, 0, state, 0, state, 0, dm, 0, dc, 0, dz, 0);
                    vector.gatesBackward(w, dw, cell, dz, 0, x, 0, h, 0, dx, 0, dh, 0);
                }
                best = Math.min(best, mx.getThreadAllocatedBytes(tid) - before);
            }
            assertTrue(best <= 256, cfg + ": " + best + " bytes allocated over 5,000 backward steps");
        }
    }

    private static void close(String what, float[] expected, float[] actual, double tol) {
        Close.assertClose(what, Close.toDoubles(expected), Close.toDoubles(actual), tol);
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
