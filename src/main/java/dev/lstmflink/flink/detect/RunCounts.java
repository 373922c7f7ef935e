package dev.lstmflink.flink.detect;

import dev.lstmflink.connect.DeadLetterCounters;
import dev.lstmflink.connect.ParseFunction;
import org.apache.flink.api.common.JobExecutionResult;

/**
 * The books of one run of {@link DetectPipeline}, from its accumulators: every record received was scored,
 * dead-lettered (by reason) or late, and {@link #balances()} checks it.
 */
public record RunCounts(long received, long scored, DeadLetterCounters deadLetters, long late) {

    public static RunCounts of(JobExecutionResult result) {
        DeadLetterCounters d = result.getAccumulatorResult(ParseFunction.ACCUMULATOR);
        return new RunCounts(count(result, ParseFunction.RECEIVED), count(result, DetectPipeline.SCORED),
                d == null ? new DeadLetterCounters() : d, count(result, DetectPipeline.LATE));
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
                + (deadLettered() > 0 ? "\n" + deadLetters.summary() : "");
    }
}
