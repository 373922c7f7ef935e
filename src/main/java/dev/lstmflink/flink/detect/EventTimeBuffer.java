package dev.lstmflink.flink.detect;

import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.api.TimerService;

/**
 * Event-time order for {@link DetectFunction}: each key's events wait in Flink keyed state until the watermark passes
 * their timestamp and then come out in timestamp order, ties in arrival order; events too far behind the watermark are
 * refused. Also the key's idle-expiry timer.
 *
 * <p>The rules are those of the plain LSTM operator ({@code dev.lstmflink.flink.LstmKeyedLogic}): an event more than
 * the allowed lateness behind the watermark is late; one at or behind the watermark but within the allowed lateness is
 * scored at once, after what its key has already scored (its timer could only fire at the next watermark); one ahead of
 * the watermark waits for an event-time timer at its timestamp. {@code LstmKeyedLogic} is package-private in another
 * package, so the two keep their own copies of these few lines.
 *
 * <p>State per key: {@code detect-buffer}, timestamp → that timestamp's events in arrival order (a list, so each
 * timestamp costs one map entry and one timer, whatever the number of events at it). The serializers are given
 * explicitly, Flink's {@link ListSerializer} of {@link SensorEventSerializer}: no Kryo, and a format that a savepoint can
 * rely on (each has a serializer snapshot).
 */
final class EventTimeBuffer {

    /** Expiry timers are rounded up to this, so that a busy key moves its timer at most once per this many ms. */
    static final long TIMER_GRANULARITY_MS = 1_000;

    private final MapState<Long, List<SensorEvent>> buffer;
    private final long allowedLatenessMs;

    EventTimeBuffer(RuntimeContext rc, Duration allowedLateness) {
        this.buffer = rc.getMapState(descriptor());
        this.allowedLatenessMs = allowedLateness.toMillis();
    }

    /** The buffer's keyed state: timestamp → that timestamp's events in arrival order. */
    static MapStateDescriptor<Long, List<SensorEvent>> descriptor() {
        return new MapStateDescriptor<>("detect-buffer", LongSerializer.INSTANCE,
                new ListSerializer<>(SensorEventSerializer.INSTANCE));
    }

    /**
     * Why {@code e} is too late to be scored, naming its time and the watermark; null when it is not. Late means more
     * than the allowed lateness behind the watermark, so with zero lateness an event exactly at the watermark is taken.
     */
    String lateness(SensorEvent e, long watermark) {
        long lateBy = watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - e.ts;
        if (lateBy <= allowedLatenessMs) {
            return null;
        }
        return "event time " + e.ts + " is " + lateBy + " ms behind the watermark " + watermark
                + " (allowed lateness " + allowedLatenessMs + " ms)";
    }

    /**
     * Keeps {@code e} until the watermark passes its timestamp, with an event-time timer there; returns false and keeps
     * nothing when the watermark already has (the caller scores it now).
     */
    boolean hold(SensorEvent e, TimerService timers) throws Exception {
        if (e.ts <= timers.currentWatermark()) {
            return false;
        }
        List<SensorEvent> waiting = buffer.get(e.ts);
        if (waiting == null) {
            waiting = new ArrayList<>(1);
            timers.registerEventTimeTimer(e.ts);
        }
        waiting.add(e);
        buffer.put(e.ts, waiting);
        return true;
    }

    /** The events waiting at {@code time} (its timer fired), in arrival order, taken out of the buffer; maybe none. */
    List<SensorEvent> release(long time) throws Exception {
        List<SensorEvent> due = buffer.get(time);
        if (due == null) {
            return List.of();
        }
        buffer.remove(time);
        return due;
    }

    /**
     * Keeps one idle-expiry timer per key at its last event time + the idle timeout, rounded up to
     * {@value #TIMER_GRANULARITY_MS} ms: a timer per event would keep every event of the timeout's span in the timer
     * queue, and the rounding means a busy key deletes and registers a timer at most once a second.
     *
     * <p>Flink keeps one timer per key and time, so the old expiry timer may also be the timer of events waiting at
     * that time (a whole second, as timestamps in seconds often are): then it stays, or they would never be scored.
     *
     * @param previousTs the key's last event time before this event, {@code Long.MIN_VALUE} when it had no state (and
     *                   so no timer)
     * @param lastTs     its last event time now
     */
    void moveExpiryTimer(TimerService timers, long previousTs, long lastTs, long idleMs) throws Exception {
        long at = roundUp(lastTs + idleMs);
        if (previousTs == Long.MIN_VALUE) {
            timers.registerEventTimeTimer(at);
            return;
        }
        long before = roundUp(previousTs + idleMs);
        if (before != at) {
            if (!buffer.contains(before)) {
                timers.deleteEventTimeTimer(before);
            }
            timers.registerEventTimeTimer(at);
        }
    }

    /** True when {@code time} can be an expiry timer's (rounded) time; buffer timers are at any millisecond. */
    static boolean isExpiryTime(long time) {
        return Math.floorMod(time, TIMER_GRANULARITY_MS) == 0;
    }

    static long roundUp(long t) {
        return Math.floorDiv(t + TIMER_GRANULARITY_MS - 1, TIMER_GRANULARITY_MS) * TIMER_GRANULARITY_MS;
    }
}
