package dev.lstmflink.flink.train;

/**
 * A run of consecutive windows of one key that one shard owns, with the raw rows they cover: windows
 * {@code first .. first+count−1} of the training or validation list (global numbers, see {@link ShardPlan}); window
 * {@code first + j} covers rows {@code j·S .. j·S+T} of {@code values} ({@code (count−1)·S + T + 1} rows of k values,
 * and of m ids). A Flink POJO.
 */
public class WindowBlock {

    public int shard;
    public boolean validation;
    public long first;
    public int count;
    public float[] values;
    public int[] ids;

    public WindowBlock() {}
}
