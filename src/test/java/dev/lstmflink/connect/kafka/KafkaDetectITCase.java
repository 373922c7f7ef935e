package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.ParseFunction;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.flink.detect.DetectPipeline;
import dev.lstmflink.flink.detect.DetectStreams;
import dev.lstmflink.flink.detect.RunCounts;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestBroker;
import dev.lstmflink.testutil.TestModels;
import dev.lstmflink.testutil.TestProducer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The detection job end to end over a real Kafka broker (KRaft, in this JVM, as {@code jobs/kafka-local} configures
 * it) and a Flink MiniCluster, exactly-once, checkpoints every {@value #CHECKPOINT_MS} ms.
 *
 * <p>{@value #RECORDS} input records: {@value #KEYS} sensors' JSON events (each sensor's events under its key, so in
 * one partition and in order) with {@value #MALFORMED} malformed records of {@value #KINDS} kinds mixed in, one every
 * {@value #EVERY} records. The job reads them with a bounded {@link KafkaIo#sourceBuilder} (up to the end offsets at
 * start, then it finishes by itself) and writes with {@link KafkaIo#detectionSink} and {@link KafkaIo#deadLetterSink};
 * the topics are read back with {@code read_committed}, so only what the job committed counts.
 *
 * <p>Checked: every valid event has exactly one detection, in order per key; every malformed record has exactly one
 * dead letter with the reason it deserves and its topic, partition and offset; the run's counts balance; and the same
 * events replayed as file lines through the same pipeline give the same detections, so Kafka changes nothing. The
 * main run is the job's own graph ({@code jobs.detect.KafkaRun.build}): event time with {@link PartitionWatermarks},
 * no event late; a second test reads the same topic through the bare operators and checks the same for the
 * watermarks alone, against the after-parse watermarks that made a backlog late. Also {@link Topics#ensure}: missing
 * topics named, created on request, an unreachable broker reported; and the client properties' defaults.
 */
class KafkaDetectITCase {

    static final int KEYS = 50;
    static final int RECORDS = 100_000;
    static final int EVERY = 100;
    static final int MALFORMED = RECORDS / EVERY;
    static final int VALID = RECORDS - MALFORMED;
    static final int STEPS = VALID / KEYS;
    static final int PARTITIONS = 4;
    static final int MAX_BYTES = 1024;
    static final long CHECKPOINT_MS = 500;
    static final long T0 = 1_700_000_000_000L;
    static final String IN = "sensors";
    static final String OUT = "detections";
    static final String DLQ = "dead-letters";

    static final byte[] MODEL = TestModels.withHead(LstmConfig.of(1, 8), 1, 11);
    /** The default scoring (likelihood): each key's 1,980 events get well past its warm-up of 100. */
    static final ScoringConfig SCORING = config().scoring();

    /**
     * The job's settings for the main run, which goes through the job's own wiring ({@code KafkaRun.build}): event
     * time with per-partition watermarks, the default scoring. (Until the likelihood mode became the default, this
     * test ran the dynamic mode with a window of 50 and a warm-up of 20; what it checks does not depend on the mode.)
     */
    static DetectConfig config() {
        DetectConfig c = DetectConfig.defaults();
        c.input.maxRecordBytes = MAX_BYTES;
        return c;
    }

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static Path brokerDir;
    static TestBroker broker;
    static KafkaRun run;
    static Throwable runFailure;

    @BeforeAll
    static void startBroker() throws Exception {
        long t = System.nanoTime();
        brokerDir = Files.createTempDirectory("kafka-detect-it");
        broker = TestBroker.start(brokerDir);
        System.out.printf("broker ready in %d ms%n", (System.nanoTime() - t) / 1_000_000);
    }

    @AfterAll
    static void stopBroker() throws IOException {
        if (broker != null) {
            broker.stop();
        }
        if (brokerDir != null) {
            try (Stream<Path> files = Files.walk(brokerDir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void everyRecordIsScoredOrDeadLetteredExactlyOnceAndTheCountsBalance() throws Exception {
        KafkaRun r = kafkaRun();

        RunCounts c = r.counts;
        assertEquals(RECORDS, c.received(), c.summary());
        assertEquals(VALID, c.scored(), c.summary());
        assertEquals(MALFORMED, c.deadLettered(), c.summary());
        assertEquals(0, c.late(), c.summary());
        assertTrue(c.balances(), c.summary());
        Map<String, Long> expectedByReason = new TreeMap<>();
        r.expectedDeadLetters.values().forEach(e -> expectedByReason.merge(e.reason(), 1L, Long::sum));
        assertEquals(expectedByReason, new TreeMap<>(c.deadLetters().byReason()));

        // detections: one per valid event, matched by key and ts, with the event's values, in order per key
        assertEquals(VALID, r.detectionRecords.size(), "detection records committed to " + OUT);
        Map<String, Set<Integer>> partitionsOfKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : r.detectionRecords) {
            Detection d = DetectionJson.fromJson(rec.value());
            assertEquals(d.key, new String(rec.key(), StandardCharsets.UTF_8), "the record key is the sensor key");
            partitionsOfKey.computeIfAbsent(d.key, k -> new HashSet<>()).add(rec.partition());
        }
        partitionsOfKey.forEach((k, p) -> assertEquals(1, p.size(), k + "'s detections are in partitions " + p));
        assertEquals(KEYS, r.detections.size());
        for (int key = 0; key < KEYS; key++) {
            Map<Long, Detection> ofKey = r.detections.get("k" + key);
            assertNotNull(ofKey, "no detection for k" + key);
            assertEquals(STEPS, ofKey.size(), "k" + key + ": one detection per event");
            for (int step = 0; step < STEPS; step++) {
                Detection d = ofKey.get(T0 + 1000L * step);
                assertNotNull(d, "k" + key + " step " + step);
                float want = (float) Double.parseDouble(valueText(key, step));
                assertEquals(want, d.values[0], "k" + key + " step " + step + ": " + d);
                assertEquals(step + 1, d.step, "k" + key + "'s events were scored out of order: " + d);
            }
        }
        long anomalies = r.detections.values().stream().flatMap(m -> m.values().stream()).filter(d -> d.anomaly).count();
        assertTrue(anomalies > 0, "the spikes are flagged somewhere (else the file comparison checks no flag)");

        // dead letters: one per malformed record, with its reason and origin
        assertEquals(MALFORMED, r.deadLetterRecords.size(), "dead-letter records committed to " + DLQ);
        Map<String, String> got = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : r.deadLetterRecords) {
            DeadLetter d = DeadLetterJson.fromJson(rec.value());
            assertEquals(IN, d.source, d.toString());
            String at = d.partition + "@" + d.offset;
            assertNull(got.put(at, d.reason), "two dead letters for " + at + ": " + d);
            assertEquals(IN + "-" + d.partition, new String(rec.key(), StandardCharsets.UTF_8), "dead letter key");
            assertTrue(d.detail != null && !d.detail.isBlank(), d.toString());
            Malformed sent = r.expectedDeadLetters.get(at);
            assertNotNull(sent, "a dead letter for a record that was not malformed: " + d);
            // the record as sent, for replay (a tombstone's raw is empty; an oversized record keeps its first bytes)
            byte[] raw = sent.bytes() == null ? new byte[0] : sent.bytes();
            byte[] kept = d.rawBytes();
            assertTrue(d.rawTruncated ? Arrays.equals(kept, Arrays.copyOf(raw, kept.length)) && kept.length < raw.length
                    : Arrays.equals(kept, raw), "raw of " + d);
        }
        Map<String, String> want = new HashMap<>();
        r.expectedDeadLetters.forEach((at, m) -> want.put(at, m.reason()));
        assertEquals(want, got, "dead letters by partition@offset");
    }

    @Test
    void kafkaGivesTheSameDetectionsAsAReplayOfTheSameEventsFromAFile() throws Exception {
        KafkaRun r = kafkaRun();

        List<RawRecord> lines = new ArrayList<>(VALID);
        for (int v = 0; v < VALID; v++) {
            lines.add(RawRecord.line("replay.jsonl", v + 1, eventJson(v % KEYS, v / KEYS)));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<RawRecord> raw = env.fromData(lines);
        DetectPipeline.Outputs out = DetectPipeline.build(raw, new JsonRecordParser(1, MAX_BYTES), SCORING,
                DetectOptions.processingTime(), Duration.ZERO, MODEL, "test-model");
        long start = System.nanoTime();
        List<Detection> fromFile = collect(out.detections(), "file replay");
        System.out.printf("file replay: %,d detections in %d ms%n", fromFile.size(),
                (System.nanoTime() - start) / 1_000_000);
        assertEquals(VALID, fromFile.size());
        for (Detection d : fromFile) {
            // all ten fields, step and model version too
            assertEquals(d, r.detection(d.key, d.ts), "key " + d.key + " ts " + d.ts);
        }
    }

    /**
     * In event-time mode, watermarks made per partition inside the source ({@link PartitionWatermarks}) leave no
     * event of the backlog late although each source subtask reads two partitions in bursts, and the detections equal
     * the arrival-order ones. (A single watermark per subtask after parsing, as {@link DetectPipeline} makes, leaves
     * 37% of this input late.)
     */
    @Test
    void partitionWatermarksLeaveNoEventOfAMultiPartitionBacklogLate() throws Exception {
        KafkaRun r = kafkaRun(); // the input topic, and the arrival-order detections to compare with

        KafkaSettings s = new KafkaSettings(broker.bootstrap, IN, OUT, DLQ, "kafka-detect-it-event-time", "earliest",
                false, null, false, PARTITIONS, Map.of());
        JsonRecordParser parser = new JsonRecordParser(1, MAX_BYTES);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawRecord> raw = env.fromSource(
                KafkaIo.sourceBuilder(s).setBounded(OffsetsInitializer.latest()).build(),
                PartitionWatermarks.of(parser, Duration.ofSeconds(5), Duration.ofSeconds(30)), "kafka " + IN);
        DataStream<SensorEvent> events = raw.process(ParseFunction.ofRecords(parser)).name("parse");
        DataStream<Detection> detected = DetectStreams.detect(events, SCORING, DetectOptions.eventTime(Duration.ZERO),
                MODEL, "test-model", parser.shape().values());
        List<Detection> got = collect(detected, "event time from kafka");
        assertEquals(VALID, got.size(), "events scored; the other " + (VALID - got.size()) + " were late");
        for (Detection d : got) {
            assertEquals(r.detection(d.key, d.ts), d, "key " + d.key + " ts " + d.ts);
        }
    }

    @Test
    void topicsEnsureNamesMissingTopicsCreatesThemOnRequestAndReportsAnUnreachableBroker() throws Exception {
        KafkaSettings strict = settings("t-in", "t-out", "t-dlq", false, 3);
        String message = assertThrows(IllegalArgumentException.class, () -> Topics.ensure(strict)).getMessage();
        for (String s : List.of("\"t-in\" (kafka.input_topic)", "\"t-out\" (kafka.output_topic)",
                "\"t-dlq\" (kafka.dead_letter_topic)", broker.bootstrap)) {
            assertTrue(message.contains(s), "message names " + s + ": " + message);
        }

        KafkaSettings creating = settings("t-in", "t-out", "t-dlq", true, 3);
        assertEquals(List.of("t-in", "t-out", "t-dlq"), Topics.ensure(creating));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap))) {
            Map<String, TopicDescription> d = admin.describeTopics(List.of("t-in", "t-out", "t-dlq"))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            d.values().forEach(t -> {
                assertEquals(3, t.partitions().size(), t.toString());
                assertEquals(1, t.partitions().get(0).replicas().size(), "one broker: replication factor 1");
            });
        }
        assertEquals(List.of(), Topics.ensure(creating), "nothing left to create");
        assertEquals(List.of(), Topics.ensure(strict), "all there now");

        // one of three missing: only that one is named
        KafkaSettings oneMissing = settings("t-in", "t-out", "t-dlq-2", false, 3);
        String one = assertThrows(IllegalArgumentException.class, () -> Topics.ensure(oneMissing)).getMessage();
        assertTrue(one.contains("topic at") && one.contains("\"t-dlq-2\"") && !one.contains("\"t-in\""), one);

        // nobody listens on this port
        KafkaSettings nowhere = new KafkaSettings("127.0.0.1:" + TestBroker.freePort(), "a", "b", "c", "g", "earliest", false,
                null, true, 1, Map.of());
        String unreachable = assertThrows(IllegalStateException.class,
                () -> Topics.ensure(nowhere, Duration.ofSeconds(1))).getMessage();
        assertTrue(unreachable.contains(nowhere.bootstrapServers()), unreachable);
    }

    @Test
    void clientPropertiesReachSourceAndSinksWithOurDefaultsUnlessTheyOverrideThem() {
        KafkaSettings plain = new KafkaSettings(broker.bootstrap, IN, OUT, DLQ, "g", "earliest", true, "tx", false, 1,
                Map.of("security.protocol", "PLAINTEXT"));
        assertEquals("read_committed", KafkaIo.consumerProperties(plain).getProperty("isolation.level"));
        assertEquals("900000", KafkaIo.producerProperties(plain).getProperty("transaction.timeout.ms"));
        assertEquals("PLAINTEXT", KafkaIo.consumerProperties(plain).getProperty("security.protocol"));
        assertEquals("PLAINTEXT", KafkaIo.producerProperties(plain).getProperty("security.protocol"));

        KafkaSettings given = new KafkaSettings(broker.bootstrap, IN, OUT, DLQ, "g", "earliest", true, "tx", false, 1,
                Map.of("isolation.level", "read_uncommitted", "transaction.timeout.ms", "60000"));
        assertEquals("read_uncommitted", KafkaIo.consumerProperties(given).getProperty("isolation.level"));
        assertEquals("60000", KafkaIo.producerProperties(given).getProperty("transaction.timeout.ms"));

        KafkaSettings contradicting = new KafkaSettings(broker.bootstrap, IN, OUT, DLQ, "g", "earliest", false, null,
                false, 1, Map.of("group.id", "other"));
        String m = assertThrows(IllegalArgumentException.class, () -> KafkaIo.source(contradicting)).getMessage();
        assertTrue(m.contains("group.id") && m.contains("kafka.group_id"), m);
        assertThrows(IllegalArgumentException.class, () -> KafkaIo.detectionSink(contradicting));
        assertThrows(IllegalArgumentException.class, () -> Topics.ensure(contradicting));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** What the Kafka job produced, read once and shared by the tests. */
    record KafkaRun(RunCounts counts, Map<String, Map<Long, Detection>> detections,
            List<ConsumerRecord<byte[], byte[]>> detectionRecords, List<ConsumerRecord<byte[], byte[]>> deadLetterRecords,
            Map<String, Malformed> expectedDeadLetters) {

        /** The detection of {@code key}'s event at {@code ts} that came through Kafka, or null. */
        Detection detection(String key, long ts) {
            Map<Long, Detection> ofKey = detections.get(key);
            return ofKey == null ? null : ofKey.get(ts);
        }
    }

    /** A malformed input record as sent (null: a tombstone) and the dead-letter reason it deserves. */
    record Malformed(byte[] bytes, String reason) {}

    /** Runs the Kafka job on the first call; later calls get its result (or its failure: the topics are used up). */
    static synchronized KafkaRun kafkaRun() throws Exception {
        if (run != null) {
            return run;
        }
        if (runFailure != null) {
            throw new IllegalStateException("the Kafka run failed in an earlier test", runFailure);
        }
        try {
            run = runKafkaJob();
            return run;
        } catch (Exception | AssertionError e) {
            runFailure = e;
            throw e;
        }
    }

    private static KafkaRun runKafkaJob() throws Exception {
        KafkaSettings s = settings(IN, OUT, DLQ, true, PARTITIONS);
        Topics.ensure(s);

        long t = System.nanoTime();
        Map<String, Malformed> expectedDeadLetters = produce();
        System.out.printf("produced %,d records in %d ms%n", RECORDS, (System.nanoTime() - t) / 1_000_000);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(CHECKPOINT_MS);
        env.getConfig().enableObjectReuse();   // as KafkaRun.environment: the file replay it is compared with copies
        dev.lstmflink.jobs.detect.KafkaRun.build(env, config(), s,
                KafkaIo.sourceBuilder(s).setBounded(OffsetsInitializer.latest()).build(), MODEL, "test-model");
        t = System.nanoTime();
        JobExecutionResult result = env.execute("kafka detect it");
        System.out.printf("Kafka job: %d ms; %s%n", (System.nanoTime() - t) / 1_000_000,
                RunCounts.of(result).summary());

        t = System.nanoTime();
        List<ConsumerRecord<byte[], byte[]>> detectionRecords = readCommitted(OUT);
        List<ConsumerRecord<byte[], byte[]>> deadLetterRecords = readCommitted(DLQ);
        System.out.printf("read back %,d + %,d records in %d ms%n", detectionRecords.size(), deadLetterRecords.size(),
                (System.nanoTime() - t) / 1_000_000);
        Map<String, Map<Long, Detection>> detections = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : detectionRecords) {
            Detection d = DetectionJson.fromJson(rec.value());
            Detection before = detections.computeIfAbsent(d.key, k -> new HashMap<>()).put(d.ts, d);
            assertNull(before, "two detections for " + d.key + " at " + d.ts + ": " + before + " and " + d);
        }
        return new KafkaRun(RunCounts.of(result), detections, detectionRecords, deadLetterRecords,
                expectedDeadLetters);
    }

    static List<Detection> collect(DataStream<Detection> detections, String jobName) throws Exception {
        List<Detection> out = new ArrayList<>();
        CloseableIterator<Detection> it = detections.executeAndCollect(jobName);
        try {
            it.forEachRemaining(out::add);
        } finally {
            it.close();
        }
        return out;
    }

    static KafkaSettings settings(String in, String out, String dlq, boolean create, int partitions) {
        return new KafkaSettings(broker.bootstrap, in, out, dlq, "kafka-detect-it", "earliest", true,
                "kafka-detect-it", create, partitions, Map.of());
    }

    // ---- the input ------------------------------------------------------------------------------------------------

    /** Value of sensor {@code key} at {@code step}: a sine with a little noise and, now and then, a spike. */
    static String valueText(int key, int step) {
        double noise = Math.floorMod((key * 7919L + step) * 2_654_435_761L, 1000) / 1000.0 - 0.5;
        double x = Math.sin(0.07 * step + key) + 0.05 * noise;
        if (step % 400 == 300 + key % 50) {
            x += 4;
        }
        return String.format(Locale.ROOT, "%.4f", x);
    }

    static String eventJson(int key, int step) {
        return "{\"key\":\"k" + key + "\",\"ts\":" + (T0 + 1000L * step) + ",\"values\":[" + valueText(key, step) + "]}";
    }

    static final int KINDS = 17;

    /** Malformed record of kind {@code kind}. */
    static Malformed malformed(int kind) {
        String ts = String.valueOf(T0);
        String text = switch (kind) {
            case 0 -> "{\"key\":\"k1\",\"ts\":17000";
            case 1 -> "not json at all";
            case 2 -> "{\"ts\":" + ts + ",\"values\":[0.5]}";
            case 3 -> "{\"key\":\"k3\",\"values\":[0.5]}";
            case 4 -> "{\"key\":\"k4\",\"ts\":\"yesterday\",\"values\":[0.5]}";
            case 5 -> "{\"key\":\"k5\",\"ts\":" + ts + ",\"values\":[0.5,0.25]}";
            case 6 -> "{\"key\":\"k6\",\"ts\":" + ts + ",\"values\":[NaN]}";
            case 7 -> "{\"key\":\"k7\",\"ts\":" + ts + ",\"values\":[Infinity]}";
            case 8 -> "{\"key\":\"k8\",\"ts\":" + ts + ",\"values\":[\"Infinity\"]}";
            case 9 -> "{\"key\":\"k9\",\"ts\":" + ts + ",\"values\":[1e39]}";
            case 10 -> "{\"key\":\"k10\",\"ts\":" + ts + ",\"values\":[0.5],\"pad\":\"" + "x".repeat(MAX_BYTES) + "\"}";
            case 11 -> null; // not UTF-8, below
            case 12 -> null; // tombstone
            case 13 -> "";
            case 14 -> "{\"key\":17,\"ts\":" + ts + ",\"values\":[0.5]}";
            case 15 -> "{\"key\":\"k15\",\"ts\":" + ts + ",\"values\":[0.5],\"key\":\"k16\"}";
            case 16 -> "{\"key\":\"k16\",\"ts\":" + ts + "}";
            default -> throw new IllegalArgumentException("kind " + kind);
        };
        String reason = switch (kind) {
            case 0, 1 -> DeadLetter.NOT_JSON;
            case 2 -> DeadLetter.MISSING_KEY;
            case 3 -> DeadLetter.MISSING_TS;
            case 4 -> DeadLetter.BAD_TS;
            case 5 -> DeadLetter.WRONG_VALUE_COUNT;
            case 6, 7, 9 -> DeadLetter.NON_FINITE_VALUE;
            case 8 -> DeadLetter.BAD_VALUE;
            case 10 -> DeadLetter.TOO_LARGE;
            case 11 -> DeadLetter.NOT_UTF8;
            case 12, 13 -> DeadLetter.EMPTY;
            case 14 -> DeadLetter.BAD_KEY;
            case 15 -> DeadLetter.DUPLICATE_FIELD;
            case 16 -> DeadLetter.MISSING_VALUES;
            default -> throw new IllegalArgumentException("kind " + kind);
        };
        byte[] bytes = kind == 11 ? new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}
                : text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        return new Malformed(bytes, reason);
    }

    /**
     * Writes the input: record {@code i} is malformed when {@code i % EVERY == EVERY / 2} (to partition
     * {@code (i / EVERY) % PARTITIONS}, kinds in turn), otherwise the next valid event, sensors interleaved step by
     * step, keyed by sensor.
     *
     * @return each malformed record, by {@code partition@offset}
     */
    static Map<String, Malformed> produce() throws Exception {
        Map<Future<RecordMetadata>, Malformed> bad = new HashMap<>();
        List<Future<RecordMetadata>> all = new ArrayList<>(RECORDS);
        // waits for the partition leaders of the topic just created, one request in flight, bounded waits
        try (TestProducer<byte[], byte[]> producer = TestProducer.bytes(broker.bootstrap, IN, Map.of())) {
            int v = 0;
            for (int i = 0; i < RECORDS; i++) {
                Future<RecordMetadata> f;
                if (i % EVERY == EVERY / 2) {
                    Malformed m = malformed((i / EVERY) % KINDS);
                    f = producer.send(new ProducerRecord<>(IN, (i / EVERY) % PARTITIONS, null, m.bytes()));
                    bad.put(f, m);
                } else {
                    int key = v % KEYS;
                    byte[] value = eventJson(key, v / KEYS).getBytes(StandardCharsets.UTF_8);
                    f = producer.send(new ProducerRecord<>(IN, ("k" + key).getBytes(StandardCharsets.UTF_8), value));
                    v++;
                }
                all.add(f);
            }
            producer.finish(); // every send acknowledged, or an exception naming the topic and the first error
            assertEquals(VALID, v);
        }
        for (Future<RecordMetadata> f : all) {
            f.get(); // every send succeeded
        }
        Map<String, Malformed> expected = new HashMap<>();
        for (Map.Entry<Future<RecordMetadata>, Malformed> e : bad.entrySet()) {
            RecordMetadata m = e.getKey().get();
            expected.put(m.partition() + "@" + m.offset(), e.getValue());
        }
        assertEquals(MALFORMED, expected.size());
        return expected;
    }

    // ---- reading back ---------------------------------------------------------------------------------------------

    /** Every committed record of {@code topic}, all partitions, read up to the end offsets (the last stable ones). */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return broker.readCommitted(topic);
    }
}
