package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.connect.JsonRecordParser;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

/**
 * Every dead-letter record fits the sink producer's {@code max.request.size} as Kafka's producer measures it: before the
 * cut, a record of 400,000 control characters made a 2.4 MB dead letter, the producer refused it
 * ({@code RecordTooLargeException}) and the job failed on it after every restart.
 */
class DeadLetterSerializationSchemaTest {

    @Test
    void aDeadLetterInflatedByEscapingStillFitsTheProducersLimit() {
        JsonRecordParser parser = new JsonRecordParser(1, 1 << 20);
        for (int limit : new int[] {DeadLetterSerializationSchema.DEFAULT_MAX_REQUEST_SIZE, 64 * 1024, 3 << 20}) {
            DeadLetterSerializationSchema schema = new DeadLetterSerializationSchema("dlq", limit);
            for (String record : new String[] {"\u0001".repeat(400_000), "\"".repeat(1 << 20), "x".repeat(1 << 20)}) {
                DeadLetter d = parser.parse(record.getBytes(StandardCharsets.UTF_8), "sensors", 3, 77).deadLetter();
                ProducerRecord<byte[], byte[]> r = schema.serialize(d, null, null);
                // what KafkaProducer compares with max.request.size
                int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                        CompressionType.NONE, r.key(), r.value(), r.headers().toArray());
                assertTrue(size <= limit, size + " bytes over " + limit);
                assertEquals("dlq", r.topic());
                assertArrayEquals("sensors-3".getBytes(StandardCharsets.UTF_8), r.key());
                DeadLetter back = DeadLetterJson.fromJson(r.value());
                assertEquals(d.reason, back.reason);
                assertEquals(77, back.offset);
                assertTrue(record.startsWith(back.raw), "raw is a prefix");
                int budget = limit - DeadLetterSerializationSchema.RECORD_OVERHEAD - r.key().length;
                assertEquals(d.rawTruncated || DeadLetterJson.toBytes(d).length > budget, back.rawTruncated,
                        "cut only when it must be");
            }
        }
    }

    @Test
    void theLimitComesFromTheClientPropertiesAndIsCheckedAtBuildTime() {
        KafkaSettings plain = settings(Map.of());
        assertEquals(DeadLetterSerializationSchema.DEFAULT_MAX_REQUEST_SIZE, KafkaIo.maxRequestSize(plain));
        assertEquals(4 << 20, KafkaIo.maxRequestSize(settings(Map.of("max.request.size", "4194304"))));
        String m = assertThrows(IllegalArgumentException.class,
                () -> KafkaIo.maxRequestSize(settings(Map.of("max.request.size", "1MB")))).getMessage();
        assertTrue(m.contains("max.request.size") && m.contains("1MB"), m);
        assertThrows(IllegalArgumentException.class,
                () -> KafkaIo.deadLetterSink(settings(Map.of("max.request.size", "1000"))));
        assertThrows(IllegalArgumentException.class, () -> new DeadLetterSerializationSchema("dlq", 1000));
    }

    private static KafkaSettings settings(Map<String, String> props) {
        return new KafkaSettings("127.0.0.1:9092", "in", "out", "dlq", "g", "earliest", true, "tx", false, 1, props);
    }
}
