/**
 * Kafka: the source and exactly-once sinks ({@link dev.lstmflink.connect.kafka.KafkaIo}), one serde class per record
 * type, per-partition watermarks, topic creation, and the tools {@code jobs/kafka-local} (a local broker),
 * {@code jobs/sensors} ({@code SensorProducer}) and {@code jobs/kafka-tail}. May import {@code connect} and the levels
 * below it, as {@code connect} does.
 */
package dev.lstmflink.connect.kafka;
