/**
 * Training on Flink: reading CSV files as numbered lines ({@link dev.lstmflink.flink.train.NumberedLineFormat}),
 * parsing them into rows, and data-parallel epochs with parameter averaging around {@code train}'s in-process
 * trainer: {@code ShardedTraining}, whose subtasks read their own shards of the windows from the files (the client
 * ships only paths, settings, per-key row counts and weights), and {@code DataParallelEpochs}, for windows already in
 * memory (shipped in each epoch's job graph). May import {@code flink}, {@code train} and every level below {@code flink}.
 */
package dev.lstmflink.flink.train;
