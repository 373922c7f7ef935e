package dev.lstmflink.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The float32 FMA peak of one core as the Vector API reaches it: {@value #CHAINS} independent chains
 * {@code a = a·x + y} on {@code FloatVector.SPECIES_PREFERRED}, {@value #ITERATIONS} FMAs per chain and call, all in
 * registers (no loads or stores in the loop), so that memory does not limit it, and enough chains that FMA latency does
 * not either (4 cycles on Zen 4 and recent Intel cores at up to 2 FMAs per cycle: 8 chains hide it). FLOP per
 * call: {@code 2 · LANES · CHAINS · ITERATIONS} ({@link #flopsPerCall()}); {@code BenchReport} prints GFLOP/s.
 * The ceiling against which {@link BatchStepBenchmark}'s figures are read.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class FmaPeakBenchmark {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;
    static final int ITERATIONS = 1_000;

    /** Fields, not constants, so C2 cannot fold the chains; x &lt; 1 keeps them bounded and away from denormals. */
    float x;
    float y;

    public static double flopsPerCall() {
        return 2.0 * SPECIES.length() * CHAINS * ITERATIONS;
    }

    @Setup
    public void setUp() {
        x = 0.999f;
        y = 0.001f;
        System.out.println("# FmaPeakBenchmark: " + SPECIES + ", " + flopsPerCall() + " FLOP per call");
    }

    @Benchmark
    public float fma() {
        FloatVector vx = FloatVector.broadcast(SPECIES, x);
        FloatVector vy = FloatVector.broadcast(SPECIES, y);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 0.1f);
        FloatVector a1 = FloatVector.broadcast(SPECIES, 0.2f);
        FloatVector a2 = FloatVector.broadcast(SPECIES, 0.3f);
        FloatVector a3 = FloatVector.broadcast(SPECIES, 0.4f);
        FloatVector a4 = FloatVector.broadcast(SPECIES, 0.5f);
        FloatVector a5 = FloatVector.broadcast(SPECIES, 0.6f);
        FloatVector a6 = FloatVector.broadcast(SPECIES, 0.7f);
        FloatVector a7 = FloatVector.broadcast(SPECIES, 0.8f);
        FloatVector a8 = FloatVector.broadcast(SPECIES, 0.9f);
        FloatVector a9 = FloatVector.broadcast(SPECIES, 1.0f);
        FloatVector a10 = FloatVector.broadcast(SPECIES, 1.1f);
        FloatVector a11 = FloatVector.broadcast(SPECIES, 1.2f);
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(vx, vy);
            a1 = a1.fma(vx, vy);
            a2 = a2.fma(vx, vy);
            a3 = a3.fma(vx, vy);
            a4 = a4.fma(vx, vy);
            a5 = a5.fma(vx, vy);
            a6 = a6.fma(vx, vy);
            a7 = a7.fma(vx, vy);
            a8 = a8.fma(vx, vy);
            a9 = a9.fma(vx, vy);
            a10 = a10.fma(vx, vy);
            a11 = a11.fma(vx, vy);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
