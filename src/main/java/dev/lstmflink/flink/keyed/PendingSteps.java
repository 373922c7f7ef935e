package dev.lstmflink.flink.keyed;

import dev.lstmflink.record.SensorEvent;

/**
 * The events a micro-batch has taken but not stepped yet, in arrival order, each with its checked numeric input and the
 * timestamp its output will carry; and their split into <i>waves</i> of distinct keys.
 *
 * <p>A wave is the first not yet stepped event of each key, in arrival order: the batched step reads every key's state
 * once and writes it once, so two events of one key cannot share a pass. A key's second event goes into the next wave,
 * which reads the state the first one wrote; so each key's events step in arrival order, and a stream of distinct keys
 * is one wave. Keys are told apart by their cached hash first (a batch has at most a few hundred events, so a scan
 * beats a hash map, and allocates nothing).
 *
 * <p>Not thread-safe; one per engine. Allocation-free after construction: the events are referenced, their numeric
 * inputs copied into rows allocated here.
 */
final class PendingSteps {

    /** The output of an event taken with no timestamp (processing time, or an input without timestamps). */
    static final long NO_STAMP = Long.MIN_VALUE;

    private final String[] keys;
    private final int[] hashes;
    private final SensorEvent[] events;
    private final float[][] inputs;
    private final long[] stamps;
    private final long[] taken;
    private final boolean[] stepped;
    private final int[] wave;
    private int size;
    private int waveSize;
    /** Entries before this one are all stepped: the next wave starts its scan here. */
    private int firstOpen;

    /**
     * @param capacity the most events a batch takes
     * @param numeric  the numeric values of each event's input
     */
    PendingSteps(int capacity, int numeric) {
        if (capacity < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + capacity);
        }
        this.keys = new String[capacity];
        this.hashes = new int[capacity];
        this.events = new SensorEvent[capacity];
        this.inputs = new float[capacity][numeric];
        this.stamps = new long[capacity];
        this.taken = new long[capacity];
        this.stepped = new boolean[capacity];
        this.wave = new int[capacity];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean isFull() {
        return size == keys.length;
    }

    /** Takes an event (the batch must not be full); its numeric input {@code xn} is copied. */
    void add(String key, SensorEvent e, float[] xn, long stamp) {
        int i = size++;
        keys[i] = key;
        hashes[i] = key.hashCode();
        events[i] = e;
        System.arraycopy(xn, 0, inputs[i], 0, xn.length);
        stamps[i] = stamp;
        taken[i] = System.nanoTime();
        stepped[i] = false;
    }

    /** Whether an event of {@code key} waits in this batch. */
    boolean holds(String key) {
        int h = key.hashCode();
        for (int i = firstOpen; i < size; i++) {
            if (!stepped[i] && hashes[i] == h && keys[i].equals(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Forms the next wave, the first not yet stepped event of each key in arrival order, and marks them stepped;
     * returns its size, 0 when every event has been stepped. {@link #entry} gives the wave's events.
     */
    int nextWave() {
        waveSize = 0;
        while (firstOpen < size && stepped[firstOpen]) {
            firstOpen++;
        }
        for (int i = firstOpen; i < size; i++) {
            if (!stepped[i] && !inWave(i)) {
                wave[waveSize++] = i;
            }
        }
        for (int w = 0; w < waveSize; w++) {
            stepped[wave[w]] = true;
        }
        return waveSize;
    }

    private boolean inWave(int i) {
        for (int w = 0; w < waveSize; w++) {
            int j = wave[w];
            if (hashes[j] == hashes[i] && keys[j].equals(keys[i])) {
                return true;
            }
        }
        return false;
    }

    /** The batch index of the wave's {@code w}-th event. */
    int entry(int w) {
        return wave[w];
    }

    String key(int i) {
        return keys[i];
    }

    SensorEvent event(int i) {
        return events[i];
    }

    /** The event's checked numeric input (the engine's {@code xn} when it was taken). */
    float[] input(int i) {
        return inputs[i];
    }

    long stamp(int i) {
        return stamps[i];
    }

    /** When the batch took the event ({@link System#nanoTime}). */
    long taken(int i) {
        return taken[i];
    }

    /** Empties the batch, dropping its references to events and keys. */
    void clear() {
        for (int i = 0; i < size; i++) {
            keys[i] = null;
            events[i] = null;
        }
        size = 0;
        waveSize = 0;
        firstOpen = 0;
    }
}
