/**
 * The Flink operators: the keyed LSTM operator ({@link dev.lstmflink.flink.KeyedLstmFunction}, with model swaps
 * {@code SwappableLstmFunction}), its state ({@code KeyState} and its serializer) and streams ({@code LstmStreams}),
 * and the model updates it receives ({@code ModelUpdate}, kept here because its class name is in the broadcast state
 * of savepoints). Sub-packages: {@code flink.detect} (the anomaly detector and its pipeline) and {@code flink.train}
 * (training on Flink). May import {@code connect} and every level below it, never {@code jobs} or {@code cli}.
 */
package dev.lstmflink.flink;
