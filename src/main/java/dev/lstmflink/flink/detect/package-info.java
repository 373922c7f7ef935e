/**
 * The anomaly detector on Flink: {@link dev.lstmflink.flink.detect.DetectFunction} (per-key prediction and scoring,
 * event-time buffering, idle keys), its state and their serializers (whose class names savepoints store, so they do
 * not move), and {@code DetectPipeline}, which wires {@code connect}'s parsers and dead letters around it. May import
 * {@code flink}, {@code connect} and every level below them.
 */
package dev.lstmflink.flink.detect;
