/**
 * What an LSTM is, as data: {@link dev.lstmflink.core.model.LstmConfig} ({@code nn.LSTM}'s arguments and Keras'
 * activations), the flat parameter layout ({@code LstmLayout}, {@code CellLayout}), {@code EmbeddingConfig},
 * {@code Activation} and {@code Precision}. Imports nothing of ours; the bottom of {@code core}.
 */
package dev.lstmflink.core.model;
