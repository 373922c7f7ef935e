/**
 * Training on Flink: reading CSV files as numbered lines ({@link dev.lstmflink.flink.train.NumberedLineFormat}),
 * parsing them into rows, and data-parallel epochs with parameter averaging ({@code DataParallelEpochs}) around
 * {@code train}'s in-process trainer. May import {@code flink}, {@code train} and every level below {@code flink}.
 */
package dev.lstmflink.flink.train;
