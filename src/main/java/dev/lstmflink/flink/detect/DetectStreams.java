package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.flink.keyed.BroadcastMicroBatchOperator;
import dev.lstmflink.flink.keyed.MicroBatchOperator;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import java.util.List;
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

    /**
     * The detector whose model is replaced by the models on {@code updates} while the job runs
     * ({@link SwappableDetectFunction} in {@link BroadcastMicroBatchOperator}), under the same uid as {@link #detect}:
     * a savepoint of either restores in the other (the keyed state and timers are the same; the accepted model is
     * broadcast state, which the one-input operator does not have). Refused models are on
     * {@code result.getSideOutput(SwappableDetectFunction.MODEL_REJECTED)}.
     *
     * @param model a model file's bytes (the detector without a model cannot swap)
     */
    public static SingleOutputStreamOperator<Detection> swappable(
            DataStream<SensorEvent> events, DataStream<ModelUpdate> updates, ScoringConfig scoring,
            DetectOptions options, byte[] model, String modelName) {
        if (model == null) {
            throw new IllegalArgumentException("model updates need a model to start with: the detector without a "
                    + "model has no LSTM state for a published model to continue");
        }
        var fn = new SwappableDetectFunction(scoring, options, model, modelName);
        // A plain broadcast partitioning with the operator's own broadcast state: BroadcastConnectedStream cannot take
        // a custom operator, ConnectedStreams can (state keyed by input 1 only, as Flink's keyed broadcast).
        return events.keyBy(DetectStreams::keyOf)
                .connect(updates.broadcast())
                .transform("KeyedBroadcastProcess", TypeInformation.of(Detection.class),
                        new BroadcastMicroBatchOperator<>(fn, List.of(SwappableDetectFunction.MODEL_STATE),
                                options.batch()))
                .uid(UID)
                .name("anomaly detection (model updates)");
    }
}
