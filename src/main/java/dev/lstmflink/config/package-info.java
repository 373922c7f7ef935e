/**
 * The typed settings of the jobs: {@link dev.lstmflink.config.DetectConfig} ({@code config/detect.yaml}) and
 * {@link dev.lstmflink.config.TrainConfig} ({@code config/train.yaml}), read strictly by {@code StrictYaml} (a bad key
 * or value is a {@link dev.lstmflink.config.ConfigException} naming it), and the option records they hand to the
 * parts below the jobs: {@code DetectOptions} for the detector, {@code KafkaSettings} for the Kafka source and sinks.
 * May import {@code core}, {@code csv}, {@code anomaly} and {@code train} (and Flink's duration and memory-size
 * parsers), so that {@code connect}, {@code flink}, {@code jobs} and {@code cli} can all read the settings.
 */
package dev.lstmflink.config;
