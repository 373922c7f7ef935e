package dev.lstmflink.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the detector ({@code flink.detect.DetectFunction}) orders events, releases waiting ones, forgets idle keys, and
 * treats restored state that does not fit the model: the per-key engine's settings ({@link KeyedOptions}) as the
 * detection job names them. Settings, so they live here with the rest of {@code jobs/detect}'s configuration.
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
 * @param onStateMismatch what a restore from a savepoint written with a model of another shape does
 * @param quietRelease    event-time mode: a key whose waiting events got no newer event for this long (processing time)
 *                        has them scored in timestamp order without waiting for the watermark, so that a sensor that
 *                        goes quiet, or an input that stops, still gets its last readings scored (zero: they wait for
 *                        the watermark however long that takes)
 * @param batch           how many events the detector steps per pass over the weights, and how long one waits for
 *                        its batch to fill ({@link MicroBatch}; {@link MicroBatch#OFF}: each on arrival)
 */
public record DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout,
        OnStateMismatch onStateMismatch, Duration quietRelease, MicroBatch batch) implements Serializable {

    /**
     * The quiet-release time when none is given. Well above the usual watermark delay (5 s), so on a busy stream the
     * watermark releases events first; on a sparse one (a reading per key every few minutes, all keys at once) the
     * watermark only moves with the next round of readings, and this is what scores each reading within 30 s.
     */
    public static final Duration DEFAULT_QUIET_RELEASE = Duration.ofSeconds(30);

    public DetectOptions {
        keyed(eventTime, allowedLateness, idleTimeout, onStateMismatch, quietRelease);   // checks every setting
        if (batch == null) {
            throw new IllegalArgumentException("micro-batch settings must not be null");
        }
    }

    /** With the default micro-batch ({@link MicroBatch#DEFAULT}). */
    public DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout,
                         OnStateMismatch onStateMismatch, Duration quietRelease) {
        this(eventTime, allowedLateness, idleTimeout, onStateMismatch, quietRelease, MicroBatch.DEFAULT);
    }

    /** With the default quiet release. */
    public DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout,
                         OnStateMismatch onStateMismatch) {
        this(eventTime, allowedLateness, idleTimeout, onStateMismatch, DEFAULT_QUIET_RELEASE);
    }

    /** Refusing restored state of another shape ({@link OnStateMismatch#FAIL}), the default quiet release. */
    public DetectOptions(boolean eventTime, Duration allowedLateness, Duration idleTimeout) {
        this(eventTime, allowedLateness, idleTimeout, OnStateMismatch.FAIL);
    }

    /** Arrival order, keys never expire. */
    public static DetectOptions processingTime() {
        return new DetectOptions(false, Duration.ZERO, Duration.ZERO);
    }

    /** Timestamp order with the given lateness, keys never expire, the default quiet release. */
    public static DetectOptions eventTime(Duration allowedLateness) {
        return new DetectOptions(true, allowedLateness, Duration.ZERO);
    }

    public DetectOptions withIdleTimeout(Duration d) {
        return new DetectOptions(eventTime, allowedLateness, d, onStateMismatch, quietRelease, batch);
    }

    public DetectOptions withOnStateMismatch(OnStateMismatch m) {
        return new DetectOptions(eventTime, allowedLateness, idleTimeout, m, quietRelease, batch);
    }

    public DetectOptions withQuietRelease(Duration d) {
        return new DetectOptions(eventTime, allowedLateness, idleTimeout, onStateMismatch, d, batch);
    }

    public DetectOptions withBatch(MicroBatch b) {
        return new DetectOptions(eventTime, allowedLateness, idleTimeout, onStateMismatch, quietRelease, b);
    }

    /** The settings the per-key engine runs on. */
    public KeyedOptions keyed() {
        return keyed(eventTime, allowedLateness, idleTimeout, onStateMismatch, quietRelease);
    }

    private static KeyedOptions keyed(boolean eventTime, Duration allowedLateness, Duration idleTimeout,
                                      OnStateMismatch onStateMismatch, Duration quietRelease) {
        return new KeyedOptions(eventTime, allowedLateness, quietRelease, idleTimeout, onStateMismatch);
    }
}
