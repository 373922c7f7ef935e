package dev.lstmflink.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the detector ({@code flink.detect.DetectFunction}) orders events, forgets idle keys, and treats restored state
 * that does not fit the model. Settings, so they live here with the rest of {@code jobs/detect}'s configuration.
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
 * @param onStateMismatch what a restore from a savepoint written with a model of another shape does (see
 *                        {@link OnStateMismatch})
 */
public record DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout,
        OnStateMismatch onStateMismatch) implements Serializable {

    /**
     * Restored key state (h, c and the pending prediction) whose shape differs from the model's: the savepoint was
     * written with a model of another input size, hidden size, layer count or projection.
     */
    public enum OnStateMismatch {
        /** Refuse to start, naming both shapes: nothing is scored with state the model cannot read. */
        FAIL,
        /**
         * Start, and start each affected key again as a new key (LSTM state, prediction and error history cleared) on
         * its next event, counting it in {@code DetectFunction.METRIC_STATE_RESETS}.
         */
        RESET
    }

    public DetectOptions {
        if (allowedLateness == null || allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed-lateness must be zero or positive, got " + allowedLateness);
        }
        if (idleTimeout == null || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idle-timeout must be zero (never) or positive, got " + idleTimeout);
        }
        if (onStateMismatch == null) {
            throw new IllegalArgumentException("on-state-mismatch must be fail or reset, got null");
        }
    }

    /** Refusing restored state of another shape ({@link OnStateMismatch#FAIL}). */
    public DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout) {
        this(eventTime, allowedLateness, idleTimeout, OnStateMismatch.FAIL);
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
        return new DetectOptions(eventTime, allowedLateness, d, onStateMismatch);
    }

    public DetectOptions withOnStateMismatch(OnStateMismatch m) {
        return new DetectOptions(eventTime, allowedLateness, idleTimeout, m);
    }
}
