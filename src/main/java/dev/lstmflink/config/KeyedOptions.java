package dev.lstmflink.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the per-key engine orders events, releases waiting ones, forgets idle keys and treats restored state of another
 * model: the settings both keyed operators share. Every setting is checked when the options are built.
 *
 * @param eventTime       true: each key's events wait in keyed state until the watermark passes them and are stepped in
 *                        timestamp order, ties in arrival order; false: stepped on arrival
 * @param allowedLateness event time: an event more than this behind the watermark is not stepped but sent on as
 *                        {@code late}; one within it is stepped at once, after what its key has already stepped (zero:
 *                        anything behind the watermark is late; an event exactly at the watermark is not)
 * @param quietRelease    event time: a key whose waiting events got no company for this long (processing time, from
 *                        its newest waiting event) has them stepped in timestamp order without waiting for the
 *                        watermark, so that a sensor that goes quiet, or an input that stops, still gets its last
 *                        readings stepped; zero: they wait for the watermark however long that takes
 * @param idleTimeout     a key without events for this long loses its state and starts again as a new key (zero:
 *                        never); processing time: Flink's state TTL; event time: a gap this long between a key's
 *                        events, and a timer that clears keys that do not come back
 * @param onStateMismatch what restored key state of a model of another shape does
 */
public record KeyedOptions(boolean eventTime, Duration allowedLateness, Duration quietRelease, Duration idleTimeout,
                           OnStateMismatch onStateMismatch) implements Serializable {

    public KeyedOptions {
        nonNegative("allowed-lateness", allowedLateness);
        nonNegative("quiet-release", quietRelease);
        nonNegative("idle-timeout", idleTimeout);
        if (onStateMismatch == null) {
            throw new IllegalArgumentException("on-state-mismatch must be fail or reset, got null");
        }
    }

    private static void nonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a duration >= 0, got " + d);
        }
    }
}
