package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link LstmStreams#swappableLstm} in a running job on a MiniCluster: a model swapped in on the broadcast input takes
 * over every key's state where the old model left it, and an incompatible model is refused on
 * {@link LstmStreams#MODEL_REJECTED} while the accepted one keeps serving.
 *
 * <p><b>How the order between the two inputs is controlled.</b> Flink gives no order between a keyed input and a
 * broadcast input, so the test orders them itself. Both sources are {@code DataGeneratorSource}s behind a
 * {@link Gate}: a rate limiter that grants a record only when the test has released one, so the test decides when
 * each record leaves its source (non-blocking: the source task keeps serving its mailbox while it waits). Then:
 * <ol>
 *   <li>release the first {@value #STEPS_BEFORE} events of every key and wait until all their outputs are in the
 *       sink: they were all computed by model 1;</li>
 *   <li>release the two model updates, {@code v2} then {@code v3-bad}, and wait until the rejection of
 *       {@code v3-bad} has come from every one of the {@value #PARALLELISM} LSTM subtasks (each subtask checks every
 *       broadcast update itself and reports its own refusal). A subtask receives the broadcast records of the single
 *       update source in order, so its rejection of {@code v3-bad} proves it had already processed {@code v2};</li>
 *   <li>only then release the next {@value #STEPS_AFTER} events of every key: every subtask already runs {@code v2}.</li>
 * </ol>
 * The keys are chosen so that both subtasks own some. The job runs on processing time: with event time, the idle
 * broadcast input would hold back the operator's watermark.
 */
class ModelSwapITCase {

    static final int PARALLELISM = 2;
    static final int MAX_PARALLELISM = 128;
    static final int STEPS_BEFORE = 20;
    static final int STEPS_AFTER = 20;
    static final long WAIT_MS = 60_000;

    static final LstmConfig CFG = LstmConfig.of(2, 8);
    static final byte[] MODEL_1 = TestModels.withHead(CFG, 1, 11);
    static final byte[] MODEL_2 = TestModels.withHead(CFG, 1, 22);
    /** Hidden size 12 instead of 8: every key's state has the wrong shape for it. */
    static final byte[] MODEL_BAD = TestModels.withHead(LstmConfig.of(2, 12), 1, 33);
    /** STATE: each output is the key's whole h and c, so the comparison sees the full state that carries over. */
    static final LstmFunctionConfig FN = LstmFunctionConfig.processingTime(OutputKind.STATE);
    static final List<String> KEYS = keysOnEverySubtask(2);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(2)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    /**
     * Outputs before the swap carry model 1's version and equal model 1 stepped offline; outputs after it carry
     * {@code v2} and equal model 2 stepped offline from the state model 1 left; {@code v3-bad} is rejected with its
     * shape mismatch as the reason and changes nothing.
     */
    @Test
    void swappedModelContinuesEachKeysStateAndIncompatibleModelIsRejected() throws Exception {
        long t0 = System.nanoTime();
        Gate events = new Gate("events");
        Gate updates = new Gate("updates");
        Collect<LstmOutput> outputs = new Collect<>("outputs");
        Collect<ModelRejection> rejected = new Collect<>("rejected");
        JobClient job = start(events, updates, outputs, rejected);

        int perPhase = KEYS.size() * STEPS_BEFORE;
        events.release(perPhase);
        await(job, outputs, perPhase, "outputs of model 1");
        updates.release(2);
        await(job, rejected, PARALLELISM, "rejections of v3-bad, one per subtask");
        events.release((long) KEYS.size() * STEPS_AFTER);
        await(job, outputs, perPhase + KEYS.size() * STEPS_AFTER, "outputs in all");
        events.open();    // each source asks for one more record before it sees its end, then the job finishes
        updates.open();
        job.getJobExecutionResult().get(WAIT_MS, TimeUnit.MILLISECONDS);
        System.out.printf("ModelSwapITCase: job with %d keys, swap and rejection: %d ms%n", KEYS.size(),
                (System.nanoTime() - t0) / 1_000_000);

        assertRejections(rejected.items());
        assertOutputs(byKey(outputs.items()));
    }

    private static JobClient start(Gate events, Gate updates, Collect<LstmOutput> outputs,
            Collect<ModelRejection> rejected) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(PARALLELISM);
        int total = KEYS.size() * (STEPS_BEFORE + STEPS_AFTER);
        DataStream<SensorEvent> eventStream = env.fromSource(
                new DataGeneratorSource<>(i -> event(KEYS.get((int) (i % KEYS.size())), (int) (i / KEYS.size())),
                        total, events, TypeInformation.of(SensorEvent.class)),
                WatermarkStrategy.noWatermarks(), "events").setParallelism(1);
        DataStream<ModelUpdate> updateStream = env.fromSource(
                new DataGeneratorSource<>(i -> i == 0 ? new ModelUpdate("v2", MODEL_2)
                        : new ModelUpdate("v3-bad", MODEL_BAD), 2, updates, TypeInformation.of(ModelUpdate.class)),
                WatermarkStrategy.noWatermarks(), "model updates").setParallelism(1);
        SingleOutputStreamOperator<LstmOutput> out =
                LstmStreams.swappableLstm(eventStream, updateStream, FN, MODEL_1, "model-1");
        out.sinkTo(outputs);
        out.getSideOutput(LstmStreams.MODEL_REJECTED).sinkTo(rejected);
        return env.executeAsync("model swap");
    }

    private static void assertRejections(List<ModelRejection> rejections) {
        assertEquals(PARALLELISM, rejections.size(), "one rejection of v3-bad per subtask, nothing else: " + rejections);
        assertEquals(java.util.Set.of(0, 1), rejections.stream().map(r -> r.subtask)
                .collect(java.util.stream.Collectors.toSet()), "each subtask reports its own refusal once");
        for (ModelRejection r : rejections) {
            assertEquals("v3-bad", r.version, r.toString());
            assertTrue(r.reason != null && r.reason.contains("hidden_size=12"), "reason names the new shape: " + r);
            assertTrue(r.reason.contains("running model v2 has input_size=2, hidden_size=8,"),
                    "reason names the running model v2 and its hidden size 8: " + r);
        }
    }

    private static void assertOutputs(Map<String, List<LstmOutput>> got) throws Exception {
        LstmModel m1 = LstmModelFile.read(MODEL_1, "model-1");
        LstmModel m2 = LstmModelFile.read(MODEL_2, "model-2");
        LstmStepper<float[]> s1 = m1.lstm().stepper();
        LstmStepper<float[]> s2 = m2.lstm().stepper();
        assertEquals(KEYS.size(), got.size(), "keys with outputs: " + got.keySet());
        for (String key : KEYS) {
            List<LstmOutput> outs = got.get(key);
            assertEquals(STEPS_BEFORE + STEPS_AFTER, outs.size(), "outputs of " + key);
            float[] state = s1.newState();
            for (int s = 0; s < STEPS_BEFORE + STEPS_AFTER; s++) {
                boolean swapped = s >= STEPS_BEFORE;
                float[] x = values(key, s);
                if (s == STEPS_BEFORE) {
                    float[] oldModel = state.clone();
                    s1.step(x, 0, oldModel);
                    float[] newModel = state.clone();
                    s2.step(x, 0, newModel);
                    assertFalse(Arrays.equals(oldModel, newModel), "models 1 and 2 must differ for the test to mean "
                            + "anything");
                }
                (swapped ? s2 : s1).step(x, 0, state);
                LstmOutput o = outs.get(s);
                String at = key + " step " + (s + 1);
                assertEquals(s + 1, o.step, at + ": step index (the key's state carried over)");
                assertEquals(1_000L * s, o.ts, at + ": event time");
                assertEquals(swapped ? "v2" : m1.version(), o.modelVersion, at + ": model version");
                assertArrayEquals(state, o.values, at + ": h and c, " + (swapped
                        ? "model 2 stepped from the state model 1 left" : "model 1"));
            }
        }
    }

    static SensorEvent event(String key, int step) {
        return new SensorEvent(key, 1_000L * step, values(key, step));
    }

    static float[] values(String key, int step) {
        int k = key.hashCode();
        return new float[] {(float) Math.sin(0.3 * step + k), (float) Math.cos(0.2 * step - k)};
    }

    /** {@code perSubtask} keys for each LSTM subtask, so both subtasks swap models with keyed state in them. */
    static List<String> keysOnEverySubtask(int perSubtask) {
        Map<Integer, List<String>> bySubtask = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; keys.size() < PARALLELISM * perSubtask; i++) {
            String key = "sensor-" + i;
            int subtask = KeyGroupRangeAssignment.assignKeyToParallelOperator(key, MAX_PARALLELISM, PARALLELISM);
            List<String> own = bySubtask.computeIfAbsent(subtask, s -> new ArrayList<>());
            if (own.size() < perSubtask) {
                own.add(key);
                keys.add(key);
            }
        }
        return List.copyOf(keys);
    }

    private static Map<String, List<LstmOutput>> byKey(List<LstmOutput> outputs) {
        Map<String, List<LstmOutput>> m = new LinkedHashMap<>();
        for (LstmOutput o : outputs) {
            m.computeIfAbsent(o.key, k -> new ArrayList<>()).add(o);
        }
        return m;
    }

    /** Waits until {@code sink} holds {@code expected} items; fails at once if the job ends. */
    private static void await(JobClient job, Collect<?> sink, int expected, String what) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (sink.size() < expected) {
            JobStatus status = job.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                try {
                    job.getJobExecutionResult().get();
                } catch (Exception e) {
                    throw new AssertionError("job ended " + status + " waiting for " + what, e);
                }
                fail("job ended " + status + " with " + sink.size() + " of " + expected + " " + what);
            }
            if (System.currentTimeMillis() > deadline) {
                fail(sink.size() + " of " + expected + " " + what + " after " + WAIT_MS + " ms");
            }
            Thread.sleep(20);
        }
        Thread.sleep(200);   // a moment for anything beyond the expected items to show up
        assertEquals(expected, sink.size(), what);
    }

    /**
     * A valve on a {@code DataGeneratorSource}: its rate limiter grants a record only after the test released one.
     * Only a name travels with the job; the valve is static (the MiniCluster runs in this JVM).
     */
    static final class Gate implements RateLimiterStrategy<NumberSequenceSplit> {
        private static final long serialVersionUID = 1L;
        private static final Map<String, Valve> VALVES = new ConcurrentHashMap<>();
        private final String name;

        Gate(String name) {
            this.name = name;
            VALVES.put(name, new Valve());
        }

        void release(long records) {
            VALVES.get(name).release(records);
        }

        /** Lets the source run to its end. */
        void open() {
            release(Long.MAX_VALUE / 2);
        }

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            Valve valve = VALVES.get(name);
            return valve::acquire;
        }
    }

    static final class Valve {
        private long granted;
        private long taken;
        private int waitingFor;
        private CompletableFuture<Void> waiting;

        synchronized CompletionStage<Void> acquire(int permits) {
            if (taken + permits <= granted) {
                taken += permits;
                return CompletableFuture.completedFuture(null);
            }
            waitingFor = permits;
            waiting = new CompletableFuture<>();
            return waiting;
        }

        void release(long records) {
            CompletableFuture<Void> wake = null;
            synchronized (this) {
                granted += records;
                if (waiting != null && taken + waitingFor <= granted) {
                    taken += waitingFor;
                    wake = waiting;
                    waiting = null;
                }
            }
            if (wake != null) {
                wake.complete(null);   // outside the lock: completion runs the source's continuation
            }
        }
    }

    /** A Sink V2 that adds every record to a static queue by name (the MiniCluster runs in this JVM). */
    static final class Collect<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private static final Map<String, Queue<Object>> QUEUES = new ConcurrentHashMap<>();
        private final String name;

        Collect(String name) {
            this.name = name;
            QUEUES.put(name, new ConcurrentLinkedQueue<>());
        }

        int size() {
            return QUEUES.get(name).size();
        }

        @SuppressWarnings("unchecked")
        List<T> items() {
            return new ArrayList<>((Queue<T>) (Queue<?>) QUEUES.get(name));
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> queue = QUEUES.get(name);
            return new SinkWriter<>() {
                @Override
                public void write(T item, Context ctx) {
                    queue.add(item);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
