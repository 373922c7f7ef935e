package dev.lstmflink.flink.train;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collects one key's rows and hands them, sorted as the in-process loader sorts them ({@link SortedKey}), to
 * {@link #onKey}. Meant for {@code BATCH} mode, where Flink sorts the input by key and fires the end-of-input timer
 * as soon as a key is done, so a subtask holds one key's rows at a time.
 */
abstract class PerKeyFunction<OUT> extends KeyedProcessFunction<String, KeyedRow, OUT> {

    private static final long serialVersionUID = 1L;

    private transient ListState<KeyedRow> rows;

    @Override
    public void open(OpenContext ctx) {
        rows = getRuntimeContext().getListState(new ListStateDescriptor<>("rows", KeyedRow.class));
    }

    @Override
    public void processElement(KeyedRow row, Context ctx, Collector<OUT> out) throws Exception {
        rows.add(row);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OUT> out) throws Exception {
        List<KeyedRow> all = new ArrayList<>();
        for (KeyedRow r : rows.get()) {
            all.add(r);
        }
        rows.clear();
        onKey(SortedKey.of(ctx.getCurrentKey(), all), out);
    }

    abstract void onKey(SortedKey key, Collector<OUT> out) throws Exception;
}
