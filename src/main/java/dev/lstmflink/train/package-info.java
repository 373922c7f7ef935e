/**
 * Training in one process: {@link dev.lstmflink.train.Trainer} and {@code EpochRunner} (BPTT, Adam, early stopping),
 * the training windows, and {@code ModelFileWriter}. Sub-packages: {@code train.data} (CSV series, windows,
 * normalisation), {@code train.model} (embedding + LSTM + head, losses, initialisers) and {@code train.optim} (Adam,
 * schedules, clipping, regularizers, constraints). May import {@code core} and {@code csv}; no Flink: the Flink side
 * of training lives in {@code flink.train}.
 */
package dev.lstmflink.train;
