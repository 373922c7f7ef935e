package dev.lstmflink.jobs;

import dev.lstmflink.record.SensorEvent;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The built-in sensor source's events: event {@code i} belongs to sensor {@code i mod keys} at step {@code i / keys},
 * one second apart; each of its I values is a sine with a per-sensor period and phase plus a little deterministic
 * noise, so runs are repeatable. For a model with an embedding each event also carries k categorical ids in
 * {@code [0, N)}: a per-sensor category that changes every ten steps (a mode, a site, a shift), one per id slot.
 */
public final class SensorSimulator implements GeneratorFunction<Long, SensorEvent> {

    private static final long serialVersionUID = 1L;

    private final int keys;
    private final int features;
    private final int ids;
    private final int numEmbeddings;
    private final long startMillis;

    /** Numeric values only. */
    public SensorSimulator(int keys, int features, long startMillis) {
        this(keys, features, 0, 0, startMillis);
    }

    /**
     * @param features      numeric values per event
     * @param ids           categorical ids per event (the embedding's ids_per_step), 0 for none
     * @param numEmbeddings ids are in {@code [0, numEmbeddings)}; ignored without ids
     */
    public SensorSimulator(int keys, int features, int ids, int numEmbeddings, long startMillis) {
        if (keys <= 0 || features < 0 || ids < 0 || features + ids == 0) {
            throw new IllegalArgumentException("keys must be > 0 and features + ids > 0, got " + keys + ", "
                    + features + " and " + ids);
        }
        if (ids > 0 && numEmbeddings <= 0) {
            throw new IllegalArgumentException("ids need num_embeddings > 0, got " + numEmbeddings);
        }
        this.keys = keys;
        this.features = features;
        this.ids = ids;
        this.numEmbeddings = numEmbeddings;
        this.startMillis = startMillis;
    }

    @Override
    public SensorEvent map(Long index) {
        int sensor = (int) (index % keys);
        long step = index / keys;
        float[] v = new float[features];
        for (int f = 0; f < features; f++) {
            double period = 20 + (sensor * 7 + f * 3) % 17;
            double phase = (sensor * 0.37 + f) % (2 * Math.PI);
            v[f] = (float) (Math.sin(2 * Math.PI * step / period + phase) + 0.05 * noise(index * 31 + f));
        }
        int[] id = null;
        if (ids > 0) {
            id = new int[ids];
            for (int j = 0; j < ids; j++) {
                id[j] = (int) Math.floorMod(sensor * 31L + j * 7L + step / 10, (long) numEmbeddings);
            }
        }
        return new SensorEvent("sensor-" + sensor, startMillis + 1000 * step, false, v, id);
    }

    /** A uniform value in [-1, 1) from a SplitMix64 hash of {@code x}. */
    static double noise(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return ((z >>> 11) * 0x1.0p-53) * 2 - 1;
    }
}
