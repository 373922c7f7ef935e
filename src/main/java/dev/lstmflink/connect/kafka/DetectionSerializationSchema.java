package dev.lstmflink.connect.kafka;

import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A {@link Detection} becomes one record of the output topic: value {@link DetectionJson}, key the sensor key in
 * UTF-8, so the producer's default partitioner (murmur2 of the key) keeps each sensor in one partition and its
 * detections in order for readers.
 *
 * <p>The Kafka timestamp is left to the producer (the time of writing), not set to the event time: {@code ts} is in
 * the value, and a topic with time-based retention deletes segments by their newest record timestamp, so a replay of
 * old data stamped with its event times could be deleted as soon as it is written.
 *
 * <p>Each sink subtask writes with its own {@link DetectionJson.Writer} (created on first use, not serialized with the
 * schema): the value is the writer's buffer copied once into an array of its exact length, which the producer copies
 * into its batch during {@code send}.
 */
public final class DetectionSerializationSchema implements KafkaRecordSerializationSchema<Detection> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private transient DetectionJson.Writer writer;

    public DetectionSerializationSchema(String topic) {
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Detection d, KafkaSinkContext context, Long timestamp) {
        if (writer == null) {
            writer = new DetectionJson.Writer();
        }
        byte[] key = d.key == null ? null : d.key.getBytes(StandardCharsets.UTF_8);
        return new ProducerRecord<>(topic, null, null, key, writer.toBytes(d));
    }
}
