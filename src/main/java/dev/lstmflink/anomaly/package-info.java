/**
 * Per-key anomaly scoring of prediction errors: {@link dev.lstmflink.anomaly.LikelihoodScorer} (anomaly likelihood of
 * the errors and the level, the default) and {@code KeyScorer} with {@code DynamicThreshold} (telemanom's), with their
 * settings and their state as plain objects that the operators keep in Flink state. May import {@code core} and
 * {@code csv}; no Flink.
 */
package dev.lstmflink.anomaly;
