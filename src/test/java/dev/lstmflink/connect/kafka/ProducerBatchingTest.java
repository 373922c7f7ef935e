package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.ConfigException;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The sinks' producer batching: {@code kafka.linger}, {@code kafka.batch_size} and {@code kafka.compression} reach the
 * producers as {@code linger.ms}, {@code batch.size} and {@code compression.type}, a client property of the same name
 * wins, and bad values are refused naming the key.
 */
class ProducerBatchingTest {

    @Test
    void theShippedDefaultsReachTheProducersAndNotTheConsumers() {
        KafkaSettings s = DetectConfig.defaults().kafkaSettings("127.0.0.1:9092");
        assertEquals(KafkaSettings.ProducerBatching.DEFAULTS, s.batching());
        Properties p = KafkaIo.producerProperties(s);
        assertEquals("5", p.getProperty("linger.ms"));
        assertEquals("65536", p.getProperty("batch.size"));
        assertEquals("none", p.getProperty("compression.type"));
        Properties c = KafkaIo.consumerProperties(s);
        assertTrue(!c.containsKey("linger.ms") && !c.containsKey("batch.size") && !c.containsKey("compression.type"),
                c.toString());
    }

    @Test
    void theKeysSetThemAndAClientPropertyOfTheSameNameWins() throws Exception {
        DetectConfig c = DetectConfig.parse("kafka:\n  linger: 20 ms\n  batch_size: 131072\n  compression: lz4\n",
                "my.yaml", List.of());
        Properties p = KafkaIo.producerProperties(c.kafkaSettings("127.0.0.1:9092"));
        assertEquals("20", p.getProperty("linger.ms"));
        assertEquals("131072", p.getProperty("batch.size"));
        assertEquals("lz4", p.getProperty("compression.type"));

        c = DetectConfig.parse("", "my.yaml", List.of("kafka.linger=0 ms", "kafka.properties.linger.ms=50",
                "kafka.properties.compression.type=zstd"));
        p = KafkaIo.producerProperties(c.kafkaSettings("127.0.0.1:9092"));
        assertEquals("50", p.getProperty("linger.ms"));
        assertEquals("zstd", p.getProperty("compression.type"));
        assertEquals("65536", p.getProperty("batch.size"));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        for (var bad : Map.of("kafka.linger=soon", "kafka.linger", "kafka.batch_size=-1", "kafka.batch_size",
                "kafka.compression=brotli", "kafka.compression", "kafka.batch_size=big", "kafka.batch_size").entrySet()) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> DetectConfig.parse("", "my.yaml", List.of(bad.getKey())), bad.getKey());
            assertTrue(e.getMessage().contains(bad.getValue()), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new KafkaSettings.ProducerBatching(-1, 0, "none"));
    }
}
