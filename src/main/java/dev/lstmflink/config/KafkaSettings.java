package dev.lstmflink.config;

import java.io.Serializable;
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
 */
public record KafkaSettings(
        String bootstrapServers, String inputTopic, String outputTopic, String deadLetterTopic, String groupId,
        String startingOffsets, boolean exactlyOnce, String transactionalIdPrefix, boolean createTopics,
        int partitions, Map<String, String> clientProperties) implements Serializable {

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
    }

    private static void requireText(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must be set, got " + (value == null ? "nothing" : "\"" + value + "\""));
        }
    }
}
