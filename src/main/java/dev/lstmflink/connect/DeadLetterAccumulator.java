package dev.lstmflink.connect;

import org.apache.flink.api.common.accumulators.Accumulator;

/**
 * Flink accumulator of dead-letter reasons, so the job's end-of-run summary gets the counts of all subtasks from
 * {@code JobExecutionResult.getAccumulatorResult(ParseFunction.ACCUMULATOR)} (metrics are for live monitoring and
 * are not handed back to the client).
 */
public final class DeadLetterAccumulator implements Accumulator<String, DeadLetterCounters> {

    private static final long serialVersionUID = 1L;

    private DeadLetterCounters counters = new DeadLetterCounters();

    @Override
    public void add(String reason) {
        counters.add(reason);
    }

    @Override
    public DeadLetterCounters getLocalValue() {
        return counters;
    }

    @Override
    public void resetLocal() {
        counters = new DeadLetterCounters();
    }

    @Override
    public void merge(Accumulator<String, DeadLetterCounters> other) {
        counters.merge(other.getLocalValue());
    }

    @Override
    public DeadLetterAccumulator clone() {
        DeadLetterAccumulator c = new DeadLetterAccumulator();
        c.counters = counters.copy();
        return c;
    }
}
