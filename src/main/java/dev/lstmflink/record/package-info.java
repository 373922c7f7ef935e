/**
 * The records that flow between sources, operators and sinks: {@link dev.lstmflink.record.SensorEvent} in,
 * {@code LstmOutput} and {@link dev.lstmflink.record.Detection} (with its JSON form) out, {@code RejectedEvent} for
 * what an operator did not process. Plain data (Flink POJOs: public fields, a no-argument constructor) with no Flink
 * import, so that {@code connect}, {@code flink} and {@code jobs} can all share them; their Flink serializers stay in
 * {@code flink}. May import {@code core}, {@code csv}, {@code anomaly} and {@code train}.
 */
package dev.lstmflink.record;
