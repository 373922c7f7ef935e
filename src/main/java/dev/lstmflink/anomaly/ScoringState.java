package dev.lstmflink.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One key's scoring memory: primitives and one {@code float[W]}, meant to live in a Flink {@code ValueState}.
 *
 * <ul>
 *   <li>{@code count}: events scored so far;</li>
 *   <li>{@code ewmaNum}, {@code ewmaDen}: numerator and denominator of the bias-corrected EWMA of the residuals
 *       (the smoothed error is their ratio);</li>
 *   <li>{@code window}, {@code head}, {@code size}: a ring of the last {@code size ≤ W} smoothed errors; the next one is
 *       written at {@code head}, the oldest is at {@code (head − size) mod W};</li>
 *   <li>{@code sinceRecompute}: events since the threshold was last searched;</li>
 *   <li>{@code mean}, {@code std}, {@code z}, {@code epsilon}: μ and σ of the window at the last search, the chosen z
 *       and ε = μ + zσ; NaN until the first search (the end of the warm-up; never in the fixed mode).</li>
 * </ul>
 *
 * <p><b>Size bound.</b> {@link #write} produces exactly {@link #serializedSize(int) 72 + 4·W} bytes (W = 1000: 4,072
 * bytes); on the heap the object is about that plus 40 bytes of headers. Nothing grows with the length of the stream.
 *
 * <p>Not thread-safe; a state belongs to one key and is advanced by {@link KeyScorer#score}.
 */
public final class ScoringState implements Serializable {

    private static final long serialVersionUID = 1L;

    long count;
    double ewmaNum;
    double ewmaDen;
    final float[] window;
    int head;
    int size;
    int sinceRecompute;
    double mean = Double.NaN;
    double std = Double.NaN;
    double z = Double.NaN;
    double epsilon = Double.NaN;

    /** A new key: no events, an empty window of capacity {@code windowCapacity}, no threshold. */
    public ScoringState(int windowCapacity) {
        if (windowCapacity < 1 || windowCapacity > ScoringConfig.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be in [1, " + ScoringConfig.MAX_WINDOW + "], got "
                    + windowCapacity);
        }
        this.window = new float[windowCapacity];
    }

    /**
     * A state from its parts (a restore); the window array is taken as is, not copied.
     *
     * @throws IllegalArgumentException if the parts are inconsistent (naming the part and the value)
     */
    public ScoringState(long count, double ewmaNum, double ewmaDen, float[] window, int head, int size,
            int sinceRecompute, double mean, double std, double z, double epsilon) {
        if (window == null || window.length < 1 || window.length > ScoringConfig.MAX_WINDOW) {
            throw new IllegalArgumentException("window must hold 1 to " + ScoringConfig.MAX_WINDOW + " floats, got "
                    + (window == null ? "null" : window.length));
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (head < 0 || head >= window.length) {
            throw new IllegalArgumentException("head must be in [0, " + window.length + "), got " + head);
        }
        if (size < 0 || size > window.length || size > count) {
            throw new IllegalArgumentException("size must be in [0, min(window " + window.length + ", count " + count
                    + ")], got " + size);
        }
        if (size < window.length && head != size) {
            throw new IllegalArgumentException("head must equal size (" + size + ") until the window is full, got "
                    + head);
        }
        if (sinceRecompute < 0) {
            throw new IllegalArgumentException("sinceRecompute must be >= 0, got " + sinceRecompute);
        }
        this.count = count;
        this.ewmaNum = ewmaNum;
        this.ewmaDen = ewmaDen;
        this.window = window;
        this.head = head;
        this.size = size;
        this.sinceRecompute = sinceRecompute;
        this.mean = mean;
        this.std = std;
        this.z = z;
        this.epsilon = epsilon;
    }

    /** An independent deep copy. */
    public ScoringState copy() {
        return new ScoringState(count, ewmaNum, ewmaDen, window.clone(), head, size, sinceRecompute, mean, std, z,
                epsilon);
    }

    /** The bytes {@link #write} produces for a window of capacity W: 72 + 4·W. */
    public static long serializedSize(int windowCapacity) {
        return 72L + 4L * windowCapacity;
    }

    /**
     * {@code count (8) | ewmaNum (8) | ewmaDen (8) | head (4) | size (4) | sinceRecompute (4) | mean (8) | std (8) |
     * z (8) | epsilon (8) | W (4) | W floats (4 each)}, big-endian as {@link DataOutput} writes; a Flink
     * {@code DataOutputView} is a {@code DataOutput}.
     */
    public void write(DataOutput out) throws IOException {
        out.writeLong(count);
        out.writeDouble(ewmaNum);
        out.writeDouble(ewmaDen);
        out.writeInt(head);
        out.writeInt(size);
        out.writeInt(sinceRecompute);
        out.writeDouble(mean);
        out.writeDouble(std);
        out.writeDouble(z);
        out.writeDouble(epsilon);
        out.writeInt(window.length);
        for (float v : window) {
            out.writeFloat(v);
        }
    }

    /** Reads what {@link #write} wrote; inconsistent or out-of-range parts are an {@link IOException}. */
    public static ScoringState read(DataInput in) throws IOException {
        long count = in.readLong();
        double num = in.readDouble();
        double den = in.readDouble();
        int head = in.readInt();
        int size = in.readInt();
        int since = in.readInt();
        double mean = in.readDouble();
        double std = in.readDouble();
        double z = in.readDouble();
        double eps = in.readDouble();
        int w = in.readInt();
        if (w < 1 || w > ScoringConfig.MAX_WINDOW) {
            throw new IOException("corrupt scoring state: window capacity " + w + " is not in [1, "
                    + ScoringConfig.MAX_WINDOW + "]");
        }
        float[] window = new float[w];
        for (int i = 0; i < w; i++) {
            window[i] = in.readFloat();
        }
        try {
            return new ScoringState(count, num, den, window, head, size, since, mean, std, z, eps);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt scoring state: " + e.getMessage(), e);
        }
    }

    public long count() {
        return count;
    }

    public double ewmaNum() {
        return ewmaNum;
    }

    public double ewmaDen() {
        return ewmaDen;
    }

    /** The ring itself (not a copy), for serializers. */
    public float[] window() {
        return window;
    }

    public int head() {
        return head;
    }

    public int size() {
        return size;
    }

    public int sinceRecompute() {
        return sinceRecompute;
    }

    public double mean() {
        return mean;
    }

    public double std() {
        return std;
    }

    public double z() {
        return z;
    }

    public double epsilon() {
        return epsilon;
    }

    /** The smoothed error {@code j} events back in chronological order: {@code j = 0} is the oldest in the window. */
    public float smoothedError(int j) {
        if (j < 0 || j >= size) {
            throw new IndexOutOfBoundsException("index " + j + " outside the window of " + size);
        }
        int i = head - size + j;
        return window[i < 0 ? i + window.length : i];
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScoringState s)) {
            return false;
        }
        return count == s.count && Double.compare(ewmaNum, s.ewmaNum) == 0 && Double.compare(ewmaDen, s.ewmaDen) == 0
                && head == s.head && size == s.size && sinceRecompute == s.sinceRecompute
                && Double.compare(mean, s.mean) == 0 && Double.compare(std, s.std) == 0
                && Double.compare(z, s.z) == 0 && Double.compare(epsilon, s.epsilon) == 0
                && Arrays.equals(window, s.window);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Arrays.hashCode(window);
    }

    @Override
    public String toString() {
        return "ScoringState[count=" + count + ", size=" + size + "/" + window.length + ", mean=" + mean + ", std="
                + std + ", z=" + z + ", epsilon=" + epsilon + "]";
    }
}
