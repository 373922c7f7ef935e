package dev.lstmflink.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input event: a key (sensor, device, user), its event time, the feature values of this timestep, and an optional
 * reset flag that starts the key's sequence again from the initial state. A Flink POJO (public fields, no-argument
 * constructor), so Flink serializes it without Kryo.
 */
public class SensorEvent {

    public String key;
    /** Event time, epoch milliseconds. */
    public long ts;
    /** The I input values of this step. */
    public float[] values;
    /** Zero the key's state before this step. */
    public boolean reset;

    public SensorEvent() {}

    public SensorEvent(String key, long ts, float... values) {
        this(key, ts, false, values);
    }

    public SensorEvent(String key, long ts, boolean reset, float... values) {
        this.key = key;
        this.ts = ts;
        this.reset = reset;
        this.values = values;
    }

    /**
     * Why this event cannot be fed to a model taking {@code inputSize} values (missing key or values, wrong count,
     * NaN or infinite value), naming the field and the value; null when it can.
     */
    public String invalidReason(int inputSize) {
        if (key == null) {
            return "key is missing";
        }
        if (values == null) {
            return "values is missing";
        }
        if (values.length != inputSize) {
            return "values has " + values.length + " entries, the model takes input_size " + inputSize;
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return "values[" + i + "] is " + values[i];
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SensorEvent e && ts == e.ts && reset == e.reset && Objects.equals(key, e.key)
                && Arrays.equals(values, e.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, ts, reset, Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "SensorEvent{key=" + key + ", ts=" + ts + ", values=" + Arrays.toString(values)
                + (reset ? ", reset" : "") + "}";
    }
}
