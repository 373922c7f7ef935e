/**
 * The jobs, which put sources, operators and sinks together: {@code StreamingLstmJob} (the keyed LSTM on a stream),
 * {@code TrainJob} (training on Flink), {@code SensorSimulator}; {@code jobs.detect} holds the detection job's runs
 * (embedded, CSV replay, Kafka) and their files and reports; {@code jobs.models} the watched folder that model updates
 * are published to and read from ({@code RemoteFiles} reads it). May import every level below ({@code flink},
 * {@code connect}, {@code record}, {@code config}, ...), never {@code cli} or {@code cluster}: the command lines that
 * start the jobs live above them.
 */
package dev.lstmflink.jobs;
