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
 * One pass of B keys through one float32 LSTM layer (I = {@value LstmStepBenchmark#INPUT}, H = {@code hidden}), two
 * ways on one kernel: {@link #batched} is one {@link LstmStepper#stepBatch} (the weights read once per pass, issue 15),
 * {@link #oneByOne} is B calls of {@link LstmStepper#step} (the weights read B times). Time is per pass of B keys;
 * {@code BenchReport} prints GFLOP/s = 8·H·(I+H)·B / time, beside {@link FmaPeakBenchmark}'s peak when both ran.
 *
 * <p>Setup as {@link LstmStepBenchmark}: PyTorch's U(-1/√H, 1/√H) weights with a fixed seed, inputs cycled from a pool
 * of {@value LstmStepBenchmark#POOL} random vectors (key b of pass t reads vector {@code t + b}), each key's state
 * carried from pass to pass; every key's new h[0] goes to a {@link Blackhole}.
 *
 * <pre>
 *   jobs/bench 'BatchStepBenchmark|FmaPeakBenchmark' -f 1 -wi 3 -i 5 -rf json -rff target/jmh-batch.json
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class BatchStepBenchmark {

    private static final long SEED = 0x5EED_1257L;

    @Param({"1", "8", "32", "64"})
    int batch;

    @Param({"64", "256"})
    int hidden;

    @Param({"vector"})
    String kernel;

    private LstmStepper<float[]> stepper;
    private float[] inputs;
    private float[][] xs;
    private int[] xOffs;
    private float[][] states;
    private int out;
    private int next;

    /** FLOP of one pass: B keys, the gate product {@code 4H×(I+H)} multiply-adds each. */
    public static double flopsPerPass(int input, int hidden, int batch) {
        return LstmStepBenchmark.flopsPerStep(input, hidden) * batch;
    }

    @Setup
    public void setUp() {
        LstmKernel<float[]> k = LstmKernels.select(kernel);
        LstmConfig config = LstmConfig.of(LstmStepBenchmark.INPUT, hidden);
        SplittableRandom rnd = new SplittableRandom(SEED);
        float[] params = new float[new LstmLayout(config).size()];
        double bound = 1.0 / Math.sqrt(hidden);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) rnd.nextDouble(-bound, bound);
        }
        inputs = new float[LstmStepBenchmark.POOL * LstmStepBenchmark.INPUT];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) rnd.nextDouble(-1.0, 1.0);
        }
        stepper = new Lstm<>(config, k, params).stepper(batch);
        xs = new float[batch][];
        xOffs = new int[batch];
        states = new float[batch][];
        for (int b = 0; b < batch; b++) {
            xs[b] = inputs;
            states[b] = stepper.newState();
        }
        out = stepper.outputOffset();
        next = 0;
        System.out.println("# BatchStepBenchmark: kernel " + k.name() + ", I=" + LstmStepBenchmark.INPUT + ", H="
                + hidden + ", B=" + batch + ", " + params.length + " parameters");
    }

    private void nextInputs() {
        int t = next;
        next = (t + 1) & (LstmStepBenchmark.POOL - 1);
        for (int b = 0; b < batch; b++) {
            xOffs[b] = ((t + b) & (LstmStepBenchmark.POOL - 1)) * LstmStepBenchmark.INPUT;
        }
    }

    /** B keys in one pass over the weights. */
    @Benchmark
    public void batched(Blackhole bh) {
        nextInputs();
        stepper.stepBatch(batch, xs, xOffs, states);
        for (int b = 0; b < batch; b++) {
            bh.consume(states[b][out]);
        }
    }

    /** The same B keys, one {@code step} each. */
    @Benchmark
    public void oneByOne(Blackhole bh) {
        nextInputs();
        for (int b = 0; b < batch; b++) {
            stepper.step(inputs, xOffs[b], states[b]);
            bh.consume(states[b][out]);
        }
    }
}
