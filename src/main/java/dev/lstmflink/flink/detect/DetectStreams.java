package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.keyed.MicroBatchOperator;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires {@link DetectFunction} into a job: {@code keyBy(key)}, the function, a stable uid and a name. Invalid events
 * are on {@code result.getSideOutput(LstmStreams.REJECTED)}.
 */
public final class DetectStreams {

    /** The operator's uid (savepoints find its state by it). */
    public static final String UID = "anomaly-detect";

    private DetectStreams() {}

    /** The partitioning key; events without one go to {@code ""}, where the function rejects them. */
    public static String keyOf(SensorEvent e) {
        return e.key == null ? "" : e.key;
    }

    /**
     * The detector in the micro-batching operator ({@link MicroBatchOperator}, {@link DetectOptions#batch}).
     *
     * @param model  a model file's bytes, or null for no model: each value is predicted by the key's last one
     * @param values the numeric values per event, for the model-free detector (a model says it itself)
     */
    public static SingleOutputStreamOperator<Detection> detect(
            DataStream<SensorEvent> events, ScoringConfig scoring, DetectOptions options, byte[] model,
            String modelName, int values) {
        DetectFunction fn = model == null ? DetectFunction.withoutModel(scoring, options, values)
                : new DetectFunction(scoring, options, model, modelName);
        return events.keyBy(DetectStreams::keyOf)
                .transform("KeyedProcess", TypeInformation.of(Detection.class), new MicroBatchOperator<>(fn, options.batch()))
                .uid(UID)
                .name("anomaly detection");
    }
}
