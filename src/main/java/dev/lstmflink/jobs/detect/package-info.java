/**
 * The runs of {@code jobs/detect}: the embedded demo ({@code EmbeddedRun}, with {@code Evaluation} against the
 * injected anomalies), CSV replay ({@code CsvReplay}), Kafka ({@code KafkaRun}), the model they use
 * ({@code DetectModels}, {@code TrainingPlan}) and what they write ({@code DetectFiles}, {@code Reports}). They take
 * their settings as a {@link dev.lstmflink.config.DetectConfig}; the command line ({@code cli.DetectCli}) and the
 * cluster entry class ({@code cli.DetectJob}) call them. May import {@code jobs} and every level below it.
 */
package dev.lstmflink.jobs.detect;
