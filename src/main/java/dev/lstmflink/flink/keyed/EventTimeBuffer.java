package dev.lstmflink.flink.keyed;

import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.streaming.api.TimerService;

/**
 * Event-time order for the per-key engine: each key's events wait in Flink keyed state until the watermark passes
 * their timestamp and then come out in timestamp order, ties in arrival order; events too far behind the watermark are
 * refused; a key whose waiting events got no company for the quiet-release time has them all released at once. Also
 * the key's idle-expiry timer, which shares the timer service with the events' timers.
 *
 * <p>The rules: an event more than the allowed lateness behind the watermark is late; one at or behind the watermark
 * but within the allowed lateness is stepped at once, after what its key has already stepped (its timer could only
 * fire at the next watermark); one ahead of the watermark waits for an event-time timer at its timestamp.
 *
 * <p>State per key: {@code <prefix>-buffer}, timestamp → that timestamp's events in arrival order (a list, so each
 * timestamp costs one map entry and one timer, whatever the number of events at it), with explicit serializers,
 * Flink's {@link ListSerializer} of {@link SensorEventSerializer}: no Kryo, and a format a savepoint can rely on (each
 * has a serializer snapshot); {@code <prefix>-release-timer}, the time of the key's pending quiet-release timer.
 */
final class EventTimeBuffer {

    /** Expiry and quiet-release timers are rounded up to this, so that a busy key moves them at most once a second. */
    static final long TIMER_GRANULARITY_MS = 1_000;

    private final MapState<Long, List<SensorEvent>> buffer;
    private final ValueState<Long> releaseTimer;
    private final long allowedLatenessMs;
    private final long quietReleaseMs;

    EventTimeBuffer(RuntimeContext rc, String prefix, Duration allowedLateness, Duration quietRelease) {
        this.buffer = rc.getMapState(descriptor(prefix));
        this.releaseTimer = quietRelease.isZero() ? null
                : rc.getState(new ValueStateDescriptor<>(prefix + "-release-timer", LongSerializer.INSTANCE));
        this.allowedLatenessMs = allowedLateness.toMillis();
        this.quietReleaseMs = quietRelease.toMillis();
    }

    /** The buffer's keyed state: timestamp → that timestamp's events in arrival order. */
    static MapStateDescriptor<Long, List<SensorEvent>> descriptor(String prefix) {
        return new MapStateDescriptor<>(prefix + "-buffer", LongSerializer.INSTANCE,
                new ListSerializer<>(SensorEventSerializer.INSTANCE));
    }

    /**
     * Why {@code e} is too late to be stepped, naming its time and the watermark; null when it is not. Late means more
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
     * Keeps {@code e} until the watermark passes its timestamp, with an event-time timer there, and moves the key's
     * quiet-release timer; returns false and keeps nothing when the watermark already has (the caller steps it now).
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
        if (releaseTimer != null) {
            long at = roundUp(timers.currentProcessingTime() + quietReleaseMs);
            Long pending = releaseTimer.value();
            if (pending == null || pending != at) {
                if (pending != null) {
                    timers.deleteProcessingTimeTimer(pending);
                }
                timers.registerProcessingTimeTimer(at);
                releaseTimer.update(at);
            }
        }
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
     * A processing-time timer fired: when it is the key's quiet-release timer, every waiting event, in timestamp
     * order (ties in arrival order), taken out of the buffer with their event-time timers; otherwise none.
     *
     * @param keepWholeSeconds idle expiry is on: a timer at a whole second may also be the key's expiry timer (Flink
     *                         keeps one timer per key and time), so it stays; when it fires it finds no events here
     */
    List<SensorEvent> releaseQuiet(long time, TimerService timers, boolean keepWholeSeconds) throws Exception {
        Long pending = releaseTimer == null ? null : releaseTimer.value();
        if (pending == null || pending != time) {
            return List.of();
        }
        releaseTimer.clear();
        List<Long> times = new ArrayList<>();
        for (Long t : buffer.keys()) {
            times.add(t);
        }
        Collections.sort(times);
        List<SensorEvent> all = new ArrayList<>();
        for (long t : times) {
            all.addAll(buffer.get(t));
            if (!(keepWholeSeconds && isExpiryTime(t))) {
                timers.deleteEventTimeTimer(t);
            }
        }
        buffer.clear();
        return all;
    }

    /**
     * The key expired: drops its pending quiet-release timer, if any (its waiting events, if any, stay: they are later
     * than the expiry and will start the key again). Otherwise the timer fires once, finds nothing and clears itself.
     */
    void forgetQuietRelease(TimerService timers) throws Exception {
        Long pending = releaseTimer == null ? null : releaseTimer.value();
        if (pending != null && buffer.isEmpty()) {
            timers.deleteProcessingTimeTimer(pending);
            releaseTimer.clear();
        }
    }

    /**
     * Keeps one idle-expiry timer per key at its last event time + the idle timeout, rounded up to
     * {@value #TIMER_GRANULARITY_MS} ms: a timer per event would keep every event of the timeout's span in the timer
     * queue, and the rounding means a busy key deletes and registers a timer at most once a second.
     *
     * <p>Flink keeps one timer per key and time, so the old expiry timer may also be the timer of events waiting at
     * that time (a whole second, as timestamps in seconds often are): then it stays, or they would never be stepped.
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
