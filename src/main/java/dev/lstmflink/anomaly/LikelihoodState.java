package dev.lstmflink.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One key's memory for {@link LikelihoodScorer}: primitives and small arrays, meant to live in a Flink
 * {@code ValueState}. Its size does not grow with the stream: {@link #serializedSize} = 80 + 4·K + 4·K_level + 16·k
 * bytes (K and K_level the two channels' short-term windows, k the features; K = 20, K_level = 50, k = 1: 376 bytes).
 *
 * <ul>
 *   <li>{@code values}: events seen (with or without an error); {@code valueMean}, {@code valueVar}: the exponentially
 *       weighted mean and variance of each feature (span L), the key's own level and spread; {@code min}, {@code max}:
 *       its range so far;</li>
 *   <li>{@code count}: errors scored;</li>
 *   <li>{@code error}: the prediction-error channel (a ring of the last K errors, μ and σ² of their mean);</li>
 *   <li>{@code level}: the level channel (a ring of the last K_level deviations of the values from their long-term
 *       mean, μ and σ² of their mean);</li>
 *   <li>{@code rest}: events left in the rest period after the last alert.</li>
 * </ul>
 *
 * <p>Not thread-safe; a state belongs to one key and is advanced by {@link LikelihoodScorer#score}.
 */
public final class LikelihoodState implements Serializable {

    private static final long serialVersionUID = 2L;

    long values;
    final float[] valueMean;
    final float[] valueVar;
    final float[] min;
    final float[] max;
    long count;
    final Surprise error;
    final Surprise level;
    int rest;

    /** A new key of {@code features} values per event, with channels of {@code average} and {@code levelAverage}. */
    public LikelihoodState(int features, int average, int levelAverage) {
        if (features < 1) {
            throw new IllegalArgumentException("features must be >= 1, got " + features);
        }
        checkAverage("average", average);
        checkAverage("level_average", levelAverage);
        this.valueMean = new float[features];
        this.valueVar = new float[features];
        this.min = new float[features];
        this.max = new float[features];
        this.error = new Surprise(average);
        this.level = new Surprise(levelAverage);
    }

    private LikelihoodState(long values, float[] valueMean, float[] valueVar, float[] min, float[] max, long count,
            Surprise error, Surprise level, int rest) {
        this.values = values;
        this.valueMean = valueMean;
        this.valueVar = valueVar;
        this.min = min;
        this.max = max;
        this.count = count;
        this.error = error;
        this.level = level;
        this.rest = rest;
    }

    private static void checkAverage(String name, int k) {
        if (k < 1 || k > LikelihoodConfig.MAX_AVERAGE) {
            throw new IllegalArgumentException(name + " must be in [1, " + LikelihoodConfig.MAX_AVERAGE + "], got "
                    + k);
        }
    }

    /** The features per event this state was made for. */
    public int features() {
        return valueMean.length;
    }

    /** K, the capacity of the ring of recent errors. */
    public int average() {
        return error.ring.length;
    }

    /** K_level, the capacity of the ring of recent level deviations. */
    public int levelAverage() {
        return level.ring.length;
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
        return error.mean;
    }

    /** σ², the long-term variance of the short-term mean error. */
    public double variance() {
        return error.var;
    }

    /** Events left in the rest period after the last alert. */
    public int rest() {
        return rest;
    }

    /** An independent deep copy. */
    public LikelihoodState copy() {
        return new LikelihoodState(values, valueMean.clone(), valueVar.clone(), min.clone(), max.clone(), count,
                error.copy(), level.copy(), rest);
    }

    /** The bytes {@link #write} produces. */
    public static long serializedSize(int features, int average, int levelAverage) {
        return 80L + 4L * average + 4L * levelAverage + 16L * features;
    }

    /**
     * {@code values (8) | count (8) | rest (4) | k (4) | K (4) | K_level (4) | valueMean, valueVar, min, max (k floats
     * each) | error channel (24 + 4·K) | level channel (24 + 4·K_level)}, big-endian as {@link DataOutput} writes.
     */
    public void write(DataOutput out) throws IOException {
        out.writeLong(values);
        out.writeLong(count);
        out.writeInt(rest);
        out.writeInt(valueMean.length);
        out.writeInt(error.ring.length);
        out.writeInt(level.ring.length);
        for (float[] a : new float[][] {valueMean, valueVar, min, max}) {
            for (float v : a) {
                out.writeFloat(v);
            }
        }
        error.write(out);
        level.write(out);
    }

    /** Reads what {@link #write} wrote; inconsistent or out-of-range parts are an {@link IOException}. */
    public static LikelihoodState read(DataInput in) throws IOException {
        long values = in.readLong();
        long count = in.readLong();
        int rest = in.readInt();
        int k = in.readInt();
        int average = in.readInt();
        int levelAverage = in.readInt();
        if (k < 1 || k > 1 << 16) {
            throw new IOException("corrupt likelihood state: " + k + " features is not in [1, 65536]");
        }
        for (int a : new int[] {average, levelAverage}) {
            if (a < 1 || a > LikelihoodConfig.MAX_AVERAGE) {
                throw new IOException("corrupt likelihood state: a window of " + a + " is not in [1, "
                        + LikelihoodConfig.MAX_AVERAGE + "]");
            }
        }
        if (count < 0 || values < count || rest < 0) {
            throw new IOException("corrupt likelihood state: count " + count + ", values " + values + ", rest "
                    + rest);
        }
        float[][] arrays = {new float[k], new float[k], new float[k], new float[k]};
        for (float[] a : arrays) {
            for (int i = 0; i < a.length; i++) {
                a[i] = in.readFloat();
            }
        }
        Surprise error = Surprise.read(in, average, "error");
        Surprise level = Surprise.read(in, levelAverage, "level");
        return new LikelihoodState(values, arrays[0], arrays[1], arrays[2], arrays[3], count, error, level, rest);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof LikelihoodState s)) {
            return false;
        }
        return values == s.values && count == s.count && rest == s.rest && error.equals(s.error)
                && level.equals(s.level) && Arrays.equals(valueMean, s.valueMean)
                && Arrays.equals(valueVar, s.valueVar) && Arrays.equals(min, s.min) && Arrays.equals(max, s.max);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + error.hashCode();
    }

    @Override
    public String toString() {
        return "LikelihoodState[values=" + values + ", count=" + count + ", error mean=" + error.mean + ", var="
                + error.var + ", level mean=" + level.mean + ", var=" + level.var + ", rest=" + rest + "]";
    }
}
