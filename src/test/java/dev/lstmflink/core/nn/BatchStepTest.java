package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.kernel.ScalarLstmKernel;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LstmStepper#stepBatch}: B keys stepped together get, key by key, the h and c that {@link LstmStepper#step}
 * gives each of them alone, on the scalar and the vector kernel (and the float64 one, through the interface's default
 * loop), over random configs and B = 1, 3, 17, 64.
 *
 * <p>The contract is the golden float32 tolerance (1e-5 mixed, golden/FORMAT.md). The batched kernels add each key's
 * terms in the single-key order with the same operations, so the states are also checked for equality bit for bit:
 * a change of summation order in either path shows up here first.
 */
class BatchStepTest {

    private static final int[] BATCHES = {1, 3, 17, 64};
    private static final int STEPS = 3;

    /** Sizes that exercise every tail: 4H and P off the lane count, R = I + Hout and H above the 64-row j block. */
    private static List<LstmConfig> configs(Random rnd) {
        List<LstmConfig> cfgs = new ArrayList<>(List.of(
                LstmConfig.of(8, 64),
                LstmConfig.of(8, 256),
                LstmConfig.of(5, 67).withNumLayers(2).withProjSize(13),
                LstmConfig.of(3, 100).withProjSize(70).withBias(false),
                LstmConfig.of(1, 1),
                LstmConfig.of(7, 19).withNumLayers(3).withRecurrentActivation(Activation.HARD_SIGMOID)
                        .withActivation(Activation.RELU)));
        Activation[] acts = Activation.values();
        for (int n = 0; n < 12; n++) {
            LstmConfig cfg = RandomLstm.config(rnd, false);
            if (n % 3 == 0) {
                cfg = cfg.withRecurrentActivation(acts[rnd.nextInt(acts.length)])
                        .withActivation(acts[rnd.nextInt(acts.length)]);
            }
            cfgs.add(cfg);
        }
        return cfgs;
    }

    @Test
    void batchedStepEqualsEachKeyAlone() {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        List<LstmKernel<float[]>> kernels = List.of(new ScalarLstmKernel(), LstmKernels.vector().orElseThrow(
                () -> new AssertionError("the test JVM must have --add-modules=jdk.incubator.vector")));
        for (LstmConfig cfg : configs(rnd)) {
            double[] params = KerasLstmTest.tame(cfg, RandomLstm.params(cfg, rnd));
            double scale = KerasLstmTest.unbounded(cfg) ? 1 : 2;
            for (int batch : BATCHES) {
                double[] x = RandomLstm.values(STEPS * batch * cfg.inputSize(), scale, rnd);
                String what = "seed " + seed + " " + cfg + " B=" + batch;
                for (LstmKernel<float[]> k : kernels) {
                    compare(cfg, Precision.F32, k, params, x, batch, rnd.nextLong(), 1e-5, true, what);
                }
                compare(cfg, Precision.F64, new DoubleLstmKernel(), params, x, batch, rnd.nextLong(), 1e-12, false,
                        what);
            }
        }
    }

    @Test
    void aBatchLargerThanTheScratchIsRefused() {
        LstmConfig cfg = LstmConfig.of(2, 4);
        Lstm<float[]> lstm = Lstm.f32(cfg, LstmStepperTest.toFloats(RandomLstm.params(cfg, new Random(1))));
        LstmStepper<float[]> stepper = lstm.stepper(2);
        float[][] states = {stepper.newState(), stepper.newState(), stepper.newState()};
        float[][] xs = {new float[2], new float[2], new float[2]};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stepper.stepBatch(3, xs, new int[3], states));
        assertTrue(e.getMessage().contains("at most 2"), e.getMessage());
    }

    /**
     * Steps {@code batch} keys {@value #STEPS} times, from random states, once together and once key by key on two
     * steppers of one model, and compares every key's whole state (h and c of every layer) after every step.
     */
    private static <A> void compare(LstmConfig cfg, Precision<A> num, LstmKernel<A> k, double[] params, double[] x,
                                    int batch, long stateSeed, double tol, boolean exact, String what) {
        Lstm<A> lstm = new Lstm<>(cfg, k, num.fromDoubles(params));
        LstmStepper<A> alone = lstm.stepper();
        LstmStepper<A> together = lstm.stepper(64);
        Random rnd = new Random(stateSeed);
        A input = num.fromDoubles(x);
        A[] one = newArray(num, batch);
        A[] many = newArray(num, batch);
        A[] xs = newArray(num, batch);
        int[] xOffs = new int[batch];
        for (int b = 0; b < batch; b++) {
            one[b] = num.fromDoubles(RandomLstm.values(alone.stateSize(), 0.5, rnd));
            many[b] = num.fromDoubles(num.toDoubles(one[b]));
            xs[b] = input;
        }
        for (int s = 0; s < STEPS; s++) {
            for (int b = 0; b < batch; b++) {
                // key b's x_t: the inputs are laid out (T, B, I); the batch reads them through per-key offsets
                xOffs[b] = (s * batch + b) * cfg.inputSize();
                alone.step(input, xOffs[b], one[b]);
            }
            together.stepBatch(batch, xs, xOffs, many);
            for (int b = 0; b < batch; b++) {
                String where = what + " " + k.name() + " step " + s + " key " + b;
                double[] want = num.toDoubles(one[b]);
                double[] got = num.toDoubles(many[b]);
                Close.assertClose(where, want, got, tol);
                if (exact) {
                    assertTrue(Arrays.equals(want, got), where + ": within tolerance but not the same floats");
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <A> A[] newArray(Precision<A> num, int n) {
        return (A[]) java.lang.reflect.Array.newInstance(num.allocate(0).getClass(), n);
    }
}
