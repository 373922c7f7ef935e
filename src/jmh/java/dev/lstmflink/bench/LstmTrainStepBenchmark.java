package dev.lstmflink.bench;

import dev.lstmflink.core.kernel.LstmKernel;
import dev.lstmflink.core.kernel.LstmKernels;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Gradients;
import dev.lstmflink.core.nn.Lstm;
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

/**
 * The LSTM part of one training step (BPTT): {@code lstm.forward(x, T, B, null, null, null).backward(dOut, null,
 * null)} on a one-layer float32 LSTM with I = {@value #INPUT}, H = {@value #HIDDEN}, over a batch of B =
 * {@value #BATCH} windows of T = {@value #SEQ_LEN} steps, on the {@code vector} or the {@code scalar} kernel. This is
 * the shape of the training job (LSTM 1→64 + Linear, 10,000 windows per epoch = {@value #BATCHES_PER_EPOCH} batches);
 * the linear head, the loss and the optimiser are not included. Seconds per epoch (LSTM part) = ms per batch ×
 * {@value #BATCHES_PER_EPOCH} / 1000.
 *
 * <p>Setup: weights from U(-1/√H, 1/√H) (PyTorch's initialisation), inputs U(-1, 1), the output gradient U(-1, 1)
 * scaled by 1/(T·B) (the size of a mean loss's gradient), all with a fixed seed. Each invocation allocates what
 * {@link ForwardPass} and its backward allocate (the saved activations and the gradients), as a trainer would.
 * {@code forward} alone is measured too, so that the backward's share is the difference.
 *
 * <p>Run:
 * <pre>
 *   jobs/bench LstmTrainStepBenchmark -f 1 -wi 2 -i 3
 *   jobs/bench 'LstmTrainStepBenchmark.trainStep' -p kernel=vector
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class LstmTrainStepBenchmark {

    public static final int INPUT = 1;
    public static final int HIDDEN = 64;
    public static final int SEQ_LEN = 100;
    public static final int BATCH = 32;
    /** ⌈10,000 / 32⌉. */
    public static final int BATCHES_PER_EPOCH = 313;
    private static final long SEED = 0x7EA1_2001L;

    @Param({"vector", "scalar"})
    String kernel;

    private Lstm<float[]> lstm;
    private float[] x;
    private float[] dOut;

    @Setup
    public void setUp() {
        LstmKernel<float[]> k = LstmKernels.select(kernel);
        LstmConfig config = LstmConfig.of(INPUT, HIDDEN);
        SplittableRandom rnd = new SplittableRandom(SEED);
        float[] params = new float[new LstmLayout(config).size()];
        double bound = 1.0 / Math.sqrt(HIDDEN);
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) rnd.nextDouble(-bound, bound);
        }
        x = new float[SEQ_LEN * BATCH * INPUT];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextDouble(-1.0, 1.0);
        }
        dOut = new float[SEQ_LEN * BATCH * HIDDEN];
        double scale = 1.0 / (SEQ_LEN * BATCH);
        for (int i = 0; i < dOut.length; i++) {
            dOut[i] = (float) (rnd.nextDouble(-1.0, 1.0) * scale);
        }
        lstm = new Lstm<>(config, k, params);
        System.out.println("# LstmTrainStepBenchmark: kernel " + k.name() + ", I=" + INPUT + ", H=" + HIDDEN
                + ", T=" + SEQ_LEN + ", B=" + BATCH + ", " + params.length + " parameters");
    }

    /** Forward and BPTT over one batch; returns the gradients so that nothing is dead code. */
    @Benchmark
    public Gradients<float[]> trainStep() {
        return lstm.forward(x, SEQ_LEN, BATCH, null, null, null).backward(dOut, null, null);
    }

    /** The forward alone (with the activations saved for the backward). */
    @Benchmark
    public ForwardPass<float[]> forward() {
        return lstm.forward(x, SEQ_LEN, BATCH, null, null, null);
    }
}
