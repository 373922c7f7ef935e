package dev.lstmflink.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One key's memory for {@link LikelihoodScorer}: primitives and five small arrays, meant to live in a Flink
 * {@code ValueState}. Its size does not grow with the stream: {@link #serializedSize} = 52 + 4·K + 16·k bytes (K the
 * short-term window, k the features; K = 10, k = 1: 108 bytes).
 *
 * <ul>
 *   <li>{@code values}: events seen (with or without an error); {@code valueMean}, {@code valueVar}: the exponentially
 *       weighted mean and variance of each feature (span L), the key's own spread; {@code min}, {@code max}: its
 *       range so far;</li>
 *   <li>{@code count}: errors scored; {@code recent}, {@code head}, {@code size}: a ring of the last K errors;</li>
 *   <li>{@code mean}, {@code var}: the exponentially weighted mean and variance (span L) of the short-term mean
 *       error m;</li>
 *   <li>{@code rest}: events left in the rest period after the last alert.</li>
 * </ul>
 *
 * <p>Not thread-safe; a state belongs to one key and is advanced by {@link LikelihoodScorer#score}.
 */
public final class LikelihoodState implements Serializable {

    private static final long serialVersionUID = 1L;

    long values;
    final float[] valueMean;
    final float[] valueVar;
    final float[] min;
    final float[] max;
    long count;
    final float[] recent;
    int head;
    int size;
    double mean;
    double var;
    int rest;

    /** A new key of {@code features} values per event, with a ring of {@code average} errors. */
    public LikelihoodState(int features, int average) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        if (average < 1 || average > LikelihoodConfig.MAX_AVERAGE) {
            throw new IllegalArgumentException("average must be in [1, " + LikelihoodConfig.MAX_AVERAGE + "], got "
                    + average);
        }
        this.valueMean = new float[features];
        this.valueVar = new float[features];
        this.min = new float[features];
        this.max = new float[features];
        this.recent = new float[average];
    }

    private LikelihoodState(long values, float[] valueMean, float[] valueVar, float[] min, float[] max, long count,
            float[] recent, int head, int size, double mean, double var, int rest) {
        this.values = values;
        this.valueMean = valueMean;
        this.valueVar = valueVar;
        this.min = min;
        this.max = max;
        this.count = count;
        this.recent = recent;
        this.head = head;
        this.size = size;
        this.mean = mean;
        this.var = var;
        this.rest = rest;
    }

    /** The features per event this state was made for. */
    public int features() {
        return valueMean.length;
    }

    /** K, the capacity of the ring of recent errors. */
    public int average() {
        return recent.length;
    }

    /** Errors scored so far. */
    public long count() {
        return count;
    }

    /** Events seen so far, with or without an error. */
    public long values() {
        return values;
    }

    /** μ, the long-term mean of the short-term mean error. */
    public double mean() {
        return mean;
    }

    /** σ², the long-term variance of the short-term mean error. */
    public double variance() {
        return var;
    }

    /** Events left in the rest period after the last alert. */
    public int rest() {
        return rest;
    }

    /** An independent deep copy. */
    public LikelihoodState copy() {
        return new LikelihoodState(values, valueMean.clone(), valueVar.clone(), min.clone(), max.clone(), count,
                recent.clone(), head, size, mean, var, rest);
    }

    /** The bytes {@link #write} produces. */
    public static long serializedSize(int features, int average) {
        return 52L + 4L * average + 16L * features;
    }

    /**
     * {@code values (8) | count (8) | head (4) | size (4) | mean (8) | var (8) | rest (4) | k (4) | K (4) |
     * valueMean, valueVar, min, max (k floats each) | recent (K floats)}, big-endian as {@link DataOutput} writes.
     */
    public void write(DataOutput out) throws IOException {
        out.writeLong(values);
        out.writeLong(count);
        out.writeInt(head);
        out.writeInt(size);
        out.writeDouble(mean);
        out.writeDouble(var);
        out.writeInt(rest);
        out.writeInt(valueMean.length);
        out.writeInt(recent.length);
        for (float[] a : new float[][] {valueMean, valueVar, min, max, recent}) {
            for (float v : a) {
                out.writeFloat(v);
            }
        }
    }

    /** Reads what {@link #write} wrote; inconsistent or out-of-range parts are an {@link IOException}. */
    public static LikelihoodState read(DataInput in) throws IOException {
        long values = in.readLong();
        long count = in.readLong();
        int head = in.readInt();
        int size = in.readInt();
        double mean = in.readDouble();
        double var = in.readDouble();
        int rest = in.readInt();
        int k = in.readInt();
        int average = in.readInt();
        if (k < 1 || k > 1 << 16) {
            throw new IOException("corrupt likelihood state: " + k + " features is not in [1, 65536]");
        }
        if (average < 1 || average > LikelihoodConfig.MAX_AVERAGE) {
            throw new IOException("corrupt likelihood state: average " + average + " is not in [1, "
                    + LikelihoodConfig.MAX_AVERAGE + "]");
        }
        if (head < 0 || head >= average || size < 0 || size > average || count < 0 || values < count || rest < 0) {
            throw new IOException("corrupt likelihood state: head " + head + ", size " + size + ", count " + count
                    + ", values " + values + ", rest " + rest + " with average " + average);
        }
        float[][] arrays = {new float[k], new float[k], new float[k], new float[k], new float[average]};
        for (float[] a : arrays) {
            for (int i = 0; i < a.length; i++) {
                a[i] = in.readFloat();
            }
        }
        return new LikelihoodState(values, arrays[0], arrays[1], arrays[2], arrays[3], count, arrays[4], head, size,
                mean, var, rest);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LikelihoodState s)) {
            return false;
        }
        return values == s.values && count == s.count && head == s.head && size == s.size && rest == s.rest
                && Double.compare(mean, s.mean) == 0 && Double.compare(var, s.var) == 0
                && Arrays.equals(valueMean, s.valueMean) && Arrays.equals(valueVar, s.valueVar)
                && Arrays.equals(min, s.min) && Arrays.equals(max, s.max) && Arrays.equals(recent, s.recent);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Arrays.hashCode(recent);
    }

    @Override
    public String toString() {
        return "LikelihoodState[values=" + values + ", count=" + count + ", mean=" + mean + ", var=" + var + ", rest="
                + rest + "]";
    }
}
