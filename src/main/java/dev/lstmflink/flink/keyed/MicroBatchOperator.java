package dev.lstmflink.flink.keyed;

import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.record.SensorEvent;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Runs a keyed LSTM function (the plain operator or the detector) with micro-batching: its engine's steps wait in a
 * batch of up to {@link MicroBatch#size} events, which is stepped in one pass over the weights when it is full or when
 * its oldest event has waited {@link MicroBatch#maxDelay} (a processing-time callback). So a busy subtask steps many keys
 * per pass, and a quiet one still answers within the delay.
 *
 * <p>It is Flink's {@link KeyedProcessOperator} for everything else (the function's lifecycle, its state, its
 * {@code user-timers} timer service, so savepoints of either restore in the other), plus the flushes that keep Flink's
 * guarantees:
 * <ul>
 *   <li><b>checkpoints</b>: {@link #prepareSnapshotPreBarrier} flushes, so every event before a barrier is stepped, its
 *       state written and its output emitted before the barrier: a snapshot never holds a batch, and exactly-once,
 *       savepoints and rescaling are those of the function;</li>
 *   <li><b>watermarks</b>: {@link #processWatermark} fires the timers the watermark passes (their released events join
 *       the batch), flushes, and only then forwards the watermark, so no output is behind a watermark already sent;</li>
 *   <li><b>end of input</b>: {@link #finish} flushes;</li>
 *   <li><b>quiet release</b> (a processing-time timer releasing one key's waiting events): flushed at once, as they
 *       are one key's and would only wait.</li>
 * </ul>
 * Each output carries the timestamp of the record or timer that brought its event, as with the function alone. The
 * interruptible-timers option is not used here (a watermark's timers and its flush form one step).
 */
public final class MicroBatchOperator<O, F extends KeyedProcessFunction<String, SensorEvent, O>
        & KeyedLstmEngine.Owner<O>> extends KeyedProcessOperator<String, SensorEvent, O> {

    private static final long serialVersionUID = 1L;

    private final MicroBatch batch;
    private final F function;
    private transient KeyedLstmEngine<O> engine;
    private transient BatchFlushes<O> flushes;

    public MicroBatchOperator(F function, MicroBatch batch) {
        super(function);
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
    public void processElement(StreamRecord<SensorEvent> element) throws Exception {
        flushes.from(element);
        super.processElement(element);
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
