package dev.lstmflink.connect.kafka;

import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A {@link DeadLetter} becomes one record of the dead-letter topic: value {@link DeadLetterJson}, key where the bad
 * record came from ({@code topic-partition} as Kafka writes a {@code TopicPartition}, the file name for file input,
 * none when unknown), so that the dead letters of one input partition stay in one partition, in offset order. The
 * Kafka timestamp is the time of writing, as for detections ({@link DetectionSerializationSchema} says why).
 */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter d, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, key(d), DeadLetterJson.toBytes(d));
    }

    /** {@code topic-partition}, the source alone when the partition is unknown, or null when the source is. */
    static byte[] key(DeadLetter d) {
        if (d.source == null) {
            return null;
        }
        String k = d.partition < 0 ? d.source : d.source + "-" + d.partition;
        return k.getBytes(StandardCharsets.UTF_8);
    }
}
