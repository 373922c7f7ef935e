package dev.lstmflink.anomaly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One channel of {@link LikelihoodScorer}: the short-term mean m_t of a key's last K non-negative deviations (a ring of
 * K floats) and the exponentially weighted mean μ and variance σ² of the earlier m (span L), from which the tail
 * probability of m_t is taken (Ahmad et al. 2017, eq. 5–7). 24 + 4·K bytes serialized.
 *
 * <p>Not thread-safe; part of one key's {@link LikelihoodState}.
 */
final class Surprise implements Serializable {

    private static final long serialVersionUID = 1L;

    final float[] ring;
    int head;
    int size;
    double mean;
    double var;

    Surprise(int k) {
        this.ring = new float[k];
    }

    private Surprise(float[] ring, int head, int size, double mean, double var) {
        this.ring = ring;
        this.head = head;
        this.size = size;
        this.mean = mean;
        this.var = var;
    }

    /** Adds a deviation and returns m_t, the mean of the last K. */
    double push(double deviation) {
        ring[head] = (float) Math.min(deviation, Float.MAX_VALUE);
        head = head + 1 == ring.length ? 0 : head + 1;
        if (size < ring.length) {
            size++;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += ring[i];
        }
        return sum / size;
    }

    /** z = (m − μ) / max(σ, minSd); +∞ for m > μ when both spreads are 0. */
    double z(double m, double minSd) {
        double sd = Math.max(Math.sqrt(var), minSd);
        return sd > 0 ? (m - mean) / sd : (m > mean ? Double.POSITIVE_INFINITY : 0);
    }

    /**
     * μ and σ² of m by West's weighted incremental update (1979) with weight a: exact running moments while a = 1/n,
     * then exponentially weighted.
     */
    void update(double m, double a) {
        double diff = m - mean;
        double incr = a * diff;
        mean += incr;
        var = (1 - a) * (var + diff * incr);
    }

    Surprise copy() {
        return new Surprise(ring.clone(), head, size, mean, var);
    }

    /** {@code head (4) | size (4) | mean (8) | var (8) | K floats}; K itself is written by the state. */
    void write(DataOutput out) throws IOException {
        out.writeInt(head);
        out.writeInt(size);
        out.writeDouble(mean);
        out.writeDouble(var);
        for (float v : ring) {
            out.writeFloat(v);
        }
    }

    static Surprise read(DataInput in, int k, String name) throws IOException {
        int head = in.readInt();
        int size = in.readInt();
        double mean = in.readDouble();
        double var = in.readDouble();
        if (head < 0 || head >= k || size < 0 || size > k || (size < k && head != size)) {
            throw new IOException("corrupt likelihood state: " + name + " ring head " + head + ", size " + size
                    + " with K = " + k);
        }
        float[] ring = new float[k];
        for (int i = 0; i < k; i++) {
            ring[i] = in.readFloat();
        }
        return new Surprise(ring, head, size, mean, var);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Surprise s && head == s.head && size == s.size && Double.compare(mean, s.mean) == 0
                && Double.compare(var, s.var) == 0 && Arrays.equals(ring, s.ring);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ring) * 31 + head;
    }
}
