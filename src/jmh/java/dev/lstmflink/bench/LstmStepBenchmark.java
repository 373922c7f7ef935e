package dev.lstmflink.bench;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmStepper;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Latency of ONE streaming step for ONE key: {@link LstmStepper#step} on a one-layer float32 LSTM with
 * I = {@value #INPUT} inputs and H = {@code hidden} units, on the {@code vector} (SIMD, {@code jdk.incubator.vector})
 * or the {@code scalar} kernel. This is the per-event cost of the Flink operator, without state backend or
 * serialization.
 *
 * <p>Setup: weights and biases drawn from U(-1/√H, 1/√H) (PyTorch's initialisation) with a fixed seed; a pool of
 * {@value #POOL} random input vectors, U(-1, 1), is cycled through so that every invocation sees a different
 * {@code x_t} and nothing can be constant-folded. The key's state {@code [h | c]} is carried from one invocation to
 * the next, exactly as a stream does; it stays bounded (|h| &lt; 1 by tanh, and c is contracted by the forget gate,
 * σ &lt; 1). The new h is handed to a {@link Blackhole}.
 *
 * <p>Work per step and layer: {@code 8·H·(I+H)} FLOP for the fused gate product {@code [W_ih W_hh]·[x; h]}
 * (4H×(I+H) multiply-adds), the pointwise σ/tanh part (O(H)) not counted; {@code jobs/bench} reports
 * GFLOP/s = 8·H·(I+H) / time.
 *
 * <p>Run (builds if needed, then prints a Markdown table from the JSON result):
 * <pre>
 *   jobs/bench                                      # = LstmStepBenchmark -rf json -rff target/jmh-step.json
 *   jobs/bench LstmStepBenchmark -p hidden=128 -wi 10 -i 10 -rf json -rff target/jmh-step.json
 * </pre>
 * Defaults: 1 fork, 5 × 1 s warmup, 5 × 1 s measurement, average time in ns per step; {@code -f}, {@code -wi},
 * {@code -w}, {@code -i}, {@code -r}, {@code -p} and {@code -tu} override them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class LstmStepBenchmark {

    /** I, features per event. */
    public static final int INPUT = 8;
    /** Input vectors cycled through (a power of two). */
    static final int POOL = 1024;
    private static final long SEED = 0x5EED_1257L;

    @Param({"32", "64", "128", "256"})
    int hidden;

    @Param({"vector", "scalar"})
    String kernel;

    private LstmStepper<float[]> stepper;
    private float[] inputs;
    private float[] state;
    private int out;
    private int next;

    /** FLOP of one step and layer: the gate product {@code 4H×(I+H)} multiply-adds. */
    public static double flopsPerStep(int input, int hidden) {
        return 8.0 * hidden * (input + hidden);
    }

    @Setup
    public void setUp() {
        LstmKernel<float[]> k = LstmKernels.select(kernel);
        LstmConfig config = LstmConfig.of(INPUT, hidden);
        SplittableRandom rnd = new SplittableRandom(SEED);
        float[] params = new float[new LstmLayout(config).size()];
        double bound = 1.0 / Math.sqrt(hidden);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) rnd.nextDouble(-bound, bound);
        }
        inputs = new float[POOL * INPUT];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) rnd.nextDouble(-1.0, 1.0);
        }
        stepper = new Lstm<>(config, k, params).stepper();
        state = stepper.newState();
        out = stepper.outputOffset();
        next = 0;
        System.out.println("# LstmStepBenchmark: kernel " + k.name() + ", I=" + INPUT + ", H=" + hidden
                + ", " + params.length + " parameters");
    }

    /** One event of one key: {@code (h, c) <- LSTM(x_t, h, c)}, in place. */
    @Benchmark
    public void step(Blackhole bh) {
        int i = next;
        next = (i + 1) & (POOL - 1);
        stepper.step(inputs, i * INPUT, state);
        bh.consume(state[out]);
    }
}
