package dev.lstmflink.flink.detect;

import dev.lstmflink.connect.DeadLetterCounters;
import dev.lstmflink.connect.ParseFunction;
import org.apache.flink.api.common.JobExecutionResult;

/**
 * The books of one run of {@link DetectPipeline}, from its accumulators: every record received was scored,
 * dead-lettered (by reason) or late, and {@link #balances()} checks it. {@code stateResets} is apart from the books:
 * keys whose state, restored from a savepoint of a model of another shape, was cleared
 * ({@code flink.on_state_mismatch: reset}); their events are scored as a new key's.
 */
public record RunCounts(long received, long scored, DeadLetterCounters deadLetters, long late, long stateResets) {

    public static RunCounts of(JobExecutionResult result) {
        DeadLetterCounters d = result.getAccumulatorResult(ParseFunction.ACCUMULATOR);
        return new RunCounts(count(result, ParseFunction.RECEIVED), count(result, DetectPipeline.SCORED),
                d == null ? new DeadLetterCounters() : d, count(result, DetectPipeline.LATE),
                count(result, DetectFunction.METRIC_STATE_RESETS));
    }

    private static long count(JobExecutionResult result, String name) {
        Long v = result.getAccumulatorResult(name);
        return v == null ? 0 : v;
    }

    public long deadLettered() {
        return deadLetters.total();
    }

    /** received = scored + dead-lettered + late. */
    public boolean balances() {
        return received == scored + deadLettered() + late;
    }

    public String summary() {
        return String.format("received %,d = scored %,d + dead-lettered %,d + late %,d%s", received, scored,
                deadLettered(), late, balances() ? "" : "   (DOES NOT BALANCE)")
                + (stateResets > 0 ? String.format("; %,d keys' restored state did not fit the model and was reset",
                        stateResets) : "")
                + (deadLettered() > 0 ? "\n" + deadLetters.summary() : "");
    }
}
