package dev.lstmflink.flink.detect;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Passes records through and counts them in an accumulator (chained: no copy). The matching metric is the
 * detector's own ({@link DetectMetrics#SCORED}), so that the job has one counter per quantity.
 */
final class CountingMap<T> extends RichMapFunction<T, T> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private transient LongCounter accumulator;

    CountingMap(String name) {
        this.name = name;
    }

    @Override
    public void open(OpenContext openContext) {
        accumulator = getRuntimeContext().getLongCounter(name);
    }

    @Override
    public T map(T value) {
        accumulator.add(1L);
        return value;
    }
}
