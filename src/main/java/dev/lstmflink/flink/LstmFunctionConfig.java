package dev.lstmflink.flink;

import dev.lstmflink.config.KeyedOptions;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.record.OutputKind;
import java.io.Serializable;
import java.time.Duration;

/**
 * How the keyed LSTM operator runs. Every setting is checked when the config is built.
 *
 * @param output           what each output record holds
 * @param eventTime        true: each key's events are buffered and stepped in timestamp order as the watermark passes;
 *                         false: events are stepped on arrival (processing time)
 * @param allowedLateness  event time: an event more than this behind the watermark goes to the side output as
 *                         {@code late}; one within it is stepped at once, after what the key has already processed
 * @param releaseDelay     event time: a key whose input has been quiet this long (processing time) has its buffered
 *                         events stepped without waiting for the watermark; zero disables this (the quiet release of
 *                         {@link KeyedOptions#quietRelease})
 * @param idleTimeout      a key without events for this long loses its state and restarts from the initial state
 *                         (processing time: {@code StateTtlConfig}; event time: an event-time timer); zero keeps state
 *                         forever
 * @param initialState     the state of a new, reset or expired key in the layout of {@code LstmStepper} ({@code h0}
 *                         and {@code c0} of every layer); null for zeros, PyTorch's default
 * @param onStateMismatch  what restored key state of a model of another shape does (default
 *                         {@link OnStateMismatch#FAIL})
 */
public record LstmFunctionConfig(
        OutputKind output, boolean eventTime, Duration allowedLateness, Duration releaseDelay, Duration idleTimeout,
        float[] initialState, OnStateMismatch onStateMismatch) implements Serializable {

    public LstmFunctionConfig {
        if (output == null) {
            throw new IllegalArgumentException("output must be one of hidden, state, prediction, probabilities");
        }
        nonNegative("allowed-lateness", allowedLateness);
        nonNegative("release-delay", releaseDelay);
        nonNegative("idle-timeout", idleTimeout);
        if (onStateMismatch == null) {
            throw new IllegalArgumentException("on-state-mismatch must be fail or reset, got null");
        }
    }

    /** Refusing restored state of another shape ({@link OnStateMismatch#FAIL}). */
    public LstmFunctionConfig(OutputKind output, boolean eventTime, Duration allowedLateness, Duration releaseDelay,
                              Duration idleTimeout, float[] initialState) {
        this(output, eventTime, allowedLateness, releaseDelay, idleTimeout, initialState, OnStateMismatch.FAIL);
    }

    /** The settings the per-key engine runs on. */
    public KeyedOptions keyed() {
        return new KeyedOptions(eventTime, allowedLateness, releaseDelay, idleTimeout, onStateMismatch);
    }

    /** Processing time, no expiry. */
    public static LstmFunctionConfig processingTime(OutputKind output) {
        return new LstmFunctionConfig(output, false, Duration.ZERO, Duration.ZERO, Duration.ZERO, null);
    }

    /** Event time, no lateness allowed, no quiet release, no expiry. */
    public static LstmFunctionConfig eventTime(OutputKind output) {
        return new LstmFunctionConfig(output, true, Duration.ZERO, Duration.ZERO, Duration.ZERO, null);
    }

    public LstmFunctionConfig withAllowedLateness(Duration d) {
        return new LstmFunctionConfig(output, eventTime, d, releaseDelay, idleTimeout, initialState,
                onStateMismatch);
    }

    public LstmFunctionConfig withReleaseDelay(Duration d) {
        return new LstmFunctionConfig(output, eventTime, allowedLateness, d, idleTimeout, initialState,
                onStateMismatch);
    }

    public LstmFunctionConfig withIdleTimeout(Duration d) {
        return new LstmFunctionConfig(output, eventTime, allowedLateness, releaseDelay, d, initialState,
                onStateMismatch);
    }

    public LstmFunctionConfig withInitialState(float[] state) {
        return new LstmFunctionConfig(output, eventTime, allowedLateness, releaseDelay, idleTimeout,
                state == null ? null : state.clone(), onStateMismatch);
    }

    public LstmFunctionConfig withOnStateMismatch(OnStateMismatch m) {
        return new LstmFunctionConfig(output, eventTime, allowedLateness, releaseDelay, idleTimeout, initialState, m);
    }

    private static void nonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a duration >= 0, got " + d);
        }
    }
}
