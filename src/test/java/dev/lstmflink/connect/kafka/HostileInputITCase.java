package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.connect.HostileRecords;
import dev.lstmflink.connect.HostileRecords.Kind;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.flink.detect.RunCounts;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.testutil.TestBroker;
import dev.lstmflink.testutil.TestModels;
import dev.lstmflink.testutil.TestProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile input through the Kafka mode: every kind of {@link HostileRecords} (the table of kind → reason is there),
 * produced to a real broker between valid events, read by the job's own graph ({@code jobs.detect.KafkaRun.build}:
 * event time with per-partition watermarks, exactly-once sinks, a bounded source that finishes at the end offsets
 * found at start) on a MiniCluster with restarts off, so that any failure of the job fails the test instead of being
 * retried away.
 *
 * <p>The broker and the input topic take records of up to 16 MiB ({@code message.max.bytes}, topic
 * {@code max.message.bytes}), so the 10 MiB records reach the job. The source's consumer keeps Kafka's default fetch
 * sizes: {@code max.partition.fetch.bytes} (1 MiB) and {@code fetch.max.bytes} (50 MiB) are soft limits that always
 * return at least the first batch, however large (KIP-74), so a 10 MiB record is read, not stuck. The job's sinks keep
 * the producer's default {@code max.request.size} (1 MiB), as a user's would: each dead letter must fit in it. (Before
 * {@code DeadLetterJson.toBytes(DeadLetter, int)} cut oversized dead letters, the record of 400,000 control characters
 * made a 2.4 MB dead letter, the sink's producer refused it with a {@code RecordTooLargeException} and the job failed,
 * as it would have again on the same record after every restart.)
 *
 * <p>Checked: the job finishes; each malformed record has exactly one dead letter, at its partition and offset, with
 * the reason the table gives, its raw record kept whole or, when cut, as a prefix; each valid record (the events of
 * {@value #KEYS} sensors and the odd-but-valid kinds) has exactly one detection; and
 * {@code received = scored + dead-lettered + late} with no event late.
 */
class HostileInputITCase {

    static final int KEYS = 10;
    static final int STEPS = 60;
    static final int PARTITIONS = 3;
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** The producer's default {@code max.request.size}: the job's sinks use it, so no dead letter may be larger. */
    static final int SINK_MAX_REQUEST = 1024 * 1024;
    static final long T0 = 1_700_000_000_000L;
    static final String IN = "hostile-in";
    static final String OUT = "hostile-detections";
    static final String DLQ = "hostile-dead-letters";

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static Path brokerDir;
    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        brokerDir = Files.createTempDirectory("hostile-input-it");
        Properties extra = new Properties();
        extra.setProperty("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        extra.setProperty("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
        broker = TestBroker.start(brokerDir, extra);
    }

    @AfterAll
    static void stopBroker() throws Exception {
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

    /** A record sent, where it landed, and what it deserves. */
    record Sent(Kind kind, String key, long ts, int partition, long offset) {}

    @Test
    void everyHostileRecordIsDeadLetteredOnceWithItsReasonAndEveryValidOneIsScored() throws Exception {
        KafkaSettings s = new KafkaSettings(broker.bootstrap, IN, OUT, DLQ, "hostile-it", "earliest", true,
                "hostile-it", true, PARTITIONS, Map.of());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrap))) {
            admin.createTopics(List.of(new NewTopic(IN, PARTITIONS, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of(OUT, DLQ), Topics.ensure(s), "the output topics are created with the broker's limits");

        long t = System.nanoTime();
        List<Sent> sent = produce();
        System.out.printf("produced %,d records in %d ms%n", sent.size(), (System.nanoTime() - t) / 1_000_000);

        DetectConfig c = DetectConfig.defaults();
        c.input.maxRecordBytes = HostileRecords.MAX_RECORD_BYTES;
        c.scoring.window = 20;
        c.scoring.warmup = 10;
        c.scoring.recomputeEvery = 10;
        Configuration conf = new Configuration();
        conf.setString("restart-strategy.type", "none"); // a failure must fail the test, not be retried
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        env.getConfig().enableObjectReuse();   // as KafkaRun.environment
        byte[] model = TestModels.withHead(LstmConfig.of(HostileRecords.VALUES, 8), HostileRecords.VALUES, 5);
        dev.lstmflink.jobs.detect.KafkaRun.build(env, c, s,
                KafkaIo.sourceBuilder(s).setBounded(OffsetsInitializer.latest()).build(), model, "test-model");
        t = System.nanoTime();
        JobExecutionResult result = env.execute("hostile input it");
        RunCounts counts = RunCounts.of(result);
        System.out.printf("job: %d ms; %s%n", (System.nanoTime() - t) / 1_000_000, counts.summary());

        List<Sent> malformed = sent.stream().filter(x -> !x.kind().valid()).toList();
        List<Sent> valid = sent.stream().filter(x -> x.kind().valid()).toList();
        assertTrue(malformed.size() >= 30, "at least 30 kinds: " + malformed.size());

        // the books
        assertEquals(sent.size(), counts.received(), counts.summary());
        assertEquals(valid.size(), counts.scored(), counts.summary());
        assertEquals(malformed.size(), counts.deadLettered(), counts.summary());
        assertEquals(0, counts.late(), counts.summary());
        assertTrue(counts.balances(), counts.summary());
        Map<String, Long> byReason = new TreeMap<>();
        malformed.forEach(m -> byReason.merge(m.kind().reason(), 1L, Long::sum));
        assertEquals(byReason, new TreeMap<>(counts.deadLetters().byReason()));

        // dead letters: exactly one per malformed record, at its partition and offset, with its reason
        Map<String, Sent> expected = new HashMap<>();
        malformed.forEach(m -> expected.put(m.partition() + "@" + m.offset(), m));
        Map<String, DeadLetter> got = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : readCommitted(DLQ)) {
            assertTrue(rec.serializedValueSize() <= SINK_MAX_REQUEST, "dead letter of " + rec.serializedValueSize()
                    + " bytes");
            DeadLetter d = DeadLetterJson.fromJson(rec.value());
            String at = d.partition + "@" + d.offset;
            assertNull(got.put(at, d), "two dead letters for " + at);
            assertEquals(IN, d.source, d.toString());
            assertEquals(IN + "-" + d.partition, new String(rec.key(), StandardCharsets.UTF_8), "dead letter key");
            Sent m = expected.get(at);
            assertNotNull(m, "a dead letter for a record that was not malformed: " + d);
            assertEquals(m.kind().reason(), d.reason, () -> m.kind().name() + ": " + d);
            assertTrue(d.detail != null && !d.detail.isBlank(), d.toString());
            byte[] raw = m.kind().value() == null ? new byte[0] : m.kind().value();
            byte[] kept = d.rawBytes();
            if (d.rawTruncated) {
                assertTrue(kept.length < raw.length, m.kind().name());
                assertArrayEquals(Arrays.copyOf(raw, kept.length), kept, m.kind().name() + ": raw is a prefix");
            } else {
                assertArrayEquals(raw, kept, m.kind().name() + ": raw is the record as sent");
            }
            if (DeadLetter.TOO_LARGE.equals(d.reason)) {
                assertTrue(d.rawTruncated && kept.length <= HostileRecords.MAX_RECORD_BYTES, d.toString());
            }
        }
        assertEquals(expected.keySet(), got.keySet(), "dead letters by partition@offset");

        // detections: exactly one per valid record
        Map<String, Detection> detections = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : readCommitted(OUT)) {
            Detection d = DetectionJson.fromJson(rec.value());
            assertNull(detections.put(d.key + "@" + d.ts, d), "two detections of " + d.key + " at " + d.ts);
        }
        assertEquals(valid.size(), detections.size(), "one detection per valid record");
        for (Sent v : valid) {
            assertNotNull(detections.get(v.key() + "@" + v.ts()), () -> "no detection of " + v.kind().name() + " ("
                    + v.key() + " at " + v.ts() + ")");
        }
    }

    // ---- the input ------------------------------------------------------------------------------------------------

    /**
     * Sensor {@code k0..k9}'s events step by step (keyed by sensor, so each sensor's events are in one partition and in
     * order), with the next hostile record after every few events, to partitions in turn, without a Kafka key; the
     * odd-but-valid kinds carry the current step's time, so they are never late.
     */
    static List<Sent> produce() throws Exception {
        List<Kind> bad = HostileRecords.malformed();
        int events = KEYS * STEPS;
        int every = events / (bad.size() + 1);
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        List<Sent> pending = new ArrayList<>();
        // waits for the partition leaders of the topic just created, one request in flight, bounded waits
        try (TestProducer<byte[], byte[]> producer = TestProducer.bytes(broker.bootstrap, IN, Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_MESSAGE_BYTES),
                ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(4L * MAX_MESSAGE_BYTES)))) {
            // first in partition 0, valid for the parser (years 1 to 9999) but far ahead of the clock: without
            // events.max_ahead it would move the partition's watermark to the year 3000, making all its events late
            Kind future = new Kind("ts-year-3000", String.format(Locale.ROOT,
                    "{\"key\":\"k1\",\"ts\":%d,\"values\":[0.5,0.25]}", 32_503_680_000_000L)
                    .getBytes(StandardCharsets.UTF_8), DeadLetter.FUTURE_TS);
            futures.add(producer.send(new ProducerRecord<>(IN, 0, null, future.value())));
            pending.add(new Sent(future, null, 0, -1, -1));
            int nextBad = 0;
            for (int i = 0; i < events; i++) {
                int key = i % KEYS;
                int step = i / KEYS;
                long ts = T0 + 1000L * step;
                String value = String.format(Locale.ROOT, "{\"key\":\"k%d\",\"ts\":%d,\"values\":[%.4f,%.4f]}", key,
                        ts, Math.sin(0.1 * step + key), Math.cos(0.1 * step + key));
                futures.add(producer.send(new ProducerRecord<>(IN, ("k" + key).getBytes(StandardCharsets.UTF_8),
                        value.getBytes(StandardCharsets.UTF_8))));
                pending.add(new Sent(new Kind("event", null, null), "k" + key, ts, -1, -1));
                if (i % every == every - 1 && nextBad < bad.size()) {
                    Kind k = bad.get(nextBad++);
                    futures.add(producer.send(new ProducerRecord<>(IN, nextBad % PARTITIONS, null, k.value())));
                    pending.add(new Sent(k, null, 0, -1, -1));
                }
            }
            while (nextBad < bad.size()) {
                Kind k = bad.get(nextBad++);
                futures.add(producer.send(new ProducerRecord<>(IN, nextBad % PARTITIONS, null, k.value())));
                pending.add(new Sent(k, null, 0, -1, -1));
            }
            // odd but valid, at the time of the last step (never behind the watermark), one per partition in turn;
            // one without a Kafka key, with headers of garbage and a Kafka timestamp of 0: none of that is read
            long last = T0 + 1000L * (STEPS - 1);
            int n = 0;
            for (Kind k : HostileRecords.oddButValid("odd", last)) {
                ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(IN, n++ % PARTITIONS, 0L, null, k.value(),
                        List.of(new RecordHeader("\u0000junk", new byte[] {(byte) 0xFF, 0})));
                futures.add(producer.send(r));
                pending.add(new Sent(k, keyOf(k), last, -1, -1));
            }
            producer.finish(); // every send acknowledged, or an exception naming the topic and the first error
        }
        List<Sent> sent = new ArrayList<>(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            RecordMetadata m = futures.get(i).get(); // every send succeeded
            Sent x = pending.get(i);
            sent.add(new Sent(x.kind(), x.key(), x.ts(), m.partition(), m.offset()));
        }
        return sent;
    }

    /** The sensor key of an odd-but-valid record, as the parser reads it. */
    static String keyOf(Kind k) {
        return new JsonRecordParser(HostileRecords.VALUES, HostileRecords.MAX_RECORD_BYTES)
                .parse(k.value(), IN, -1, -1).event().key;
    }

    // ---- reading back ---------------------------------------------------------------------------------------------

    /** Every committed record of {@code topic}, read up to the end offsets. */
    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return broker.readCommitted(topic);
    }
}
