/**
 * The command-line tools: {@code jobs/lstm} ({@code LstmCli}: inspect, forward, publish), {@code jobs/train}
 * ({@code TrainCli}), {@code jobs/detect} ({@link dev.lstmflink.cli.DetectCli}, and {@code DetectJob}, its entry class
 * on a Flink cluster) and {@code jobs/bench-nab}, with the exit codes and error reporting they share
 * ({@code CliRunner}). The top level: it may import anything of ours, and nothing imports it.
 */
package dev.lstmflink.cli;
