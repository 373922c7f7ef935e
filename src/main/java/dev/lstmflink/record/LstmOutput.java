package dev.lstmflink.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * The result of one event: the key, the event's time, the key's step index (1 for the first event of a sequence), the
 * version of the model that computed it, and the values chosen by {@link OutputKind}. A Flink POJO.
 */
public class LstmOutput {

    public String key;
    public long ts;
    /** Steps this key has taken since its state was (re)started, this event included. */
    public long step;
    public String modelVersion;
    public float[] values;

    public LstmOutput() {}

    public LstmOutput(String key, long ts, long step, String modelVersion, float[] values) {
        this.key = key;
        this.ts = ts;
        this.step = step;
        this.modelVersion = modelVersion;
        this.values = values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LstmOutput r && ts == r.ts && step == r.step && Objects.equals(key, r.key)
                && Objects.equals(modelVersion, r.modelVersion) && Arrays.equals(values, r.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, ts, step, modelVersion, Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "LstmOutput{key=" + key + ", ts=" + ts + ", step=" + step + ", model=" + modelVersion + ", values="
                + Arrays.toString(values) + "}";
    }
}
