package dev.lstmflink.connect.kafka;

import dev.lstmflink.connect.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A Kafka record becomes a {@link RawRecord}: its value bytes, untouched, with topic, partition and offset, so that a
 * dead letter can say where the bad record is. No parsing happens here: a record that fails to deserialize in a
 * source would fail the job, while the parser after it turns any bytes into an event or a dead letter.
 *
 * <p>A tombstone (null value) is passed on as a record with null bytes, never dropped: the parser dead-letters it as
 * {@code empty}, so it is counted and {@code received = scored + dead-lettered + late} still balances. The record key
 * is not read; the sensor key is in the value.
 */
public final class RawRecordDeserializationSchema implements KafkaRecordDeserializationSchema<RawRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(RawRecord.kafka(record.topic(), record.partition(), record.offset(), record.value()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
