package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.connect.HostileRecords;
import dev.lstmflink.connect.HostileRecords.Kind;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.flink.detect.KafkaJobPhases;
import dev.lstmflink.flink.detect.RunCounts;
import dev.lstmflink.testutil.TestBroker;
import dev.lstmflink.testutil.TestModels;
import dev.lstmflink.testutil.TestProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's run at a small size: a client writes {@value #KEYS} sensors' readings, one every 15 minutes of event time
 * ({@value #STEPS} each, keyed by sensor, so Kafka's default partitioner spreads them over the shipped 4 partitions),
 * with malformed records of many kinds in between ({@link HostileRecords}: every malformed kind that fits the shipped
 * {@code input.max_record_bytes}, plus the too-large one a broker takes), and then stops. The detection job runs as
 * {@code jobs/detect --kafka} runs it ({@code KafkaRun}'s environment and graph, an unbounded source, so event time
 * never ends by itself) with the shipped {@code config/detect.yaml}: event time, 5 s out-of-orderness, exactly-once.
 * Only what the test needs is set, as {@code --set} would: the topics, group and transactional ids, a checkpoint
 * interval of {@value #CHECKPOINT_MS} ms (the shipped 10 s would only make the test wait) and
 * {@code events.quiet_release}.
 *
 * <p>Once the input stops, the watermark stays {@code out_of_orderness} behind the last readings, so each sensor's
 * newest reading waits for a watermark that never comes. Two jobs read the same input side by side:
 * <ul>
 *   <li>{@code events.quiet_release: 2 s}: every valid event has exactly one committed detection
 *       ({@code read_committed}), each sensor's steps 1..{@value #STEPS} in timestamp order; the job is then stopped
 *       with a savepoint and without drain, so nothing but the quiet release can have scored the last readings; every
 *       malformed record has one dead letter with its reason at its partition and offset; the job's counts balance;</li>
 *   <li>{@code events.quiet_release: 0 s} (off), the counter-case that shows the test can fail: after the time the
 *       first job needed plus {@link #MARGIN}, exactly one event per sensor, its newest, has no detection, and the
 *       dead letters are all there; stopped with drain (which ends event time), the job scores those
 *       {@value #KEYS} too, so they were waiting, not lost.</li>
 * </ul>
 */
class QuietReleaseKafkaITCase {

    static final int KEYS = 20;
    static final int STEPS = 100;
    static final int VALID = KEYS * STEPS;
    static final int PARTITIONS = 4;
    /** 2023-11-14T22:13:20Z, well behind the clock (events.max_ahead). */
    static final long T0 = 1_700_000_000_000L;
    static final long EVERY_MS = Duration.ofMinutes(15).toMillis();
    static final long LAST_TS = T0 + (STEPS - 1) * EVERY_MS;
    static final long CHECKPOINT_MS = 500;
    static final Duration QUIET_RELEASE = Duration.ofSeconds(2);
    /**
     * How much longer than the passing run the counter-case gets: more than the quiet release rounded up to the
     * timer granularity (1 s) plus a few checkpoint intervals, so that a release would have been committed by then.
     */
    static final Duration MARGIN = Duration.ofSeconds(5);
    /** The broker's default {@code message.max.bytes} (and the producer's {@code max.request.size}), less headroom. */
    static final int BROKER_MAX_VALUE = 1_000_000;
    static final String IN = "quiet-sensor-events";
    static final byte[] MODEL = TestModels.withHead(LstmConfig.of(HostileRecords.VALUES, 8), HostileRecords.VALUES, 5);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

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

    /** The input as sent: each malformed record by {@code partition@offset}, and the total. */
    record Input(Map<String, Kind> malformed, int records) {}

    @Test
    void aStoppedInputHasEverySensorsLastReadingScoredByTheQuietReleaseAndWithoutItTheyWait() throws Exception {
        long start = System.nanoTime();
        DetectConfig released = config("released", "2 s");
        DetectConfig waiting = config("waiting", "0 s");
        assertTrue(released.detectOptions(true).eventTime(), "the shipped config runs in event time");
        assertEquals(DetectConfig.Delivery.EXACTLY_ONCE, released.kafka.delivery, "the shipped config is exactly-once");
        assertEquals(QUIET_RELEASE, released.detectOptions(true).quietRelease());
        assertEquals(Duration.ZERO, waiting.detectOptions(true).quietRelease());
        assertEquals(PARTITIONS, released.kafka.partitions, "the shipped partitions");
        Topics.ensure(released.kafkaSettings(broker.bootstrap));  // the input topic and the first job's outputs
        Topics.ensure(waiting.kafkaSettings(broker.bootstrap));
        Input in = produce(released.input.maxRecordBytes);
        int malformed = in.malformed().size();
        String savepoints = work.resolve("savepoints").toUri().toString();

        long jobsStart = System.nanoTime();
        KafkaJobPhases.Phase a = KafkaJobPhases.start(released, broker.bootstrap, MODEL, null, "quiet release 2 s");
        KafkaJobPhases.Phase b = KafkaJobPhases.start(waiting, broker.bootstrap, MODEL, null, "quiet release off");

        // ---- quiet release 2 s: every valid event committed, although the input has stopped
        awaitCommitted(released.kafka.outputTopic, VALID);
        long passingMs = (System.nanoTime() - jobsStart) / 1_000_000;

        // ---- quiet release off: the same time and a margin later, each sensor's newest reading is still waiting
        awaitCommitted(waiting.kafka.outputTopic, VALID - KEYS);
        long until = Math.max(jobsStart + Duration.ofMillis(passingMs).plus(MARGIN).toNanos(),
                System.nanoTime() + 2 * CHECKPOINT_MS * 1_000_000);  // and two checkpoints after it got there
        Thread.sleep(Math.max(0, (until - System.nanoTime()) / 1_000_000));
        long waitedMs = (System.nanoTime() - jobsStart) / 1_000_000;
        List<ConsumerRecord<byte[], byte[]>> detectionsB = broker.readCommitted(waiting.kafka.outputTopic);
        System.out.printf(Locale.ROOT, "quiet release off: %,d detections committed %d ms after the start%n",
                detectionsB.size(), waitedMs);

        // the first job, stopped without drain (which would end event time): nothing else can score a last reading
        RunCounts countsA = RunCounts.of(KafkaJobPhases.stop(a, savepoints, false).result());
        List<ConsumerRecord<byte[], byte[]>> detectionsA = broker.readCommitted(released.kafka.outputTopic);
        System.out.printf(Locale.ROOT, "quiet release 2 s: %,d detections committed %d ms after the start; %s%n",
                detectionsA.size(), passingMs, countsA.summary());
        assertEquals(VALID, detectionsA.size(), "one committed detection per valid event");
        Map<String, List<Detection>> byKeyA = byKey(detectionsA);
        assertEquals(KEYS, byKeyA.size());
        byKeyA.forEach((key, ds) -> assertSteps(key, ds, STEPS));
        assertDeadLetters(released.kafka.deadLetterTopic, in);
        assertEquals(in.records(), countsA.received(), countsA.summary());
        assertEquals(VALID, countsA.scored(), countsA.summary());
        assertEquals(malformed, countsA.deadLettered(), countsA.summary());
        assertEquals(0, countsA.late(), countsA.summary());
        assertTrue(countsA.balances(), countsA.summary());

        Map<String, List<Detection>> byKeyB = byKey(detectionsB);
        Set<String> unscored = new TreeSet<>();
        for (int k = 0; k < KEYS; k++) {
            List<Detection> ds = byKeyB.getOrDefault("k" + k, List.of());
            for (int step = ds.size(); step < STEPS; step++) {
                unscored.add("k" + k + "@" + (T0 + step * EVERY_MS));
            }
        }
        Set<String> newest = new TreeSet<>();
        for (int k = 0; k < KEYS; k++) {
            newest.add("k" + k + "@" + LAST_TS);
        }
        assertEquals(VALID - KEYS, detectionsB.size(), "without the quiet release, each sensor's newest reading waits "
                + "for a watermark that never comes (" + waitedMs + " ms after the start; unscored: " + unscored + ")");
        byKeyB.forEach((key, ds) -> assertSteps(key, ds, STEPS - 1));
        assertEquals(newest, unscored);
        assertDeadLetters(waiting.kafka.deadLetterTopic, in);

        // drained, event time ends and the waiting readings are scored: they were held, not lost
        RunCounts countsB = RunCounts.of(KafkaJobPhases.stop(b, savepoints, true).result());
        List<ConsumerRecord<byte[], byte[]>> drained = broker.readCommitted(waiting.kafka.outputTopic);
        System.out.printf(Locale.ROOT, "quiet release off, drained: %,d detections; %s; test %d ms%n", drained.size(),
                countsB.summary(), (System.nanoTime() - start) / 1_000_000);
        assertEquals(VALID, drained.size(), "after the drain, one committed detection per valid event");
        byKey(drained).forEach((key, ds) -> assertSteps(key, ds, STEPS));
        assertEquals(VALID, countsB.scored(), countsB.summary());
        assertEquals(malformed, countsB.deadLettered(), countsB.summary());
        assertTrue(countsB.balances() && countsB.late() == 0, countsB.summary());
    }

    /**
     * The shipped {@code config/detect.yaml} with {@code --set} overrides: the run's own topics, group and
     * transactional ids and checkpoints, a short checkpoint interval, and the quiet release.
     */
    static DetectConfig config(String run, String quietRelease) throws Exception {
        Path shipped = Path.of("config/detect.yaml");
        String name = "quiet-" + run;
        return DetectConfig.parse(Files.readString(shipped), shipped.toString(), List.of(
                "events.quiet_release=" + quietRelease,
                "flink.checkpoint_interval=" + CHECKPOINT_MS + " ms",
                "flink.checkpoint_dir=" + work.resolve(name + "-checkpoints").toUri(),
                "kafka.input_topic=" + IN,
                "kafka.output_topic=" + name + "-detections",
                "kafka.dead_letter_topic=" + name + "-dead-letters",
                "kafka.group_id=" + name,
                "kafka.transactional_id_prefix=" + name));
    }

    // ---- the input ------------------------------------------------------------------------------------------------

    /**
     * The malformed kinds that keep their reason under the job's record limit (a longer record is {@code too_large}
     * whatever else it is), and the too-large ones a broker with default limits takes.
     */
    static List<Kind> malformedKinds(int maxRecordBytes) {
        return HostileRecords.malformed().stream()
                .filter(k -> k.value() == null || k.value().length <= maxRecordBytes
                        || (DeadLetter.TOO_LARGE.equals(k.reason()) && k.value().length <= BROKER_MAX_VALUE))
                .toList();
    }

    /**
     * Step by step, every sensor's reading ({@code k0..k19}, keyed by sensor: one partition each, in order), with the
     * next malformed record (no Kafka key, partitions in turn) after every few readings; the last records are
     * readings. Then the input stops.
     */
    static Input produce(int maxRecordBytes) throws Exception {
        List<Kind> bad = malformedKinds(maxRecordBytes);
        assertTrue(bad.size() >= 30, "malformed kinds: " + bad.size());
        int every = VALID / (bad.size() + 1);
        List<Future<RecordMetadata>> badSent = new ArrayList<>();
        Set<Integer> partitionsWithReadings = new HashSet<>();
        List<Future<RecordMetadata>> readings = new ArrayList<>();
        try (TestProducer<byte[], byte[]> producer = TestProducer.bytes(broker.bootstrap, IN, Map.of())) {
            int nextBad = 0;
            for (int i = 0; i < VALID; i++) {
                int key = i % KEYS;
                int step = i / KEYS;
                String json = String.format(Locale.ROOT, "{\"key\":\"k%d\",\"ts\":%d,\"values\":[%.4f,%.4f]}", key,
                        T0 + step * EVERY_MS, Math.sin(0.2 * step + key), Math.cos(0.2 * step + key));
                readings.add(producer.send(new ProducerRecord<>(IN, ("k" + key).getBytes(StandardCharsets.UTF_8),
                        json.getBytes(StandardCharsets.UTF_8))));
                if (i % every == every - 1 && nextBad < bad.size()) {
                    Kind k = bad.get(nextBad++);
                    badSent.add(producer.send(new ProducerRecord<>(IN, nextBad % PARTITIONS, null, k.value())));
                }
            }
            assertEquals(bad.size(), nextBad, "every malformed record sent among the readings");
            producer.finish();
        }
        for (Future<RecordMetadata> f : readings) {
            partitionsWithReadings.add(f.get().partition());
        }
        // else a partition of malformed records only would hold the watermark back for the source's idleness (30 s)
        assertEquals(PARTITIONS, partitionsWithReadings.size(), "readings in every partition");
        Map<String, Kind> malformed = new HashMap<>();
        for (int i = 0; i < bad.size(); i++) {
            RecordMetadata m = badSent.get(i).get();
            malformed.put(m.partition() + "@" + m.offset(), bad.get(i));
        }
        System.out.printf(Locale.ROOT, "produced %,d readings of %d sensors and %d malformed records%n", VALID, KEYS,
                malformed.size());
        return new Input(malformed, VALID + malformed.size());
    }

    // ---- reading back ---------------------------------------------------------------------------------------------

    /** Waits until {@code topic} has at least {@code n} committed records (at most {@link KafkaJobPhases#GUARD}). */
    static void awaitCommitted(String topic, int n) throws InterruptedException {
        long deadline = System.nanoTime() + KafkaJobPhases.GUARD.toNanos();
        int seen;
        while ((seen = broker.readCommitted(topic).size()) < n) {
            if (System.nanoTime() > deadline) {
                fail(topic + ": " + seen + " of " + n + " records committed after " + KafkaJobPhases.GUARD);
            }
            Thread.sleep(200);
        }
    }

    /**
     * Detections by sensor, each sensor's in the order they were written; checks each is keyed by its sensor, each
     * sensor's are in one partition (so offset order is write order) and no (key, ts) has two.
     */
    static Map<String, List<Detection>> byKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<Detection>> m = new LinkedHashMap<>();
        Map<String, Integer> partition = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Detection d = DetectionJson.fromJson(r.value());
            assertEquals(d.key, new String(r.key(), StandardCharsets.UTF_8), "the record key is the sensor");
            Integer p = partition.putIfAbsent(d.key, r.partition());
            assertTrue(p == null || p == r.partition(), d.key + "'s detections are in partitions " + p + " and "
                    + r.partition());
            assertTrue(seen.add(d.key + "@" + d.ts), "two detections of " + d.key + " at " + d.ts);
            m.computeIfAbsent(d.key, k -> new ArrayList<>()).add(d);
        }
        return m;
    }

    /** {@code key}'s detections are its first {@code n} readings, steps 1..n in timestamp order. */
    static void assertSteps(String key, List<Detection> ds, int n) {
        assertEquals(n, ds.size(), key + "'s detections");
        for (int i = 0; i < n; i++) {
            Detection d = ds.get(i);
            assertEquals(T0 + i * EVERY_MS, d.ts, key + "'s detection " + (i + 1) + ": " + d);
            assertEquals(i + 1, d.step, key + "'s step: " + d);
        }
    }

    /** Exactly one committed dead letter per malformed record, at its partition and offset, with its reason. */
    static void assertDeadLetters(String topic, Input in) {
        Map<String, DeadLetter> got = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : broker.readCommitted(topic)) {
            DeadLetter d = DeadLetterJson.fromJson(rec.value());
            String at = d.partition + "@" + d.offset;
            assertNull(got.put(at, d), "two dead letters for " + at);
            assertEquals(IN, d.source, d.toString());
            Kind k = in.malformed().get(at);
            assertNotNull(k, "a dead letter for a record that was not malformed: " + d);
            assertEquals(k.reason(), d.reason, () -> k.name() + ": " + d);
            assertTrue(d.detail != null && !d.detail.isBlank(), d.toString());
        }
        assertEquals(new TreeSet<>(in.malformed().keySet()), new TreeSet<>(got.keySet()),
                topic + ": dead letters by partition@offset");
        Map<String, Long> byReason = new TreeMap<>();
        got.values().forEach(d -> byReason.merge(d.reason, 1L, Long::sum));
        System.out.printf(Locale.ROOT, "%s: %d dead letters %s%n", topic, got.size(), byReason);
    }
}
