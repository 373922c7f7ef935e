package dev.lstmflink.cluster;

import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.testutil.TestProducer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The cluster tests' input topic: {@code keys × steps} JSON sensor events ({@code {"key": "kK", "ts": ..., "values":
 * [x]}}, keys interleaved step by step, each sensor's events under its key, so all in one partition in step order) and
 * a malformed record of one of {@value #KINDS} kinds in turn after every {@code every - 1} records, each to a
 * partition in turn (no key).
 *
 * <p>Step s of every key has timestamp {@code T0 + 1000 s}. Values sit in the range of
 * {@code examples/sensor_lstm.safetensors}' training data (mean 31.4, sd 7.6): a slow sine with a little noise, and
 * once per key a spike of four standard deviations, so the dynamic thresholds have something to flag.
 */
final class SensorInput {

    static final long T0 = 1_700_000_000_000L;
    static final int KINDS = 7;

    final int keys;
    final int steps;
    final int every;

    /**
     * @param every one record in {@code every} is malformed (0: none)
     */
    SensorInput(int keys, int steps, int every) {
        this.keys = keys;
        this.steps = steps;
        this.every = every;
    }

    int valid() {
        return keys * steps;
    }

    /** Records in all, valid and malformed: record i is malformed when {@code i % every == every / 2}. */
    int records() {
        if (every == 0) {
            return valid();
        }
        // the smallest n with n - malformed(n) == valid
        int n = valid();
        while (n - malformedIn(n) < valid()) {
            n++;
        }
        return n;
    }

    int malformed() {
        return records() - valid();
    }

    private int malformedIn(int n) {
        return every == 0 ? 0 : (n + every - 1 - every / 2) / every;
    }

    static String key(int k) {
        return "k" + k;
    }

    static int keyIndex(String key) {
        return Integer.parseInt(key.substring(1));
    }

    static double value(int key, int step) {
        double noise = Math.floorMod((key * 7919L + step) * 2_654_435_761L, 1000) / 1000.0 - 0.5;
        double x = 31.4 + 6 * Math.sin(0.2 * step + key) + 0.8 * noise;
        return step == 40 + key % 50 ? x + 30 : x;
    }

    static String eventJson(int key, int step) {
        return "{\"key\":\"" + key(key) + "\",\"ts\":" + (T0 + 1000L * step) + ",\"values\":["
                + String.format(Locale.ROOT, "%.4f", value(key, step)) + "]}";
    }

    /** A malformed record as sent and the dead-letter reason it deserves. */
    record Malformed(byte[] bytes, String reason) {}

    static Malformed malformed(int kind) {
        String ts = String.valueOf(T0);
        return switch (kind) {
            case 0 -> text("not json at all", DeadLetter.NOT_JSON);
            case 1 -> text("{\"ts\":" + ts + ",\"values\":[31.5]}", DeadLetter.MISSING_KEY);
            case 2 -> text("{\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[31.5,2.5]}", DeadLetter.WRONG_VALUE_COUNT);
            case 3 -> text("{\"key\":\"k2\",\"ts\":" + ts + ",\"values\":[NaN]}", DeadLetter.NON_FINITE_VALUE);
            case 4 -> text("", DeadLetter.EMPTY);
            case 5 -> new Malformed(new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, DeadLetter.NOT_UTF8);
            case 6 -> text("{\"key\":\"k3\",\"ts\":\"yesterday\",\"values\":[31.5]}", DeadLetter.BAD_TS);
            default -> throw new IllegalArgumentException("kind " + kind);
        };
    }

    private static Malformed text(String s, String reason) {
        return new Malformed(s.getBytes(StandardCharsets.UTF_8), reason);
    }

    /**
     * Writes every record to {@code topic} (which has {@code partitions} partitions) and waits for the broker's acks.
     *
     * @return the dead-letter reason of each malformed record, by {@code partition@offset}
     */
    Map<String, String> produce(String bootstrap, String topic, int partitions) throws Exception {
        // TestProducer: waits for the partition leaders of the topic just created, one request in flight (a first
        // batch refused with NOT_LEADER_OR_FOLLOWER overtaken by the next failed as "producing to crash-it-in failed",
        // KAFKA-15591), bounded waits
        Map<String, String> batching = Map.of(ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        Map<String, String> expected = new HashMap<>();
        int records = records();
        try (TestProducer<byte[], byte[]> producer = TestProducer.bytes(bootstrap, topic, batching)) {
            int v = 0;
            for (int i = 0; i < records; i++) {
                if (every > 0 && i % every == every / 2) {
                    Malformed m = malformed((i / every) % KINDS);
                    producer.send(new ProducerRecord<>(topic, (i / every) % partitions, null, m.bytes()), (md, e) -> {
                        if (e == null) {
                            synchronized (expected) {
                                expected.put(md.partition() + "@" + md.offset(), m.reason());
                            }
                        }
                    });
                } else {
                    int key = v % keys;
                    producer.send(new ProducerRecord<>(topic, key(key).getBytes(StandardCharsets.UTF_8),
                            eventJson(key, v / keys).getBytes(StandardCharsets.UTF_8)));
                    v++;
                }
            }
            producer.finish(); // every record acknowledged, or an exception naming the topic and the first error
        }
        synchronized (expected) {
            if (expected.size() != malformed()) {
                throw new IllegalStateException(expected.size() + " malformed records acknowledged of " + malformed());
            }
            return Map.copyOf(expected);
        }
    }
}
