package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.KafkaJobPhases.Sent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.kafka.KafkaIo;
import dev.lstmflink.connect.kafka.Topics;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.jobs.detect.KafkaRun;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.testutil.TestBroker;
import dev.lstmflink.testutil.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Rescaling the detection job through savepoints (issue 6, "Rescale test"): the Kafka job as {@code KafkaRun} builds it
 * (event time, exactly-once, max parallelism fixed at {@value DetectConfig#MAX_PARALLELISM_DEFAULT}) runs at
 * parallelism 2, is stopped with a savepoint, resumed at parallelism 1, stopped again, resumed at parallelism 4, and its
 * output is compared with one uninterrupted run of the same job over the same records (in a topic of its own, all there
 * from the start, read to its end by a bounded source).
 *
 * <p>The input: {@value #KEYS} sensors over 4 partitions, {@value #STEPS} steps each in three segments, one produced
 * before each phase; some keys' events out of order by a step, some with two events at one timestamp (scored in arrival
 * order), spikes for the scorer. Each phase waits until the job has written a detection for every event the watermark
 * has passed (the watermark trails the newest timestamp by {@code events.out_of_orderness}, 5 s), so at each stop the
 * events of the last 5 s of every key are still waiting in the detector's event-time buffer: the stop has no drain,
 * and those events are in the savepoint. The last phase stops with drain, which ends event time and scores what is
 * left.
 *
 * <p>Checked: at each stop, the detections committed are exactly those of the events behind the watermark and the
 * events waiting are the rest (more than zero); every event waiting at a stop is scored in the next phase, once; each
 * key's first detection after a resume continues its step count from a prediction made before the stop; and every
 * key's detections over the three phases, in the order they were written, equal the uninterrupted run's: prediction,
 * residual, score, threshold, anomaly flag and step, bit for bit. That covers h/c, the pending prediction, the scoring
 * state and the event-time buffers with their timers, moved between 2, 1 and 4 subtasks by key group.
 *
 * <p>Once per scoring mode, each stated explicitly: {@code likelihood}, the default (keyed state {@code likelihood}:
 * both channels' short-term windows and long-term statistics, the value range of the spatial check, the rest
 * countdown), and {@code dynamic}, the default before it (keyed state {@code scoring}: the error window, threshold,
 * the error sequence). Each mode gets a warm-up of 10 events so that its history matters from the first stop on.
 */
class DetectRescaleITCase {

    static final int KEYS = 200;
    static final int PARTITIONS = 4;
    /** Segment ends: steps [0, 20), [20, 35), [35, 50) of every key. */
    static final int[] SEGMENT_ENDS = {20, 35, 50};
    static final int STEPS = SEGMENT_ENDS[SEGMENT_ENDS.length - 1];
    static final int[] PARALLELISM = {2, 1, 4};
    static final long T0 = 1_700_000_000_000L;
    static final long STEP_MS = 1_000;
    static final byte[] MODEL = TestModels.withHead(LstmConfig.of(1, 8), 1, 11);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    static Path work;
    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start(Files.createDirectories(work.resolve("broker")));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScoringConfig.Mode.class, names = {"LIKELIHOOD", "DYNAMIC"})
    void everyKeyContinuesExactlyAfterStopsWithSavepointAtParallelism2Then1Then4(ScoringConfig.Mode mode)
            throws Exception {
        long t = System.nanoTime();
        DetectConfig c = config("rescaled", mode);
        Topics.ensure(c.kafkaSettings(broker.bootstrap));
        String out = c.kafka.outputTopic;
        String savepoints = work.resolve("savepoints-" + mode).toUri().toString();
        long window = c.outOfOrderness().toMillis();

        // the uninterrupted run reads the same records from a topic of its own, all there from the start; it runs
        // beside the first two phases (2 + 2 and 2 + 1 slots) and is done before the third takes all 4
        List<Sent> all = new ArrayList<>();
        for (int phase = 0; phase < PARALLELISM.length; phase++) {
            all.addAll(segment(phase == 0 ? 0 : SEGMENT_ENDS[phase - 1], SEGMENT_ENDS[phase]));
        }
        JobClient straight = startUninterrupted(all, mode);

        List<Sent> produced = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> written = new ArrayList<>();
        List<String> waitingAtLastStop = List.of();
        String savepoint = null;
        long anomaliesAfterAResume = 0;
        for (int phase = 0; phase < PARALLELISM.length; phase++) {
            int from = phase == 0 ? 0 : SEGMENT_ENDS[phase - 1];
            List<Sent> segment = segment(from, SEGMENT_ENDS[phase]);
            KafkaJobPhases.produce(broker.bootstrap, c.kafka.inputTopic, segment);
            produced.addAll(segment);
            // the watermark once the job has read everything: the newest timestamp (every partition's) - delay - 1
            long watermark = T0 + (SEGMENT_ENDS[phase] - 1) * STEP_MS - window - 1;
            List<Sent> behind = produced.stream().filter(s -> s.ts() <= watermark).toList();

            c.flink.parallelism = PARALLELISM[phase];
            if (PARALLELISM[phase] > 2) {
                straight.getJobExecutionResult().get(KafkaJobPhases.GUARD.toSeconds(), TimeUnit.SECONDS);
            }
            long phaseStart = System.nanoTime();
            Map<Integer, Long> start = KafkaJobPhases.endOffsets(broker.bootstrap, out, true);
            var job = KafkaJobPhases.start(c, broker.bootstrap, MODEL, savepoint, "rescale phase " + phase);
            KafkaJobPhases.awaitRecords(broker.bootstrap, out, start, behind.size() - written.size());
            boolean last = phase == PARALLELISM.length - 1;
            savepoint = KafkaJobPhases.stop(job, savepoints, last).savepoint();
            List<ConsumerRecord<byte[], byte[]>> now = KafkaJobPhases.read(broker.bootstrap, out, true, start);
            written.addAll(now);
            String at = "phase " + phase + " (parallelism " + PARALLELISM[phase] + ")";

            // what this phase scored: the events waiting at the last stop, all of them, among the rest
            List<String> scoredNow = KafkaJobPhases.ids(now);
            List<String> missing = new ArrayList<>(waitingAtLastStop);
            scoredNow.forEach(missing::remove);
            assertEquals(List.of(), missing, at + ": events waiting in the savepoint's buffers were not scored");
            if (phase > 0) {
                assertFirstDetectionsContinue(at, written.subList(0, written.size() - now.size()), now, c);
                anomaliesAfterAResume += now.stream().filter(r -> DetectionJson.fromJson(r.value()).anomaly).count();
            }

            if (last) {
                assertEquals(produced.size(), written.size(), at + ": drained, every event is scored once");
            } else {
                assertEquals(behind.size(), written.size(), at + ": detections committed at the stop");
                List<String> waiting = sortedIds(produced.stream().filter(s -> s.ts() > watermark).toList());
                List<String> unscored = sortedIds(produced);
                KafkaJobPhases.ids(written).forEach(unscored::remove);
                assertEquals(waiting, unscored, at + ": the events waiting at the stop are those ahead of the watermark");
                assertTrue(waiting.size() >= KEYS, at + ": " + waiting.size() + " events wait in the buffers");
                System.out.printf(Locale.ROOT, "%s: %,d events produced, %,d scored, %,d waiting in the savepoint %s%n",
                        at, produced.size(), written.size(), waiting.size(), savepoint);
                waitingAtLastStop = waiting;
            }
            System.out.printf(Locale.ROOT, "%s: %d ms%n", at, (System.nanoTime() - phaseStart) / 1_000_000);
        }

        Map<String, List<Detection>> got = KafkaJobPhases.byKey(written);
        Map<String, List<Detection>> want = uninterrupted(straight, all.size(), mode);
        assertEquals(KEYS, want.size());
        assertEquals(want.keySet(), got.keySet());
        for (Map.Entry<String, List<Detection>> e : want.entrySet()) {
            assertEquals(e.getValue(), got.get(e.getKey()), "key " + e.getKey()
                    + ": its detections across the stops differ from the uninterrupted run's");
        }
        long anomalies = want.values().stream().flatMap(List::stream).filter(d -> d.anomaly).count();
        assertTrue(anomalies > 0 && anomaliesAfterAResume > 0,
                "spikes are flagged (" + anomalies + "), also after a resume (" + anomaliesAfterAResume + "), so the "
                        + "comparison covers restored thresholds");
        KafkaJobPhases.assertOnePartitionPerKey(written);
        KafkaJobPhases.assertEmpty(broker.bootstrap, c.kafka.deadLetterTopic);
        System.out.printf(Locale.ROOT, "rescale test (%s): %,d detections equal the uninterrupted run's, %d anomalies "
                + "(%d after a resume); %d ms%n", mode, written.size(), anomalies, anomaliesAfterAResume,
                (System.nanoTime() - t) / 1_000_000);
    }

    /**
     * Each key's first detection in a resumed phase continues the key: the next step, from a prediction made before
     * the stop, with a score (the scoring state past its warm-up came along). In the dynamic mode a key in its warm-up
     * has no threshold (NaN); in the likelihood mode it scores 0, so there each key must score above 0 within its first
     * warm-up's worth of events after the resume, which a history lost in the restore (a new warm-up) would not.
     */
    static void assertFirstDetectionsContinue(String at, List<ConsumerRecord<byte[], byte[]>> before,
            List<ConsumerRecord<byte[], byte[]>> now, DetectConfig c) {
        Map<String, Long> lastStep = new HashMap<>();
        for (Detection d : KafkaJobPhases.byKey(before).values().stream().map(l -> l.get(l.size() - 1)).toList()) {
            lastStep.put(d.key, d.step);
        }
        Map<String, List<Detection>> after = KafkaJobPhases.byKey(now);
        assertEquals(KEYS, after.size(), at + ": every key has detections");
        after.forEach((key, ds) -> {
            Detection first = ds.get(0);
            assertNotNull(lastStep.get(key), at + ": " + key + " was scored before the stop");
            assertEquals(lastStep.get(key) + 1, first.step, at + ": " + key + "'s step count continues: " + first);
            assertNotNull(first.prediction, at + ": the pending prediction survived: " + first);
            assertFalse(Double.isNaN(first.score) || Double.isNaN(first.threshold), at + ": scored: " + first);
            if (c.scoring.mode == ScoringConfig.Mode.LIKELIHOOD) {
                List<Detection> early = ds.subList(0, Math.min(ds.size(), c.scoring.likelihood.warmup));
                assertTrue(early.stream().anyMatch(d -> d.score > 0), at + ": " + key + " scores above 0 within "
                        + early.size() + " events of the resume (its likelihood history came along): " + early);
            }
        });
    }

    /**
     * The same job over the same records (in a topic of its own, the input topic's name and {@code -all}), one run at parallelism 2 to the
     * end of the topic (a bounded source, whose end also ends event time).
     */
    static JobClient startUninterrupted(List<Sent> all, ScoringConfig.Mode mode) throws Exception {
        DetectConfig c = config("straight", mode);
        c.kafka.inputTopic = c.kafka.inputTopic + "-all";
        c.flink.parallelism = 2;
        KafkaSettings s = c.kafkaSettings(broker.bootstrap);
        Topics.ensure(s);
        KafkaJobPhases.produce(broker.bootstrap, c.kafka.inputTopic, all);
        StreamExecutionEnvironment env = KafkaRun.environment(c);
        KafkaRun.build(env, c, s, KafkaIo.sourceBuilder(s).setBounded(OffsetsInitializer.latest()).build(), MODEL,
                "test-model");
        return env.executeAsync("rescale: uninterrupted");
    }

    static Map<String, List<Detection>> uninterrupted(JobClient job, int events, ScoringConfig.Mode mode)
            throws Exception {
        RunCounts counts = RunCounts.of(job.getJobExecutionResult().get(KafkaJobPhases.GUARD.toSeconds(),
                TimeUnit.SECONDS));
        assertEquals(events, counts.scored(), counts.summary());
        assertTrue(counts.balances() && counts.late() == 0, counts.summary());
        List<ConsumerRecord<byte[], byte[]>> r = KafkaJobPhases.read(broker.bootstrap,
                config("straight", mode).kafka.outputTopic, true, null);
        assertEquals(events, r.size());
        KafkaJobPhases.assertOnePartitionPerKey(r);
        return KafkaJobPhases.byKey(r);
    }

    /**
     * The job's settings: the defaults in scoring mode {@code mode}, with a warm-up of 10 events (dynamic: a scoring
     * window of 20; likelihood: a rest of 3 after an alert, so that one spike's rest does not reach over a stop), its
     * own topics (input {@code rescale-<mode>-in}), group and transactional ids.
     */
    static DetectConfig config(String run, ScoringConfig.Mode mode) {
        DetectConfig c = DetectConfig.defaults();
        c.scoring.mode = mode;
        c.scoring.window = 20;
        c.scoring.warmup = 10;
        c.scoring.recomputeEvery = 5;
        c.scoring.likelihood.warmup = 10;
        c.scoring.likelihood.rest = 3;
        String m = mode.name().toLowerCase(Locale.ROOT);
        String name = run + "-" + m;
        c.kafka.inputTopic = "rescale-" + m + "-in";
        c.kafka.outputTopic = name + "-detections";
        c.kafka.deadLetterTopic = name + "-dead-letters";
        c.kafka.groupId = name;
        c.kafka.transactionalIdPrefix = name;
        c.kafka.startingOffsets = "earliest";
        c.kafka.partitions = PARTITIONS;
        c.flink.checkpointInterval = "2 s";
        // the test checks what waits in the buffers at each stop: no quiet release may score it first on a slow machine
        c.events.quietRelease = "0 s";
        c.flink.checkpointDir = work.resolve(name + "-checkpoints").toUri().toString();
        assertEquals(Duration.ofSeconds(5), c.outOfOrderness(), "the shipped watermark delay");
        assertEquals(128, c.flink.maxParallelism);
        assertTrue(c.detectOptions(true).eventTime());
        return c;
    }

    // ---- the input ------------------------------------------------------------------------------------------------

    /**
     * Steps [from, to) of every key, step by step across the keys, key k in partition k mod 4. Keys with k mod 4 = 1
     * send the events of steps 2j and 2j+1 swapped (not the segment's last step, so that every partition's newest
     * timestamp is the segment's last); keys with k mod 10 = 3 send a second event at the same timestamp on steps
     * s mod 7 = 3.
     */
    static List<Sent> segment(int from, int to) {
        List<Sent> out = new ArrayList<>();
        for (int slot = from; slot < to; slot++) {
            for (int k = 0; k < KEYS; k++) {
                int step = slot;
                if (k % 4 == 1 && slot + 1 < to - 1 && (slot - from) % 2 == 0) {
                    step = slot + 1;
                } else if (k % 4 == 1 && slot < to - 1 && (slot - from) % 2 == 1) {
                    step = slot - 1;
                }
                out.add(event(k, step, 0));
                if (k % 10 == 3 && step % 7 == 3) {
                    out.add(event(k, step, 1));
                }
            }
        }
        return out;
    }

    static Sent event(int k, int step, int second) {
        double noise = Math.floorMod((k * 7919L + step * 31L + second) * 2_654_435_761L, 1000) / 1000.0 - 0.5;
        double x = Math.sin(0.3 * step + 0.7 * k) + 0.05 * noise + 0.2 * second;
        if (k % 3 == 0 && (step == 12 + k % 5 || step == 27 + k % 5 || step == 42 + k % 5)) {
            x += 5;
        }
        String key = "k" + k;
        long ts = T0 + step * STEP_MS;
        String json = String.format(Locale.ROOT, "{\"key\":\"%s\",\"ts\":%d,\"values\":[%.4f]}", key, ts, x);
        return new Sent(k % PARTITIONS, key, ts, json);
    }

    static List<String> sortedIds(List<Sent> sent) {
        List<String> ids = new ArrayList<>(sent.stream().map(Sent::id).toList());
        ids.sort(null);
        return ids;
    }
}
