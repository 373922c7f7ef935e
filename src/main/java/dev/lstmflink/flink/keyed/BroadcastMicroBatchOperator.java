package dev.lstmflink.flink.keyed;

import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.record.SensorEvent;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * {@link MicroBatchOperator} for a keyed function with a second, broadcast input (the detector whose model can be
 * replaced while it runs): Flink's {@link CoBroadcastWithKeyedOperator} (the same {@code user-timers} timer service
 * and keyed state as the one-input operator, so a savepoint of either restores in the other under the same uid) plus
 * the same flushes (size, max delay, watermark, checkpoint barrier, end of input, quiet release) and one more:
 * <b>before each broadcast element</b>, so that every event that arrived before it is stepped by the model that served
 * then, and the function may swap the engine's model (which needs an empty batch).
 *
 * <p>Event time is the keyed input's alone: the broadcast input (model files, which carry no event time) neither
 * holds the watermark back nor moves it, so a model source without watermarks does not stall the event-time
 * buffer. Watermarks and idleness of input 1 pass through as in the one-input operator; those of input 2 are dropped.
 */
public final class BroadcastMicroBatchOperator<B, O, F extends KeyedBroadcastProcessFunction<String, SensorEvent, B, O>
        & KeyedLstmEngine.Owner<O>> extends CoBroadcastWithKeyedOperator<String, SensorEvent, B, O> {

    private static final long serialVersionUID = 1L;

    private final MicroBatch batch;
    private final F function;
    private transient KeyedLstmEngine<O> engine;
    private transient BatchFlushes<O> flushes;

    public BroadcastMicroBatchOperator(F function, List<MapStateDescriptor<?, ?>> broadcastStates, MicroBatch batch) {
        super(function, broadcastStates);
        if (batch == null) {
            throw new IllegalArgumentException("micro-batch settings must not be null");
        }
        this.function = function;
        this.batch = batch;
    }

    @Override
    public void open() throws Exception {
        super.open();
        engine = function.engine();
        flushes = new BatchFlushes<>(batch, this, engine, output, getProcessingTimeService());
    }

    @Override
    public void processElement1(StreamRecord<SensorEvent> element) throws Exception {
        flushes.from(element);
        super.processElement1(element);
    }

    @Override
    public void processElement2(StreamRecord<B> element) throws Exception {
        engine.flush();
        flushes.from(element);
        super.processElement2(element);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flushes.fromTimer(timer.getTimestamp());
        super.onEventTime(timer);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        flushes.fromProcessingTime();
        super.onProcessingTime(timer);
        engine.flush();   // a quiet key's released events: one key's, nothing to batch them with
    }

    /** The keyed input's watermark is the operator's (not combined with the broadcast input's). */
    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    /** Dropped: the broadcast input carries no event time (see the class comment). */
    @Override
    public void processWatermark2(Watermark mark) {}

    /** The keyed input's idleness is the operator's; the broadcast input's is dropped. */
    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputId) throws Exception {
        if (inputId == 0) {
            output.emitWatermarkStatus(status);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flushes.watermark(getTimeServiceManager(), mark);
    }

    @Override
    public boolean useInterruptibleTimers() {
        return false;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        engine.flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        engine.flush();
        super.finish();
    }
}
