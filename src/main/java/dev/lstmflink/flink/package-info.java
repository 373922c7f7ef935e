/**
 * The Flink operators: the keyed LSTM operator ({@link dev.lstmflink.flink.KeyedLstmFunction}, with model swaps
 * {@code SwappableLstmFunction}, both on the per-key engine of {@code flink.keyed}), its streams ({@code LstmStreams}),
 * and the model updates it receives ({@code ModelUpdate}, kept here because its class name is in the broadcast state
 * of savepoints). Sub-packages: {@code flink.detect} (the anomaly detector and its pipeline) and {@code flink.train}
 * (training on Flink); {@code KeyStateSerializer} here is only the snapshot class name earlier savepoints hold. May import {@code connect} and every level below it, never {@code jobs} or {@code cli}.
 */
package dev.lstmflink.flink;
