package dev.lstmflink.flink.train;

import dev.lstmflink.train.TrainingWindows;
import dev.lstmflink.train.data.Normalization;
import java.util.List;

/**
 * The windows one shard owns, built from the {@link WindowBlock}s it received: local window l is the l-th owned
 * window in global order ({@link ShardPlan#localIndex}). Batches are filled exactly as
 * {@link dev.lstmflink.train.data.Windows#fillBatch} fills them from a {@code WindowSet}: the same rows, normalized
 * by the same {@link Normalization#apply}, so at P = 1 the trainer sees the same bits.
 */
final class ShardWindows implements TrainingWindows {

    private final int t;
    private final int k;
    private final int m;
    private final int stride;
    private final Part train;
    private final Part validation;

    /** Window l of a part: block {@code block[l]}, rows from {@code row[l]}. */
    private record Part(float[][] values, int[][] ids, int[] block, int[] row) {}

    ShardWindows(ShardPlan plan, int shard, int k, int m, Normalization normalization, List<WindowBlock> blocks) {
        this.t = plan.window;
        this.stride = plan.stride;
        this.k = k;
        this.m = m;
        this.train = part(plan, shard, false, normalization, blocks);
        this.validation = part(plan, shard, true, normalization, blocks);
    }

    private Part part(ShardPlan plan, int shard, boolean val, Normalization norm, List<WindowBlock> blocks) {
        int owned = plan.owned(val, shard);
        int[] block = new int[owned];
        int[] row = new int[owned];
        java.util.Arrays.fill(block, -1);
        List<WindowBlock> mine = blocks.stream().filter(b -> b.validation == val).toList();
        float[][] values = new float[mine.size()][];
        int[][] ids = new int[mine.size()][];
        for (int bi = 0; bi < mine.size(); bi++) {
            WindowBlock b = mine.get(bi);
            if (b.shard != shard) {
                throw new IllegalStateException("shard " + shard + " received a block of shard " + b.shard);
            }
            values[bi] = b.values;
            norm.apply(b.values);
            ids[bi] = b.ids;
            for (int j = 0; j < b.count; j++) {
                int l = plan.localIndex(val, b.first + j);
                if (block[l] != -1) {
                    throw new IllegalStateException("window " + (b.first + j) + " arrived twice at shard " + shard);
                }
                block[l] = bi;
                row[l] = j * stride;
            }
        }
        for (int l = 0; l < owned; l++) {
            if (block[l] == -1) {
                throw new IllegalStateException("shard " + shard + " is missing " + (val ? "validation" : "training")
                        + " window " + l + " of its " + owned);
            }
        }
        return new Part(values, ids, block, row);
    }

    @Override
    public int seqLen() {
        return t;
    }

    @Override
    public int features() {
        return k;
    }

    @Override
    public int trainCount() {
        return train.block.length;
    }

    @Override
    public int valCount() {
        return validation.block.length;
    }

    @Override
    public int idsPerStep() {
        return m;
    }

    @Override
    public void fill(boolean val, int[] windows, int from, int batch, float[] x, float[] y) {
        Part p = val ? validation : train;
        int rowStride = batch * k;
        for (int b = 0; b < batch; b++) {
            int w = windows[from + b];
            float[] src = p.values[p.block[w]];
            int s = p.row[w] * k;
            int dst = b * k;
            for (int step = 0; step < t; step++) {
                System.arraycopy(src, s, x, dst, k);
                System.arraycopy(src, s + k, y, dst, k);
                s += k;
                dst += rowStride;
            }
        }
    }

    @Override
    public void fillIds(boolean val, int[] windows, int from, int batch, int[] out) {
        Part p = val ? validation : train;
        int rowStride = batch * m;
        for (int b = 0; b < batch; b++) {
            int w = windows[from + b];
            int[] src = p.ids[p.block[w]];
            int s = p.row[w] * m;
            int dst = b * m;
            for (int step = 0; step < t; step++) {
                System.arraycopy(src, s, out, dst, m);
                s += m;
                dst += rowStride;
            }
        }
    }
}
