package dev.lstmflink.config;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the keyed LSTM operators batch their steps: each subtask collects up to {@code size} events and steps their keys
 * in one pass over the weights, or fewer when its oldest event has waited {@code maxDelay} (processing time).
 *
 * <p>The defaults, 64 events and 10 ms: the batched kernel reaches about 70 % of the core's peak from 32 keys up at
 * H = 256 (BENCHMARKS.md, BatchStepBenchmark), and a busy subtask fills 64 within a few hundred microseconds; a quiet one
 * (20,000 events/s over two subtasks fills 64 in 6.4 ms) answers within 10 ms, a fifth of a 50 ms latency budget.
 *
 * @param size     the most events stepped together (1: every event stepped on arrival, no batching)
 * @param maxDelay the longest an event waits for its batch to fill; positive
 */
public record MicroBatch(int size, Duration maxDelay) implements Serializable {

    /** The largest batch: a wave's keys are told apart by a scan, quadratic in the batch size. */
    public static final int MAX_SIZE = 4096;
    public static final MicroBatch DEFAULT = new MicroBatch(64, Duration.ofMillis(10));
    /** One event at a time, as a plain keyed process function steps. */
    public static final MicroBatch OFF = new MicroBatch(1, Duration.ofMillis(1));

    public MicroBatch {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("batch size must be in [1, " + MAX_SIZE + "], got " + size);
        }
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("batch max delay must be a duration > 0, got " + maxDelay);
        }
    }
}
