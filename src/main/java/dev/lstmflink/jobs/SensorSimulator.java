package dev.lstmflink.jobs;

import dev.lstmflink.flink.SensorEvent;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The built-in sensor source's events: event {@code i} belongs to sensor {@code i mod keys} at step {@code i / keys},
 * one second apart; each of its I values is a sine with a per-sensor period and phase plus a little deterministic
 * noise, so runs are repeatable.
 */
public final class SensorSimulator implements GeneratorFunction<Long, SensorEvent> {

    private static final long serialVersionUID = 1L;

    private final int keys;
    private final int features;
    private final long startMillis;

    public SensorSimulator(int keys, int features, long startMillis) {
        if (keys <= 0 || features <= 0) {
            throw new IllegalArgumentException("keys and features must be > 0, got " + keys + " and " + features);
        }
        this.keys = keys;
        this.features = features;
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
        return new SensorEvent("sensor-" + sensor, startMillis + 1000 * step, v);
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
