package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.kernel.ScalarLstmKernel;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.RandomLstm;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batched step allocates nothing, as {@link StepAllocationTest} checks for the single step: bytes allocated by
 * this thread over {@value #PASSES} passes of {@link LstmStepper#stepBatch} ({@value #BATCH} keys, one of them
 * left over after the vector kernel's groups of four), once C2 has compiled the pass.
 */
class BatchStepAllocationTest {

    private static final int PASSES = 1_000;
    private static final int BATCH = 33;
    private static final int MAX_ROUNDS = 60;
    private static final long BUDGET_BYTES = 256;   // a per-pass allocation would be ≥ 16 B·1,000

    @Test
    void batchedStepIsAllocationFree() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation");
        mx.setThreadAllocatedMemoryEnabled(true);
        List<LstmKernel<float[]>> kernels = List.of(new ScalarLstmKernel(), LstmKernels.vector().orElseThrow());
        LstmConfig[] configs = {LstmConfig.of(8, 64), LstmConfig.of(5, 21).withNumLayers(2).withProjSize(7),
            LstmConfig.of(3, 70).withProjSize(67)};
        for (LstmKernel<float[]> k : kernels) {
            for (LstmConfig cfg : configs) {
                long bytes = steadyStateBytes(mx, k, cfg);
                assertTrue(bytes <= BUDGET_BYTES, k.name() + " " + cfg + ": " + bytes + " bytes allocated over "
                        + PASSES + " passes even after " + MAX_ROUNDS + " warm-up rounds");
            }
        }
    }

    private static long steadyStateBytes(com.sun.management.ThreadMXBean mx, LstmKernel<float[]> k, LstmConfig cfg) {
        Random rnd = new Random(11);
        Lstm<float[]> lstm = new Lstm<>(cfg, k, LstmStepperTest.toFloats(RandomLstm.params(cfg, rnd)));
        LstmStepper<float[]> stepper = lstm.stepper(BATCH);
        float[][] states = new float[BATCH][];
        float[][] xs = new float[BATCH][];
        int[] xOffs = new int[BATCH];
        for (int b = 0; b < BATCH; b++) {
            states[b] = stepper.newState();
            xs[b] = LstmStepperTest.toFloats(RandomLstm.values(cfg.inputSize(), 1, rnd));
        }
        long tid = Thread.currentThread().getId();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS && best > BUDGET_BYTES; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int s = 0; s < PASSES; s++) {
                stepper.stepBatch(BATCH, xs, xOffs, states);
            }
            best = Math.min(best, mx.getThreadAllocatedBytes(tid) - before);
        }
        return best;
    }
}
