package dev.lstmflink.flink.keyed;

import dev.lstmflink.config.MicroBatch;
import java.util.Optional;
import org.apache.flink.streaming.api.operators.InternalTimeServiceManager;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.apache.flink.util.Collector;

/**
 * What the micro-batching operators ({@link MicroBatchOperator}, {@link BroadcastMicroBatchOperator}) share as the
 * engine's {@link KeyedLstmEngine.BatchHost}: the timestamp of the record or timer that brings each event (its output
 * carries it, as with the function alone) and the max-delay flush, a processing-time callback registered when a batch
 * opens, and the switch of the keyed state's current key. The operators differ only in their Flink base class and in
 * where they flush.
 */
final class BatchFlushes<O> implements KeyedLstmEngine.BatchHost<O> {

    private final MicroBatch batch;
    private final KeyContext keys;
    private final KeyedLstmEngine<O> engine;
    private final ProcessingTimeService time;
    private final Output<StreamRecord<O>> output;
    private final TimestampedCollector<O> stamped;
    private long stamp = PendingSteps.NO_STAMP;
    /** A flush callback is registered and has not run yet. */
    private boolean flushArmed;

    /** Hands the engine this host ({@link KeyedLstmEngine#batching}); called in the operator's {@code open}. */
    BatchFlushes(MicroBatch batch, KeyContext keys, KeyedLstmEngine<O> engine, Output<StreamRecord<O>> output,
                 ProcessingTimeService time) {
        this.batch = batch;
        this.keys = keys;
        this.engine = engine;
        this.time = time;
        this.output = output;
        this.stamped = new TimestampedCollector<>(output);
        engine.batching(batch.size(), this);
    }

    /**
     * A watermark: the timers it passes fire (their released events join the batch), the batch is stepped and its
     * output emitted, and only then the watermark goes on, so that no output is behind a watermark already sent.
     */
    void watermark(Optional<InternalTimeServiceManager<?>> timers, Watermark mark) throws Exception {
        if (timers.isPresent()) {
            timers.get().advanceWatermark(mark);
        }
        engine.flush();
        output.emitWatermark(mark);
    }

    /** The next events come from this record (its timestamp, if it has one). */
    void from(StreamRecord<?> record) {
        stamp = record.hasTimestamp() ? record.getTimestamp() : PendingSteps.NO_STAMP;
    }

    /** The next events come from an event-time timer at {@code timestamp}. */
    void fromTimer(long timestamp) {
        stamp = timestamp;
    }

    /** The next events come from a processing-time timer: no timestamp. */
    void fromProcessingTime() {
        stamp = PendingSteps.NO_STAMP;
    }

    @Override
    public void setCurrentKey(Object key) {
        keys.setCurrentKey(key);
    }

    @Override
    public Object getCurrentKey() {
        return keys.getCurrentKey();
    }

    @Override
    public long stamp() {
        return stamp;
    }

    @Override
    public Collector<O> output(long stamp) {
        if (stamp == PendingSteps.NO_STAMP) {
            stamped.eraseTimestamp();
        } else {
            stamped.setAbsoluteTimestamp(stamp);
        }
        return stamped;
    }

    @Override
    public void opened() {
        if (flushArmed || batch.size() == 1) {
            return;
        }
        flushArmed = true;
        long at = time.getCurrentProcessingTime() + batch.maxDelay().toMillis();
        time.registerTimer(at, t -> {
            flushArmed = false;
            engine.flush();
        });
    }
}
