package dev.lstmflink.flink.train;

import dev.lstmflink.train.data.WindowSet;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Which subtask trains and validates which windows, computed alike by the client and every subtask from the keys'
 * row counts alone (no rows).
 *
 * <p>The windows are numbered as {@link WindowSet} numbers them: keys in sorted order, then by start, training and
 * validation windows apart. Each list is cut into chunks of C consecutive windows, and chunk c goes to shard
 * {@code c mod P}: a shard holds about 1/P of the rows (plus the T/S rows a chunk shares with the next), and, with some
 * 64 chunks per shard, windows from across all keys and times, so the shards' averaged updates stay close to those of
 * a random slice. At P = 1 shard 0 owns every window in {@code WindowSet}'s order.
 *
 * <p>The job graph carries this plan: one name and one row count per key, so its size grows with the number of keys,
 * not with the number of rows.
 */
public final class ShardPlan implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Chunks per shard aimed at. */
    static final int CHUNKS_PER_SHARD = 64;

    final int window;
    final int stride;
    final double validationFraction;
    final int parallelism;
    final List<String> keys;
    final int[] rows;
    final int[] trainRows;
    final long[] trainOffset;
    final long[] valOffset;
    final int trainCount;
    final int valCount;
    final int trainChunk;
    final int valChunk;

    /**
     * @param keys the keys, sorted; {@code rows[i]} is key i's row count
     */
    public ShardPlan(List<String> keys, int[] rows, int window, int stride, double validationFraction,
                     int parallelism) {
        this.keys = List.copyOf(keys);
        this.rows = rows.clone();
        this.window = window;
        this.stride = stride;
        this.validationFraction = validationFraction;
        this.parallelism = parallelism;
        int nk = keys.size();
        this.trainRows = new int[nk];
        this.trainOffset = new long[nk + 1];
        this.valOffset = new long[nk + 1];
        for (int i = 0; i < nk; i++) {
            trainRows[i] = WindowSet.trainRows(rows[i], validationFraction);
            trainOffset[i + 1] = trainOffset[i] + count(trainRows[i]);
            valOffset[i + 1] = valOffset[i] + count(rows[i] - trainRows[i]);
        }
        this.trainCount = (int) trainOffset[nk];
        this.valCount = (int) valOffset[nk];
        this.trainChunk = chunk(trainCount, parallelism);
        this.valChunk = chunk(valCount, parallelism);
    }

    private int count(int n) {
        return n < window + 1 ? 0 : (n - window - 1) / stride + 1;
    }

    private static int chunk(int windows, int p) {
        return (int) Math.max(1, (long) windows / ((long) p * CHUNKS_PER_SHARD));
    }

    /** The index of {@code key} among the sorted keys, or −1. */
    int keyIndex(String key) {
        int i = java.util.Collections.binarySearch(keys, key);
        return i < 0 ? -1 : i;
    }

    /**
     * The index of a key read again by a later pass; fails when the first pass did not count it with as many rows: the
     * input changed between the jobs.
     */
    int sameKeyIndex(SortedKey key) {
        int i = keyIndex(key.key());
        if (i < 0 || rows[i] != key.n()) {
            throw new IllegalStateException("key '" + key.key() + "' has " + key.n() + " rows, the first pass counted "
                    + (i < 0 ? "none" : rows[i]) + ": the input changed while training");
        }
        return i;
    }

    /** The shard that owns global window g of the training ({@code validation} false) or validation list. */
    int shardOf(boolean validation, long g) {
        return (int) ((g / (validation ? valChunk : trainChunk)) % parallelism);
    }

    /**
     * The index of owned window g among the windows its shard owns, in increasing g: chunks c ≡ s (mod P) are all
     * full except possibly the very last chunk of the list, so the owned windows before g's chunk are
     * {@code ⌊c / P⌋ · C}.
     */
    int localIndex(boolean validation, long g) {
        int c = validation ? valChunk : trainChunk;
        long chunk = g / c;
        return (int) ((chunk / parallelism) * c + g % c);
    }

    /** How many windows shard s owns. */
    int owned(boolean validation, int s) {
        int total = validation ? valCount : trainCount;
        int c = validation ? valChunk : trainChunk;
        int n = 0;
        for (long start = (long) s * c; start < total; start += (long) parallelism * c) {
            n += (int) Math.min(c, total - start);
        }
        return n;
    }

    public int trainCount() {
        return trainCount;
    }

    public int valCount() {
        return valCount;
    }

    public List<String> keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "ShardPlan(" + keys.size() + " keys, rows " + Arrays.stream(rows).asLongStream().sum() + ", "
                + trainCount + " training / " + valCount + " validation windows, P = " + parallelism + ", chunks "
                + trainChunk + " / " + valChunk + ")";
    }
}
