package dev.lstmflink.bench;

import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.core.io.DType;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.flink.LstmFunctionConfig;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Streaming throughput of the keyed LSTM operator (issue 3): a local Flink job, built-in generator source → keyBy(key)
 * → LSTM operator ({@link LstmStreams#keyedLstm}, processing time, output HIDDEN) → timing map → discarding sink; or
 * the same job with an identity {@code KeyedProcessFunction} in place of the LSTM (one {@link LstmOutput} per event
 * holding a copy of the input values, no state), the ceiling Flink itself sets. Not a JMH benchmark: a job's
 * throughput is measured over one run in its own JVM; {@code jobs/bench-stream} runs the matrix.
 *
 * <p>What is timed: from the first record that reaches the timing map (chained right after the operator, before the
 * sink) to the moment the last subtask's timing map is closed at end of input, taken with {@code System.nanoTime()}
 * (one JVM, so the clocks of the subtasks agree) and carried out in accumulators. This leaves out job submission,
 * deployment, the operator's {@code open} (model parsing, RocksDB start-up) and shutdown; it includes JIT warm-up
 * and, for many keys, the creation of every key's state on its first event. {@code wall_seconds} in the output line is
 * the whole {@code execute()} call and {@code first_record_after_s} the time from calling it to the first timed record,
 * for reference.
 *
 * <p>Settings, identical for both operators: {@code pipeline.object-reuse: true} (turn off with
 * {@code --no-object-reuse}); no checkpointing; no watermarks; {@code state.backend.type} hashmap or rocksdb, the
 * latter with {@code taskmanager.memory.managed.size} (default 512m; RocksDB takes its block cache and write buffers
 * from it) and otherwise Flink's defaults. The source emits {@code events} events with keys {@code "k0" ... "k<keys-1>"}
 * round-robin and I values drawn from a fixed pool of 1,024 pseudo-random vectors; key strings and value arrays are
 * precomputed, so the generator allocates only the {@link SensorEvent} itself. The model is a one-layer LSTM with
 * PyTorch's default initialisation U(−1/√H, 1/√H) from a fixed seed, stored as float32 safetensors.
 *
 * <p>Prints one line: {@code operator=lstm H=64 keys=100000 backend=heap parallelism=1 events=5000000 seconds=..
 * events_per_s=.. wall_seconds=.. object_reuse=true}.
 */
@Command(name = "StreamingThroughputBench", mixinStandardHelpOptions = true,
        description = "Events/s of a local Flink job: generator -> keyBy -> LSTM (or identity) -> discarding sink.")
public final class StreamingThroughputBench implements Callable<Integer> {

    enum Backend { heap, rocksdb }

    enum Operator { lstm, identity }

    @Option(names = "--hidden", description = "LSTM hidden size H (default ${DEFAULT-VALUE})")
    int hidden = 64;

    @Option(names = "--input-size", description = "input size I (default ${DEFAULT-VALUE})")
    int inputSize = 8;

    @Option(names = "--keys", description = "distinct keys, used round-robin (default ${DEFAULT-VALUE})")
    int keys = 100_000;

    @Option(names = "--events", description = "events in the run (default ${DEFAULT-VALUE})")
    long events = 5_000_000;

    @Option(names = "--backend", description = "heap or rocksdb (default ${DEFAULT-VALUE})")
    Backend backend = Backend.heap;

    @Option(names = "--operator", description = "lstm or identity (default ${DEFAULT-VALUE})")
    Operator operator = Operator.lstm;

    @Option(names = "--parallelism", description = "job parallelism (default ${DEFAULT-VALUE})")
    int parallelism = 1;

    @Option(names = "--managed-memory", description = "taskmanager.memory.managed.size, for RocksDB (default ${DEFAULT-VALUE})")
    String managedMemory = "512m";

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "any other Flink setting, e.g. state.backend.rocksdb.use-bloom-filter=true (repeatable)")
    java.util.Map<String, String> extraConf = new java.util.LinkedHashMap<>();

    @Option(names = "--no-object-reuse", negatable = false, description = "run with pipeline.object-reuse: false")
    boolean noObjectReuse;

    @Option(names = "--batch", description = "events per micro-batch of the LSTM operator, 1 = none (default ${DEFAULT-VALUE})")
    int batch = MicroBatch.DEFAULT.size();

    @Option(names = "--seed", description = "seed of the weights and the input pool (default ${DEFAULT-VALUE})")
    long seed = 42;

    static final String FIRST_NANOS = "bench-first-nanos";
    static final String LAST_NANOS = "bench-last-nanos";
    static final String RECORDS = "bench-records";

    public static void main(String[] args) {
        System.exit(new CommandLine(new StreamingThroughputBench()).setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (hidden < 1 || inputSize < 1 || keys < 1 || events < 1 || parallelism < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--hidden, --input-size, --keys, --events and --parallelism must be >= 1");
        }
        Configuration conf = new Configuration();
        conf.setString("pipeline.object-reuse", Boolean.toString(!noObjectReuse));
        conf.setString("state.backend.type", backend == Backend.rocksdb ? "rocksdb" : "hashmap");
        conf.setString("taskmanager.memory.managed.size", managedMemory);
        if (backend == Backend.rocksdb) {
            // What the README recommends for LSTM state in RocksDB: point lookups skip SST files without the key.
            conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
        }
        extraConf.forEach(conf::setString);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);

        DataGeneratorSource<SensorEvent> source = new DataGeneratorSource<>(
                new SensorGenerator(keys, inputSize, seed), events, RateLimiterStrategy.noOp(),
                TypeInformation.of(SensorEvent.class));
        DataStream<SensorEvent> in = env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator");

        DataStream<LstmOutput> out;
        if (operator == Operator.lstm) {
            out = LstmStreams.keyedLstm(in, LstmFunctionConfig.processingTime(OutputKind.HIDDEN),
                    model(inputSize, hidden, seed), "bench-lstm", new MicroBatch(batch, MicroBatch.DEFAULT.maxDelay()));
        } else {
            out = in.keyBy(e -> e.key).process(new IdentityFunction()).uid("identity").name("identity");
        }
        out.map(new TimingMap()).name("timing").sinkTo(new DiscardingSink<>()).name("discard");

        long t0 = System.nanoTime();
        JobExecutionResult result = env.execute("streaming-throughput " + operator);
        double wall = (System.nanoTime() - t0) / 1e9;

        long records = result.<Long>getAccumulatorResult(RECORDS);
        long first = result.<Long>getAccumulatorResult(FIRST_NANOS);
        long last = result.<Long>getAccumulatorResult(LAST_NANOS);
        if (records != events) {
            System.err.println("StreamingThroughputBench: expected " + events + " outputs, got " + records);
            return 1;
        }
        double seconds = (last - first) / 1e9;
        System.out.println(String.format(Locale.ROOT,
                "operator=%s H=%d keys=%d backend=%s parallelism=%d events=%d seconds=%.3f events_per_s=%.0f"
                        + " wall_seconds=%.3f first_record_after_s=%.3f object_reuse=%s batch=%d",
                operator, hidden, keys, backend, parallelism, events, seconds, events / seconds, wall,
                (first - t0) / 1e9, !noObjectReuse, operator == Operator.lstm ? batch : 1));
        return 0;
    }

    /** A one-layer LSTM, PyTorch's default initialisation U(−1/√H, 1/√H), as float32 safetensors bytes. */
    static byte[] model(int inputSize, int hidden, long seed) {
        LstmConfig config = LstmConfig.of(inputSize, hidden);
        double k = 1 / Math.sqrt(hidden);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] p = new double[new LstmLayout(config).size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) ((2 * rnd.nextDouble() - 1) * k);
        }
        return LstmSafetensors.toFile(Lstm.f64(config, p), "lstm.", DType.F32, List.of(), Map.of()).toBytes();
    }

    /**
     * Event {@code i}: key {@code "k" + (i mod keys)}, time {@code i} ms, values from a pool of 1,024 vectors in
     * [−1, 1). The pools are built in {@link #open}, so the job graph stays small.
     */
    static final class SensorGenerator implements GeneratorFunction<Long, SensorEvent> {
        private static final long serialVersionUID = 1L;
        private static final int POOL = 1024;

        private final int keys;
        private final int inputSize;
        private final long seed;
        private transient String[] keyPool;
        private transient float[][] valuePool;

        SensorGenerator(int keys, int inputSize, long seed) {
            this.keys = keys;
            this.inputSize = inputSize;
            this.seed = seed;
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            keyPool = new String[keys];
            for (int i = 0; i < keys; i++) {
                keyPool[i] = "k" + i;
            }
            SplittableRandom rnd = new SplittableRandom(seed + 1);
            valuePool = new float[POOL][inputSize];
            for (float[] v : valuePool) {
                for (int j = 0; j < inputSize; j++) {
                    v[j] = (float) (2 * rnd.nextDouble() - 1);
                }
            }
        }

        @Override
        public SensorEvent map(Long index) {
            long i = index;
            // Values: a different pool entry from the key's, so a key does not see the same input every step.
            return new SensorEvent(keyPool[(int) (i % keys)], i, valuePool[(int) ((i * 7 + (i >>> 10)) & (POOL - 1))]);
        }
    }

    /** The ceiling: Flink's keyed path without the LSTM. One output per event with a copy of its values; no state. */
    static final class IdentityFunction extends KeyedProcessFunction<String, SensorEvent, LstmOutput> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(SensorEvent e, Context ctx, Collector<LstmOutput> out) {
            out.collect(new LstmOutput(ctx.getCurrentKey(), e.ts, 1, "identity", e.values.clone()));
        }
    }

    /**
     * Passes records through and times them: the {@code nanoTime} of this subtask's first record (minimum over
     * subtasks) and of its close at end of input (maximum over subtasks), and the number of records.
     */
    static final class TimingMap extends RichMapFunction<LstmOutput, LstmOutput> {
        private static final long serialVersionUID = 1L;

        private transient LongMinimum first;
        private transient LongMaximum last;
        private transient LongCounter records;
        private transient long count;

        @Override
        public void open(OpenContext openContext) {
            first = new LongMinimum();
            last = new LongMaximum();
            records = new LongCounter();
            getRuntimeContext().addAccumulator(FIRST_NANOS, first);
            getRuntimeContext().addAccumulator(LAST_NANOS, last);
            getRuntimeContext().addAccumulator(RECORDS, records);
        }

        @Override
        public LstmOutput map(LstmOutput value) {
            if (count++ == 0) {
                first.add(System.nanoTime());
            }
            return value;
        }

        @Override
        public void close() {
            last.add(System.nanoTime());
            records.add(count);
        }
    }
}
