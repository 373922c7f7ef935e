/**
 * The jobs, which put sources, operators and sinks together: {@code StreamingLstmJob} (the keyed LSTM on a stream),
 * {@code TrainJob} (training on Flink), {@code SensorSimulator}; {@code jobs.detect} holds the detection job's runs
 * (embedded, CSV replay, Kafka) and their files and reports. May import every level below ({@code flink},
 * {@code connect}, {@code record}, {@code config}, ...), never {@code cli} or {@code cluster}: the command lines that
 * start the jobs live above them.
 */
package dev.lstmflink.jobs;
