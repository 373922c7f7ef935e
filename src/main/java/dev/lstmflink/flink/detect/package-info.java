/**
 * The anomaly detector on Flink: {@link dev.lstmflink.flink.detect.DetectFunction} (normalisation, scoring and
 * prediction, as the hook of the per-key engine in {@code flink.keyed}), its state and their serializers (whose class
 * names savepoints store, so they do not move), and {@code DetectPipeline}, which wires {@code connect}'s parsers and
 * dead letters around it. May import {@code flink}, {@code flink.keyed}, {@code connect} and every level below them.
 */
package dev.lstmflink.flink.detect;
