package dev.lstmflink.flink.train;

import java.util.Arrays;
import org.apache.flink.util.Collector;

/**
 * Cuts one key's sorted rows into {@link WindowBlock}s, one per run of the key's windows that a shard owns
 * ({@link ShardPlan}), so that every shard receives exactly the rows of its windows. Fails when the key's row count
 * differs from the first pass's: the input changed between the jobs.
 */
final class WindowBlocksFunction extends PerKeyFunction<WindowBlock> {

    private static final long serialVersionUID = 1L;

    private final ShardPlan plan;

    WindowBlocksFunction(ShardPlan plan) {
        this.plan = plan;
    }

    @Override
    void onKey(SortedKey key, Collector<WindowBlock> out) {
        int i = plan.sameKeyIndex(key);
        emit(key, false, plan.trainOffset[i], 0, plan.trainOffset[i + 1] - plan.trainOffset[i], out);
        emit(key, true, plan.valOffset[i], plan.trainRows[i], plan.valOffset[i + 1] - plan.valOffset[i], out);
    }

    /** The key's windows {@code offset .. offset+n−1} of one list, the first starting at row {@code firstRow}. */
    private void emit(SortedKey key, boolean validation, long offset, int firstRow, long n, Collector<WindowBlock> out) {
        int t = plan.window;
        int s = plan.stride;
        int k = key.k();
        int m = key.m();
        long j = 0;
        while (j < n) {
            long g = offset + j;
            int shard = plan.shardOf(validation, g);
            long end = j + 1;
            while (end < n && plan.shardOf(validation, offset + end) == shard) {
                end++;
            }
            int count = (int) (end - j);
            int from = firstRow + (int) j * s;
            int rowsCovered = (count - 1) * s + t + 1;
            WindowBlock b = new WindowBlock();
            b.shard = shard;
            b.validation = validation;
            b.first = g;
            b.count = count;
            b.values = Arrays.copyOfRange(key.values(), from * k, (from + rowsCovered) * k);
            b.ids = Arrays.copyOfRange(key.ids(), from * m, (from + rowsCovered) * m);
            out.collect(b);
            j = end;
        }
    }
}
