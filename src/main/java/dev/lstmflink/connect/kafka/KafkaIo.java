package dev.lstmflink.connect.kafka;

import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.record.Detection;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The detection job's Kafka source and sinks, built from {@link KafkaSettings}: records in as {@link RawRecord}s (value
 * bytes with topic, partition and offset), detections and dead letters out as JSON.
 *
 * <p>Every {@link KafkaSettings#clientProperties()} entry reaches the source's consumers and the sinks' producers (and
 * {@link Topics}' admin client), so SASL, TLS and timeouts are set in one place. The three that the settings' own
 * fields set ({@code bootstrap.servers}, {@code group.id}, {@code transactional.id}) are refused there rather than
 * silently overridden. The sinks' batching ({@code linger.ms}, {@code batch.size}, {@code compression.type}) comes from
 * {@link KafkaSettings#batching()} unless client properties set it. Two more defaults are ours, and client properties
 * can override them:
 * <ul>
 *   <li>the source reads with {@code isolation.level=read_committed}, so events from an input transaction that is later
 *       aborted are never scored (no difference for non-transactional producers);</li>
 *   <li>exactly-once sinks use {@code transaction.timeout.ms} = {@value #DEFAULT_TRANSACTION_TIMEOUT_MS} (15 min), the
 *       broker's default {@code transaction.max.timeout.ms}: Flink's own default (1 h) is refused by a broker left at
 *       its defaults. It must exceed the checkpoint interval plus the time a restart takes, or Kafka aborts a
 *       transaction that Flink still means to commit and its records are lost.</li>
 * </ul>
 *
 * <p>Exactly-once: both sinks write in Kafka transactions committed when a checkpoint completes (so checkpointing must
 * be on, and readers need {@code isolation.level=read_committed}); the detection sink's transactional ids start with
 * {@link KafkaSettings#transactionalIdPrefix()}, the dead-letter sink's with that plus {@value #DEAD_LETTER_TX_SUFFIX},
 * since two sinks sharing a prefix would fence each other's producers.
 *
 * <p>The job wires uids and names; this class only builds the connectors.
 */
public final class KafkaIo {

    /** {@code transaction.timeout.ms} of exactly-once sinks when client properties do not set it. */
    public static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 900_000L;
    /** Appended to the transactional-id prefix for the dead-letter sink. */
    public static final String DEAD_LETTER_TX_SUFFIX = "-dlq";

    /** Client properties that the settings' own fields set; giving them in client properties is an error. */
    private static final Map<String, String> RESERVED = Map.of(
            "bootstrap.servers", "kafka.bootstrap_servers",
            ConsumerConfig.GROUP_ID_CONFIG, "kafka.group_id",
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka.transactional_id_prefix");

    private KafkaIo() {}

    /** The source, unbounded, reading {@link KafkaSettings#inputTopic()} from {@link KafkaSettings#startingOffsets()}. */
    public static KafkaSource<RawRecord> source(KafkaSettings s) {
        return sourceBuilder(s).build();
    }

    /**
     * The source's builder with everything of {@link #source} set, for what the settings do not cover, e.g.
     * {@code setBounded(OffsetsInitializer.latest())} to read up to the end offsets found at start and then finish.
     */
    public static KafkaSourceBuilder<RawRecord> sourceBuilder(KafkaSettings s) {
        return KafkaSource.<RawRecord>builder()
                .setProperties(consumerProperties(s))
                .setBootstrapServers(s.bootstrapServers())
                .setTopics(s.inputTopic())
                .setGroupId(s.groupId())
                .setStartingOffsets(startingOffsets(s.startingOffsets()))
                .setDeserializer(new RawRecordDeserializationSchema());
    }

    /** Detections to {@link KafkaSettings#outputTopic()}, keyed by sensor. */
    public static KafkaSink<Detection> detectionSink(KafkaSettings s) {
        return sink(s, new DetectionSerializationSchema(s.outputTopic()), s.transactionalIdPrefix());
    }

    /**
     * Dead letters to {@link KafkaSettings#deadLetterTopic()}, keyed by their input partition, each within the
     * producer's {@code max.request.size} (see {@link DeadLetterSerializationSchema}).
     */
    public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings s) {
        return sink(s, new DeadLetterSerializationSchema(s.deadLetterTopic(), maxRequestSize(s)),
                s.transactionalIdPrefix() + DEAD_LETTER_TX_SUFFIX);
    }

    /** The sinks' {@code max.request.size}: the client properties' or Kafka's default. */
    static int maxRequestSize(KafkaSettings s) {
        String v = producerProperties(s).getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (v == null) {
            return DeadLetterSerializationSchema.DEFAULT_MAX_REQUEST_SIZE;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kafka.properties " + ProducerConfig.MAX_REQUEST_SIZE_CONFIG
                    + " must be a number of bytes, got " + v);
        }
    }

    /**
     * Where the source starts when it has no checkpoint to restore: {@code earliest}, {@code latest} or
     * {@code committed} (the group's committed offsets, earliest for partitions without one). After a restore the
     * source continues from its checkpointed offsets whatever this says.
     */
    // OffsetResetStrategy is deprecated in kafka-clients 4 (AutoOffsetResetStrategy replaces it), but it is what
    // flink-connector-kafka 5.0's OffsetsInitializer.committedOffsets takes.
    @SuppressWarnings("deprecation")
    public static OffsetsInitializer startingOffsets(String startingOffsets) {
        return switch (startingOffsets) {
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            default -> throw new IllegalArgumentException(
                    "kafka.starting_offsets must be earliest, latest or committed, got " + startingOffsets);
        };
    }

    /**
     * The settings' client properties as {@link Properties}.
     *
     * @throws IllegalArgumentException when they set one of the properties the settings' fields own
     */
    static Properties clientProperties(KafkaSettings s) {
        Properties props = new Properties();
        for (Map.Entry<String, String> e : s.clientProperties().entrySet()) {
            String field = RESERVED.get(e.getKey());
            if (field != null) {
                throw new IllegalArgumentException("kafka.properties must not set " + e.getKey() + " (set "
                        + field + " instead), got " + e.getKey() + "=" + e.getValue());
            }
            props.setProperty(e.getKey(), e.getValue());
        }
        return props;
    }

    /** What the source's consumers get: the client properties, and {@code read_committed} unless they say otherwise. */
    static Properties consumerProperties(KafkaSettings s) {
        Properties props = clientProperties(s);
        props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    /**
     * What the sinks' producers get: the client properties; the batching of {@link KafkaSettings#batching()}
     * ({@code linger.ms}, {@code batch.size}, {@code compression.type}) where they do not set it; and for exactly-once
     * a {@code transaction.timeout.ms} of {@value #DEFAULT_TRANSACTION_TIMEOUT_MS} unless they give one.
     */
    static Properties producerProperties(KafkaSettings s) {
        Properties props = clientProperties(s);
        KafkaSettings.ProducerBatching b = s.batching();
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(b.lingerMs()));
        props.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(b.batchSize()));
        props.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, b.compression());
        if (s.exactlyOnce()) {
            props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(DEFAULT_TRANSACTION_TIMEOUT_MS));
        }
        return props;
    }

    private static <T> KafkaSink<T> sink(KafkaSettings s, KafkaRecordSerializationSchema<T> serializer,
            String transactionalIdPrefix) {
        var b = KafkaSink.<T>builder()
                .setKafkaProducerConfig(producerProperties(s))
                .setBootstrapServers(s.bootstrapServers())
                .setRecordSerializer(serializer);
        if (s.exactlyOnce()) {
            b.setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                    .setTransactionalIdPrefix(transactionalIdPrefix);
        } else {
            b.setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE);
        }
        return b.build();
    }
}
