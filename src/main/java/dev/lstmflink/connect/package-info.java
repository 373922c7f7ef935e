/**
 * Where records come from and go to: the record formats (JSON, CSV; {@code EventShape} says how many values and ids
 * an event has) that turn raw input ({@link dev.lstmflink.connect.RawRecord}) into
 * {@link dev.lstmflink.record.SensorEvent}s or dead letters with the reason and the raw bytes, the dead-letter output,
 * and {@link dev.lstmflink.connect.SyntheticSensors}, the embedded demo's generated input. {@code connect.kafka} holds
 * the Kafka side. May import {@code record}, {@code config}, {@code report}, {@code nab} and the levels below them,
 * never {@code flink}, {@code jobs} or {@code cli}; the detection pipeline in {@code flink.detect} uses these parsers.
 */
package dev.lstmflink.connect;
