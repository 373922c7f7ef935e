package dev.lstmflink.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the detection job reads and writes in Kafka mode, from {@code config/detect.yaml}'s {@code kafka} section or
 * the {@code jobs/detect} flags.
 *
 * @param bootstrapServers      {@code host:port[,host:port...]}
 * @param inputTopic            the events (JSON or CSV values)
 * @param outputTopic           one JSON detection per scored event
 * @param deadLetterTopic       one JSON dead letter per record that was not scored
 * @param groupId               the consumer group of the source
 * @param startingOffsets       {@code earliest}, {@code latest} or {@code committed} (committed offsets of the group,
 *                              earliest when it has none)
 * @param exactlyOnce           true: {@code KafkaSink} with {@code EXACTLY_ONCE} (transactions committed on checkpoints;
 *                              readers need {@code isolation.level=read_committed}); false: {@code AT_LEAST_ONCE}
 * @param transactionalIdPrefix exactly-once only: unique per application, stable across restarts
 * @param createTopics          create missing topics at start-up (else a missing topic is an error naming it)
 * @param partitions            partitions of topics this job creates
 * @param clientProperties      any other Kafka client property (SASL, TLS, timeouts...), given to the source, the sinks
 *                              and the admin client alike
 * @param batching              how the sinks' producers batch ({@code kafka.linger}, {@code kafka.batch_size},
 *                              {@code kafka.compression}); a client property of the same Kafka name overrides it
 */
public record KafkaSettings(
        String bootstrapServers, String inputTopic, String outputTopic, String deadLetterTopic, String groupId,
        String startingOffsets, boolean exactlyOnce, String transactionalIdPrefix, boolean createTopics,
        int partitions, Map<String, String> clientProperties, ProducerBatching batching) implements Serializable {

    /**
     * The sinks' producer batching: Kafka's {@code linger.ms}, {@code batch.size} and {@code compression.type}.
     *
     * @param lingerMs    how long a producer waits for more records before it sends a partition's batch that is not full
     * @param batchSize   the most bytes of one partition's batch (0: no batching)
     * @param compression none, gzip, snappy, lz4 or zstd: what a batch is compressed with (the broker stores it so)
     */
    public record ProducerBatching(long lingerMs, int batchSize, String compression) implements Serializable {

        /** The compression types Kafka's producer knows. */
        public static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");
        /**
         * {@code config/detect.yaml}'s defaults, chosen by measurement (BENCHMARKS.md, "The Kafka path"): Kafka's
         * own linger (5 ms) and no compression, and batches of 64 KiB instead of Kafka's 16 KiB.
         */
        public static final ProducerBatching DEFAULTS = new ProducerBatching(5, 64 * 1024, "none");

        public ProducerBatching {
            if (lingerMs < 0 || lingerMs > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("kafka.linger must be between 0 ms and 2^31 - 1 ms, got " + lingerMs
                        + " ms");
            }
            if (batchSize < 0) {
                throw new IllegalArgumentException("kafka.batch_size must be >= 0, got " + batchSize);
            }
            if (!COMPRESSIONS.contains(compression)) {
                throw new IllegalArgumentException("kafka.compression must be one of " + String.join(", ", COMPRESSIONS)
                        + ", got " + compression);
            }
        }
    }

    /** With {@link ProducerBatching#DEFAULTS}. */
    public KafkaSettings(String bootstrapServers, String inputTopic, String outputTopic, String deadLetterTopic,
            String groupId, String startingOffsets, boolean exactlyOnce, String transactionalIdPrefix,
            boolean createTopics, int partitions, Map<String, String> clientProperties) {
        this(bootstrapServers, inputTopic, outputTopic, deadLetterTopic, groupId, startingOffsets, exactlyOnce,
                transactionalIdPrefix, createTopics, partitions, clientProperties, ProducerBatching.DEFAULTS);
    }

    public KafkaSettings {
        requireText("kafka.bootstrap_servers", bootstrapServers);
        requireText("kafka.input_topic", inputTopic);
        requireText("kafka.output_topic", outputTopic);
        requireText("kafka.dead_letter_topic", deadLetterTopic);
        requireText("kafka.group_id", groupId);
        if (!"earliest".equals(startingOffsets) && !"latest".equals(startingOffsets)
                && !"committed".equals(startingOffsets)) {
            throw new IllegalArgumentException(
                    "kafka.starting_offsets must be earliest, latest or committed, got " + startingOffsets);
        }
        if (exactlyOnce) {
            requireText("kafka.transactional_id_prefix", transactionalIdPrefix);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("kafka.partitions must be >= 1, got " + partitions);
        }
        if (inputTopic.equals(outputTopic) || inputTopic.equals(deadLetterTopic)
                || outputTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("kafka.input_topic, output_topic and dead_letter_topic must differ, got "
                    + inputTopic + ", " + outputTopic + ", " + deadLetterTopic);
        }
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(new TreeMap<>(clientProperties));
        if (batching == null) {
            batching = ProducerBatching.DEFAULTS;
        }
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set, got " + (value == null ? "nothing" : "\"" + value + "\""));
        }
    }
}
