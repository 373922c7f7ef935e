package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keyed LSTM operator in a real job on a MiniCluster (2 TaskManagers × 2 slots), at scale and across a
 * stop-with-savepoint and a change of parallelism.
 *
 * <p>One source subtask generates {@value #KEYS} keys × {@value #FIRST_STEPS} events (event {@code i} is key
 * {@code "k" + i % KEYS}, step {@code i / KEYS}), so each key's events reach the operator in order. A rate limiter
 * lets exactly the planned events through and then never grants another, so the source stays running (a finished
 * source would end the job, and a finished job cannot be stopped with a savepoint) without emitting anything else.
 * Every output goes to a Sink V2 writer that adds it to a static map: the MiniCluster runs in this JVM.
 *
 * <p>The tests run in order: the first leaves a CANONICAL savepoint that the other two restore, separately, at
 * parallelism 1 (heap) and 3 (RocksDB), both with {@code pipeline.max-parallelism} {@value #MAX_PARALLELISM}.
 * The reference is the core library's sequence forward ({@code Lstm.forward}) over each key's whole sequence, which
 * shares no code path with the operator's per-event stepper beyond the cell arithmetic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingLstmITCase {

    static final int KEYS = 10_000;
    static final int FIRST_STEPS = 100;
    static final int MORE_STEPS = 50;
    static final int ALL_STEPS = FIRST_STEPS + MORE_STEPS;
    static final int MAX_PARALLELISM = 128;
    static final double TOLERANCE = 1e-5;
    static final long WAIT_MS = 120_000;

    static final LstmConfig CFG = LstmConfig.of(2, 16);
    static final byte[] MODEL = TestModels.withHead(CFG, 1, 2024);
    static final LstmFunctionConfig FN = LstmFunctionConfig.processingTime(OutputKind.HIDDEN);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(2)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    static Path tmp;

    /** Written by the first test, restored by the others. */
    private static String savepoint;
    /** key index → the sequence forward's h_t for all {@value #ALL_STEPS} steps, {@code [T * Hout]}. */
    private static float[][] reference;

    @BeforeAll
    static void computeReference() throws Exception {
        long t0 = System.nanoTime();
        LstmModel m = LstmModelFile.read(MODEL, "reference");
        int in = CFG.inputSize();
        reference = new float[KEYS][];
        for (int k = 0; k < KEYS; k++) {
            float[] input = new float[ALL_STEPS * in];   // [T, 1, I]
            for (int s = 0; s < ALL_STEPS; s++) {
                System.arraycopy(values(k, s), 0, input, s * in, in);
            }
            reference[k] = m.lstm().forward(input, ALL_STEPS, 1, null, null, null).output();
        }
        System.out.printf("StreamingLstmITCase: reference sequence forward of %d keys x %d steps: %d ms%n",
                KEYS, ALL_STEPS, ms(t0));
    }

    /**
     * 10,000 keys × 100 events through the operator at parallelism 2 (heap state): every key gets exactly 100 outputs,
     * steps 1..100 in order, equal to the sequence forward. Then the job is stopped with a savepoint while its source
     * is still running.
     */
    @Test
    @Order(1)
    void everyKeyMatchesSequenceForwardThenStopsWithSavepoint() throws Exception {
        Path rocksDir = tmp.resolve("rocksdb-first");
        long t0 = System.nanoTime();
        JobClient job = start("first run", 2, 0, FIRST_STEPS, "events", heap(rocksDir));
        awaitOutputs(job, (long) KEYS * FIRST_STEPS);
        long t1 = System.nanoTime();
        assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "the source must still be running");
        assertNoRocksDb(rocksDir);
        savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(WAIT_MS, TimeUnit.MILLISECONDS);
        awaitTerminal(job);
        System.out.printf("StreamingLstmITCase: first run %d events at parallelism 2: %d ms, savepoint: %d ms (%s)%n",
                (long) KEYS * FIRST_STEPS, (t1 - t0) / 1_000_000, ms(t1), savepoint);

        assertOutputs(0, FIRST_STEPS);
    }

    /** From the savepoint at parallelism 1 on the heap backend: every key continues with steps 101..150. */
    @Test
    @Order(2)
    void restoreAtParallelism1OnHeapContinuesEveryKey() throws Exception {
        Path rocksDir = tmp.resolve("rocksdb-p1");
        continueFromSavepoint(1, restore(heap(rocksDir)));
        assertNoRocksDb(rocksDir);
    }

    /**
     * From the same savepoint at parallelism 3 on RocksDB (a CANONICAL savepoint is backend-independent): every key
     * continues with steps 101..150. The RocksDB instances found under the job's {@code state.backend.rocksdb.localdir}
     * while it runs show that the state really lived in RocksDB.
     */
    @Test
    @Order(3)
    void restoreAtParallelism3OnRocksDbContinuesEveryKey() throws Exception {
        Path rocksDir = tmp.resolve("rocksdb-p3");
        Configuration conf = restore(heap(rocksDir));
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        continueFromSavepoint(3, conf, () -> assertTrue(rocksDbInstances(rocksDir) > 0,
                "no RocksDB instance under " + rocksDir + ": the job did not run on RocksDB"));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static void continueFromSavepoint(int parallelism, Configuration conf) throws Exception {
        continueFromSavepoint(parallelism, conf, () -> {});
    }

    private static void continueFromSavepoint(int parallelism, Configuration conf, Runnable whileRunning)
            throws Exception {
        assertNotNull(savepoint, "the first test did not leave a savepoint");
        long t0 = System.nanoTime();
        // A new source uid: its old position is not wanted (ignore-unclaimed-state), the LSTM's keyed state is.
        JobClient job = start("restore at parallelism " + parallelism, parallelism, FIRST_STEPS, MORE_STEPS,
                "more-events", conf);
        awaitOutputs(job, (long) KEYS * MORE_STEPS);
        whileRunning.run();
        job.cancel().get(WAIT_MS, TimeUnit.MILLISECONDS);
        awaitTerminal(job);
        System.out.printf("StreamingLstmITCase: restore at parallelism %d (%s), %d events: %d ms%n", parallelism,
                conf.get(StateBackendOptions.STATE_BACKEND), (long) KEYS * MORE_STEPS, ms(t0));
        assertOutputs(FIRST_STEPS, MORE_STEPS);
    }

    private static Configuration heap(Path rocksDir) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(RocksDBOptions.LOCAL_DIRECTORIES, rocksDir.toString());
        return conf;
    }

    private static Configuration restore(Configuration conf) {
        assertNotNull(savepoint, "the first test did not leave a savepoint");
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        return conf;
    }

    /**
     * Source (parallelism 1) → keyBy → LSTM (uid {@link LstmStreams#UID}) → collecting sink, all at
     * {@code parallelism} but the source. The source emits steps {@code firstStep .. firstStep + steps - 1} of every
     * key, then nothing, without finishing.
     */
    private static JobClient start(String name, int parallelism, int firstStep, int steps, String sourceUid,
            Configuration conf) throws Exception {
        CollectSink.clear();
        conf.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        DataGeneratorSource<SensorEvent> source = new DataGeneratorSource<>(
                i -> event((int) (i % KEYS), firstStep + (int) (i / KEYS)), Long.MAX_VALUE,
                new StopAfter((long) KEYS * steps), TypeInformation.of(SensorEvent.class));
        DataStream<SensorEvent> events = env.fromSource(source, WatermarkStrategy.noWatermarks(), "events")
                .setParallelism(1)
                .uid(sourceUid);
        LstmStreams.keyedLstm(events, FN, MODEL, "model").sinkTo(new CollectSink()).uid("collect");
        return env.executeAsync(name);
    }

    static SensorEvent event(int key, int step) {
        return new SensorEvent("k" + key, 1_000L * step, values(key, step));
    }

    static float[] values(int key, int step) {
        return new float[] {(float) Math.sin(0.21 * step + 0.013 * key), (float) Math.cos(0.17 * step - 0.029 * key)};
    }

    /** Every key got exactly {@code steps} outputs, steps {@code from+1 .. from+steps}, equal to the reference. */
    private static void assertOutputs(int from, int steps) {
        assertEquals(KEYS, CollectSink.BY_KEY.size(), "keys with outputs");
        assertEquals((long) KEYS * steps, CollectSink.COUNT.get(), "outputs in all");
        int hOut = CFG.outputSize();
        List<String> problems = new ArrayList<>();
        long valuesChecked = 0;
        double worst = 0;
        keys:
        for (int k = 0; k < KEYS && problems.size() < 20; k++) {
            Queue<LstmOutput> q = CollectSink.BY_KEY.get("k" + k);
            if (q == null || q.size() != steps) {
                problems.add("k" + k + ": " + (q == null ? 0 : q.size()) + " outputs, expected " + steps);
                continue;
            }
            int s = from;
            for (LstmOutput o : q) {
                if (o.step != s + 1 || o.ts != 1_000L * s || o.values.length != hOut) {
                    problems.add("k" + k + " output " + (s - from) + ": step " + o.step + ", ts " + o.ts + ", "
                            + o.values.length + " values; expected step " + (s + 1) + ", ts " + 1_000L * s + ", "
                            + hOut + " values");
                    continue keys;
                }
                for (int j = 0; j < hOut; j++) {
                    double e = reference[k][s * hOut + j];
                    double err = Math.abs(o.values[j] - e) / (1 + Math.abs(e));
                    worst = Math.max(worst, err);
                    valuesChecked++;
                    if (!(err <= TOLERANCE)) {
                        problems.add("k" + k + " step " + (s + 1) + " h[" + j + "] = " + o.values[j]
                                + ", sequence forward " + e);
                        continue keys;
                    }
                }
                s++;
            }
        }
        assertTrue(problems.isEmpty(), "wrong outputs in " + problems.size() + (problems.size() >= 20 ? "+" : "")
                + " keys (first problem of each):\n" + String.join("\n", problems));
        assertEquals((long) KEYS * steps * hOut, valuesChecked, "values compared");
        System.out.printf("StreamingLstmITCase: steps %d..%d of %d keys match the sequence forward, worst mixed error "
                + "%.2e%n", from + 1, from + steps, KEYS, worst);
    }

    /** Waits until the sink has {@code expected} outputs; fails at once if the job fails. */
    private static void awaitOutputs(JobClient job, long expected) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (CollectSink.COUNT.get() < expected) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                try {
                    job.getJobExecutionResult().get();
                } catch (Exception e) {
                    throw new AssertionError("job ended " + status + " with " + CollectSink.COUNT.get() + " of "
                            + expected + " outputs", e);
                }
                fail("job ended " + status + " with " + CollectSink.COUNT.get() + " of " + expected + " outputs");
            }
            if (System.currentTimeMillis() > deadline) {
                fail("only " + CollectSink.COUNT.get() + " of " + expected + " outputs after " + WAIT_MS + " ms");
            }
            Thread.sleep(50);
        }
        Thread.sleep(200);   // a moment for any output beyond the expected ones to show up
        assertEquals(expected, CollectSink.COUNT.get(), "outputs: the source must emit nothing past the planned events");
    }

    private static void awaitTerminal(JobClient job) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!job.getJobStatus().get().isGloballyTerminalState()) {
            assertTrue(System.currentTimeMillis() < deadline, "job did not end");
            Thread.sleep(50);
        }
    }

    private static void assertNoRocksDb(Path dir) {
        assertEquals(0, rocksDbInstances(dir), "a RocksDB instance under " + dir + " in a job meant to run on the heap");
    }

    /** RocksDB instances (directories with a {@code CURRENT} file) under {@code dir}. */
    private static long rocksDbInstances(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals("CURRENT")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    /** Grants the first {@code limit} records at once and never another: the source emits them and stays up. */
    static final class StopAfter implements RateLimiterStrategy<NumberSequenceSplit> {
        private static final long serialVersionUID = 1L;
        private final long limit;

        StopAfter(long limit) {
            this.limit = limit;
        }

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            return new RateLimiter<>() {
                private final CompletableFuture<Void> never = new CompletableFuture<>();
                private long granted;

                @Override
                public CompletionStage<Void> acquire(int permits) {
                    if (granted + permits <= limit) {
                        granted += permits;
                        return CompletableFuture.completedFuture(null);
                    }
                    return never;
                }
            };
        }
    }

    /** Adds every output to a static map by key; each key has one writer, so its queue is in arrival order. */
    static final class CollectSink implements Sink<LstmOutput> {
        private static final long serialVersionUID = 1L;
        static final Map<String, Queue<LstmOutput>> BY_KEY = new ConcurrentHashMap<>();
        static final AtomicLong COUNT = new AtomicLong();

        static void clear() {
            BY_KEY.clear();
            COUNT.set(0);
        }

        @Override
        public SinkWriter<LstmOutput> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(LstmOutput o, Context ctx) {
                    BY_KEY.computeIfAbsent(o.key, k -> new ConcurrentLinkedQueue<>()).add(o);
                    COUNT.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
