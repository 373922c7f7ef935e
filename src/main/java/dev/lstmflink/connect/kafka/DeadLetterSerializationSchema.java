package dev.lstmflink.connect.kafka;

import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A {@link DeadLetter} becomes one record of the dead-letter topic: value {@link DeadLetterJson}, key where the bad
 * record came from ({@code topic-partition} as Kafka writes a {@code TopicPartition}, the file name for file input,
 * none when unknown), so that the dead letters of one input partition stay in one partition, in offset order. The
 * Kafka timestamp is the time of writing, as for detections ({@link DetectionSerializationSchema} says why).
 *
 * <p>Each record fits the sink producer's {@code max.request.size}: a larger one would be refused and fail the job, on
 * the same bad record after every restart. {@link DeadLetterJson#toBytes(DeadLetter, int)} cuts the raw record when
 * escaping or base64 makes the dead letter larger than the bad record was. The dead-letter topic's
 * {@code max.message.bytes} must not be smaller (the broker's default, 1,048,588, is not).
 */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    /** Kafka's default {@code max.request.size}. */
    public static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /**
     * What the producer's size check adds to key and value: a record batch header (61 bytes), the record's own
     * fields (at most 21 bytes of varints) and no headers; rounded up.
     */
    static final int RECORD_OVERHEAD = 512;
    /** The longest key {@link #key} makes: a topic name (at most 249 characters) and a partition; a file path is cut. */
    static final int MAX_KEY = 4096;

    private final String topic;
    private final int maxRequestSize;

    /** For a producer with Kafka's default {@code max.request.size}. */
    public DeadLetterSerializationSchema(String topic) {
        this(topic, DEFAULT_MAX_REQUEST_SIZE);
    }

    /** @param maxRequestSize the sink producer's {@code max.request.size}: no record written is larger */
    public DeadLetterSerializationSchema(String topic, int maxRequestSize) {
        this.topic = Objects.requireNonNull(topic, "topic");
        if (maxRequestSize < DeadLetterJson.MIN_LIMIT + RECORD_OVERHEAD + MAX_KEY) {
            throw new IllegalArgumentException("max.request.size must be at least "
                    + (DeadLetterJson.MIN_LIMIT + RECORD_OVERHEAD + MAX_KEY) + " bytes for the dead-letter sink, got "
                    + maxRequestSize);
        }
        this.maxRequestSize = maxRequestSize;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        byte[] key = key(d);
        int keyBytes = key == null ? 0 : key.length;
        return new ProducerRecord<>(topic, null, null, key,
                DeadLetterJson.toBytes(d, maxRequestSize - RECORD_OVERHEAD - keyBytes));
    }

    /** {@code topic-partition}, the source alone when the partition is unknown, or null when the source is. */
    static byte[] key(DeadLetter d) {
        if (d.source == null) {
            return null;
        }
        String k = d.partition < 0 ? d.source : d.source + "-" + d.partition;
        byte[] b = k.getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_KEY ? b : Arrays.copyOf(b, MAX_KEY);
    }
}
