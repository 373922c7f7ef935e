package dev.lstmflink.flink;

import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.flink.keyed.MicroBatchOperator;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Wires the keyed LSTM operator into a job: {@code keyBy(key)}, the function, a stable {@code uid} (savepoints and
 * rescaling find its state by it) and a name for the web UI.
 *
 * <pre>{@code
 * DataStream<SensorEvent> events = env.fromSource(source, SensorEvents.watermarks(Duration.ofSeconds(5)), "sensors");
 * SingleOutputStreamOperator<LstmOutput> out = LstmStreams.keyedLstm(events, config, modelBytes, "model.safetensors");
 * out.getSideOutput(LstmStreams.REJECTED).sinkTo(deadLetters);
 * }</pre>
 */
public final class LstmStreams {

    /** Events not stepped, with the reason ({@code late}, {@code invalid}, {@code bad_id}): the per-key engine's. */
    public static final OutputTag<RejectedEvent> REJECTED = KeyedLstmEngine.REJECTED;
    /** Model updates refused by {@link SwappableLstmFunction}. */
    public static final OutputTag<ModelRejection> MODEL_REJECTED = new OutputTag<>("lstm-model-rejected") {};
    /** The operator's uid. */
    public static final String UID = "lstm-step";

    private LstmStreams() {}

    /** Event-time watermarks from {@link SensorEvent#ts}, allowing this much out-of-orderness. */
    public static WatermarkStrategy<SensorEvent> watermarks(Duration outOfOrderness) {
        return WatermarkStrategy.<SensorEvent>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((e, previous) -> e.ts);
    }

    /**
     * The partitioning key. Flink cannot partition a null key, so events without one go to the {@code ""} key, where
     * the operator rejects them (reason {@code invalid}) instead of the job failing.
     */
    static String keyOf(SensorEvent e) {
        return e.key == null ? "" : e.key;
    }

    public static SingleOutputStreamOperator<LstmOutput> keyedLstm(
            DataStream<SensorEvent> events, LstmFunctionConfig config, byte[] model, String modelName) {
        return keyedLstm(events, config, model, modelName, MicroBatch.DEFAULT);
    }

    /** As above, stepping up to {@code batch.size()} keys per pass over the weights ({@link MicroBatchOperator}). */
    public static SingleOutputStreamOperator<LstmOutput> keyedLstm(
            DataStream<SensorEvent> events, LstmFunctionConfig config, byte[] model, String modelName,
            MicroBatch batch) {
        return events.keyBy(LstmStreams::keyOf)
                .transform("KeyedProcess", TypeInformation.of(LstmOutput.class),
                        new MicroBatchOperator<>(new KeyedLstmFunction(config, model, modelName), batch))
                .uid(UID)
                .name("LSTM step");
    }

    /** As {@link #keyedLstm}, with models swapped at runtime from {@code updates}. */
    public static SingleOutputStreamOperator<LstmOutput> swappableLstm(
            DataStream<SensorEvent> events, DataStream<ModelUpdate> updates, LstmFunctionConfig config,
            byte[] initialModel, String modelName) {
        BroadcastStream<ModelUpdate> models = updates.broadcast(SwappableLstmFunction.MODEL_STATE);
        return events.keyBy(LstmStreams::keyOf)
                .connect(models)
                .process(new SwappableLstmFunction(config, initialModel, modelName))
                .uid(UID)
                .name("LSTM step (swappable model)");
    }
}
