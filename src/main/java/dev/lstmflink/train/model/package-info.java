/**
 * The model being trained: {@link dev.lstmflink.train.model.SequenceModel} (embedding + LSTM + head), its losses,
 * head and initialisers. May import {@code core} and {@code train.data}.
 */
package dev.lstmflink.train.model;
