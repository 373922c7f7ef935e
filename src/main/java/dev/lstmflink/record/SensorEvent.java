package dev.lstmflink.record;

import dev.lstmflink.core.nn.Embedding;
import java.util.Arrays;
import java.util.Objects;

/**
 * One input event: a key (sensor, device, user), its event time, the numeric values of this timestep, the categorical
 * ids of this timestep when the model embeds some, and an optional reset flag that starts the key's sequence again
 * from the initial state. A Flink POJO (public fields, no-argument constructor), so Flink serializes it without Kryo.
 *
 * <p>The LSTM input of the step is {@code [values ; E[ids[0]] ; ... ; E[ids[k-1]]]} ({@link Embedding#input}): the
 * model's {@code numericInputs()} values followed by the rows its embedding table gives the {@code idsPerStep()} ids.
 */
public class SensorEvent {

    public String key;
    /** Event time, epoch milliseconds. */
    public long ts;
    /** The I input values of this step. */
    public float[] values;
    /** Zero the key's state before this step. */
    public boolean reset;
    /**
     * The categorical ids of this step, each a row of the model's embedding table; null (or empty) when the model has
     * no embedding.
     */
    public int[] ids;

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

    /** With categorical ids ({@code ids} is kept, not copied). */
    public SensorEvent(String key, long ts, boolean reset, float[] values, int[] ids) {
        this(key, ts, reset, values);
        this.ids = ids;
    }

    /**
     * Why this event cannot be fed to a model without an embedding taking {@code inputSize} values, naming the field
     * and the value; null when it can. See {@link #invalidReason(int, Embedding)}.
     */
    public String invalidReason(int inputSize) {
        return invalidReason(inputSize, null);
    }

    /**
     * Why this event cannot be fed to a model taking {@code numericInputs} values and the ids of {@code embedding}
     * (null: none), naming the field and the value; null when it can. The values ({@link #invalidValues}) are checked
     * before the ids ({@link #invalidIds}).
     */
    public String invalidReason(int numericInputs, Embedding embedding) {
        String bad = invalidValues(numericInputs);
        return bad != null ? bad : invalidIds(embedding);
    }

    /**
     * Why the key or the values cannot be fed to a model taking {@code numericInputs} values (missing key or values,
     * wrong count, NaN or infinite value); null when they can.
     */
    public String invalidValues(int numericInputs) {
        if (key == null) {
            return "key is missing";
        }
        if (values == null) {
            return "values is missing";
        }
        if (values.length != numericInputs) {
            return "values has " + values.length + " entries, the model takes " + numericInputs + " numeric value"
                    + (numericInputs == 1 ? "" : "s");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                return "values[" + i + "] is " + values[i];
            }
        }
        return null;
    }

    /**
     * Why the ids cannot be embedded by {@code embedding} ({@link Embedding#invalidIds}: missing, wrong count, an id
     * outside {@code [0, num_embeddings)}); for a model without an embedding ({@code embedding} null), why there are
     * ids at all. Null when they fit.
     */
    public String invalidIds(Embedding embedding) {
        if (embedding == null) {
            return ids == null || ids.length == 0 ? null
                    : "ids has " + ids.length + " entries, the model has no embedding and takes no ids";
        }
        return embedding.invalidIds(ids);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SensorEvent e && ts == e.ts && reset == e.reset && Objects.equals(key, e.key)
                && Arrays.equals(values, e.values) && Arrays.equals(ids, e.ids);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, ts, reset, Arrays.hashCode(values), Arrays.hashCode(ids));
    }

    @Override
    public String toString() {
        return "SensorEvent{key=" + key + ", ts=" + ts + ", values=" + Arrays.toString(values)
                + (ids == null ? "" : ", ids=" + Arrays.toString(ids)) + (reset ? ", reset" : "") + "}";
    }
}
