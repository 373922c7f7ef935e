package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.kafka.KafkaIo;
import dev.lstmflink.jobs.detect.KafkaRun;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.testutil.TestProducer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka detection job ({@code KafkaRun}'s own environment and graph) run in phases, for the savepoint tests: start
 * it (optionally from a savepoint), wait until it has written a known number of detections, stop it with a savepoint,
 * read what it committed. Also the input records and reading topics back. Public for {@code start} and {@code stop},
 * which {@code connect.kafka.QuietReleaseKafkaITCase} runs its jobs with too.
 */
public final class KafkaJobPhases {

    /** A guard against a hang, not a measure: no assertion depends on how long anything takes. */
    public static final Duration GUARD = Duration.ofSeconds(90);

    private KafkaJobPhases() {}

    /** One input record: its partition (explicit, so that offsets are the same in every run), key, event time. */
    record Sent(int partition, String key, long ts, String json) {

        /** {@code key@ts}: what identifies the event's detection (two events of a key may share a ts). */
        String id() {
            return key + "@" + ts;
        }
    }

    /** A running job and the savepoint it was started from (null: none). */
    public record Phase(JobClient job, String restoredFrom) {}

    /**
     * Starts {@code KafkaRun}'s job on the current environment (the MiniCluster in tests, a local one in a main),
     * restoring {@code savepoint} when it is not null.
     */
    public static Phase start(DetectConfig c, String bootstrap, byte[] model, String savepoint, String name) throws Exception {
        KafkaSettings s = c.kafkaSettings(bootstrap);
        // flink.restore_from, which KafkaRun.environment passes on as execution.state-recovery.path (what `flink run
        // -s` sets), as `jobs/detect --kafka ... --set flink.restore_from=SAVEPOINT` does
        String before = c.flink.restoreFrom;
        c.flink.restoreFrom = savepoint;
        StreamExecutionEnvironment env;
        try {
            env = KafkaRun.environment(c);
        } finally {
            c.flink.restoreFrom = before;
        }
        KafkaRun.build(env, c, s, KafkaIo.source(s), model, "test-model");
        return new Phase(env.executeAsync(name), savepoint);
    }

    /**
     * Stops the job with a savepoint into {@code dir} and waits for it to finish. Without drain, events waiting for
     * the watermark stay in the detector's buffers, in the savepoint; with drain the sources end event time first, so
     * they are scored (the end of a test's last phase).
     *
     * @return the savepoint's path and the finished job's result (its accumulators)
     */
    public static Stopped stop(Phase p, String dir, boolean drain) throws Exception {
        String path = p.job().stopWithSavepoint(drain, dir, SavepointFormatType.CANONICAL)
                .get(GUARD.toSeconds(), TimeUnit.SECONDS);
        JobExecutionResult result = p.job().getJobExecutionResult().get(GUARD.toSeconds(), TimeUnit.SECONDS);
        return new Stopped(path, result);
    }

    public record Stopped(String savepoint, JobExecutionResult result) {}

    /**
     * Writes {@code records} to {@code topic} and waits for every acknowledgement (a {@link TestProducer}: it waits for
     * the partition leaders of a topic just created, and fails naming the topic instead of hanging).
     */
    static void produce(String bootstrap, String topic, List<Sent> records) {
        try (TestProducer<byte[], byte[]> producer = TestProducer.bytes(bootstrap, topic, Map.of())) {
            for (Sent r : records) {
                producer.send(new ProducerRecord<>(topic, r.partition(),
                        r.key().getBytes(StandardCharsets.UTF_8), r.json().getBytes(StandardCharsets.UTF_8)));
            }
            producer.finish();
        }
    }

    /** The end offset of each partition: the last stable offset for {@code committed}, else the high watermark. */
    static Map<Integer, Long> endOffsets(String bootstrap, String topic, boolean committed) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, committed)) {
            Map<Integer, Long> out = new HashMap<>();
            c.endOffsets(partitions(c, topic)).forEach((tp, o) -> out.put(tp.partition(), o));
            return out;
        }
    }

    /**
     * The records of {@code topic} from {@code from} (partition → offset; null: the beginning) up to the end offsets,
     * all partitions, each partition in offset order.
     */
    static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, String topic, boolean committed,
            Map<Integer, Long> from) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, committed)) {
            List<TopicPartition> tps = partitions(c, topic);
            c.assign(tps);
            for (TopicPartition tp : tps) {
                c.seek(tp, from == null ? 0L : from.getOrDefault(tp.partition(), 0L));
            }
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    fail("reading " + topic + " did not reach the end offsets " + end + " (" + out.size() + " read)");
                }
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        out.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return out;
    }

    /**
     * Waits until {@code topic} holds {@code n} records after {@code from}, committed or not (an exactly-once job's
     * output is visible to {@code read_uncommitted} as it is written, before the checkpoint that commits it).
     */
    static void awaitRecords(String bootstrap, String topic, Map<Integer, Long> from, long n) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, false)) {
            List<TopicPartition> tps = partitions(c, topic);
            c.assign(tps);
            for (TopicPartition tp : tps) {
                c.seek(tp, from.getOrDefault(tp.partition(), 0L));
            }
            long seen = 0;
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (seen < n) {
                if (System.nanoTime() > deadline) {
                    fail(topic + ": " + seen + " of the " + n + " records expected were written");
                }
                seen += c.poll(Duration.ofMillis(100)).count();
            }
        }
    }

    /** Detections by key, each key's in the order they were written (a key's detections share one partition). */
    static Map<String, List<Detection>> byKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<Detection>> m = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Detection d = DetectionJson.fromJson(r.value());
            m.computeIfAbsent(d.key, k -> new ArrayList<>()).add(d);
        }
        return m;
    }

    /** The detections of {@code records} as {@code key@ts} ids, sorted (a multiset). */
    static List<String> ids(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Detection d = DetectionJson.fromJson(r.value());
            ids.add(d.key + "@" + d.ts);
        }
        ids.sort(null);
        return ids;
    }

    /** Checks each key's detections are one partition's, so that offset order is the order they were written in. */
    static void assertOnePartitionPerKey(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Integer> partition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            Integer before = partition.putIfAbsent(key, r.partition());
            if (before != null) {
                assertEquals(before, r.partition(), key + "'s detections are in one partition");
            }
        }
    }

    static void assertEmpty(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> r = read(bootstrap, topic, false, null);
        assertNull(r.isEmpty() ? null : new String(r.get(0).value(), StandardCharsets.UTF_8),
                topic + " has " + r.size() + " records, the first shown");
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, boolean committed) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        return c.partitionsFor(topic).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .sorted(Comparator.comparingInt(TopicPartition::partition))
                .toList();
    }
}
