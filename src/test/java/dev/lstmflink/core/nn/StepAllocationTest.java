package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.kernel.ScalarLstmKernel;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.testutil.RandomLstm;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-event path allocates nothing: bytes allocated by this thread over 10,000 steps, measured with
 * {@code com.sun.management.ThreadMXBean}, once the step is JIT-compiled. Until C2 compiles the vector kernel, the
 * Vector API boxes its vectors on the heap; so the test warms up and measures rounds until one is clean, and fails if
 * none is within the budget.
 */
class StepAllocationTest {

    private static final int STEPS = 10_000;
    private static final int MAX_ROUNDS = 60;
    private static final long BUDGET_BYTES = 256;   // "near zero": no per-step allocation (that would be ≥ 16 B·10,000)

    @Test
    void streamingStepIsAllocationFree() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation");
        mx.setThreadAllocatedMemoryEnabled(true);
        List<LstmKernel<float[]>> kernels = new ArrayList<>();
        kernels.add(new ScalarLstmKernel());
        kernels.add(LstmKernels.vector().orElseThrow());
        LstmConfig[] configs = {LstmConfig.of(8, 64), LstmConfig.of(5, 21).withNumLayers(2).withProjSize(7)};
        for (LstmKernel<float[]> k : kernels) {
            for (LstmConfig cfg : configs) {
                long bytes = steadyStateBytes(mx, k, cfg);
                assertTrue(bytes <= BUDGET_BYTES, k.name() + " " + cfg + ": " + bytes + " bytes allocated over "
                        + STEPS + " steps even after " + MAX_ROUNDS + " warm-up rounds");
            }
        }
    }

    private static long steadyStateBytes(com.sun.management.ThreadMXBean mx, LstmKernel<float[]> k, LstmConfig cfg) {
        Random rnd = new Random(11);
        Lstm<float[]> lstm = new Lstm<>(cfg, k, LstmStepperTest.toFloats(RandomLstm.params(cfg, rnd)));
        LstmStepper<float[]> stepper = lstm.stepper();
        float[] state = stepper.newState();
        float[] x = LstmStepperTest.toFloats(RandomLstm.values(64 * cfg.inputSize(), 1, rnd));
        long tid = Thread.currentThread().getId();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS && best > BUDGET_BYTES; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int s = 0; s < STEPS; s++) {
                stepper.step(x, (s & 63) * cfg.inputSize(), state);
            }
            best = Math.min(best, mx.getThreadAllocatedBytes(tid) - before);
        }
        return best;
    }
}
