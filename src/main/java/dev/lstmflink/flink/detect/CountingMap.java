package dev.lstmflink.flink.detect;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/** Passes records through and counts them in an accumulator and a metric of the same name (chained: no copy). */
final class CountingMap<T> extends RichMapFunction<T, T> {

    private static final long serialVersionUID = 1L;

    private final String name;
    private transient LongCounter accumulator;
    private transient Counter metric;

    CountingMap(String name) {
        this.name = name;
    }

    @Override
    public void open(OpenContext openContext) {
        accumulator = getRuntimeContext().getLongCounter(name);
        metric = getRuntimeContext().getMetricGroup().counter(name);
    }

    @Override
    public T map(T value) {
        accumulator.add(1L);
        metric.inc();
        return value;
    }
}
