package dev.lstmflink.flink.detect;

import java.io.Serializable;
import java.time.Duration;

/**
 * How {@link DetectFunction} orders events and forgets idle keys.
 *
 * @param eventTime       true: each key's events are buffered and scored in timestamp order when the watermark passes
 *                        them (the Kafka mode, whose watermarks come from {@code ts}); false: in arrival order (files,
 *                        the embedded source, which are already in order per key)
 * @param allowedLateness event-time mode: an event whose timestamp is more than this behind the watermark when it
 *                        arrives is not scored but sent on as {@code late}; one within it is scored at once, after what
 *                        its key has already scored (zero: anything behind the watermark is late; an event exactly at
 *                        the watermark is not)
 * @param idleTimeout     a key with no event for this long loses its LSTM, prediction and scoring state and starts again
 *                        (zero: never); processing time (state TTL), or in event-time mode event time (a gap this long
 *                        between a key's events, and a timer that clears keys that do not come back)
 */
public record DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout) implements Serializable {

    public DetectOptions {
        if (allowedLateness == null || allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed-lateness must be zero or positive, got " + allowedLateness);
        }
        if (idleTimeout == null || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle-timeout must be zero (never) or positive, got " + idleTimeout);
        }
    }

    /** Arrival order, keys never expire. */
    public static DetectOptions processingTime() {
        return new DetectOptions(false, Duration.ZERO, Duration.ZERO);
    }

    /** Timestamp order with the given lateness, keys never expire. */
    public static DetectOptions eventTime(Duration allowedLateness) {
        return new DetectOptions(true, allowedLateness, Duration.ZERO);
    }

    public DetectOptions withIdleTimeout(Duration d) {
        return new DetectOptions(eventTime, allowedLateness, d);
    }
}
