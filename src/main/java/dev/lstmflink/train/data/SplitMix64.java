package dev.lstmflink.train.data;

/**
 * SplitMix64, the small 64-bit generator of the PyTorch peer's data recipe ({@code shared/peers/README.md}).
 *
 * <p>It exists so that the Java training job draws exactly the same numbers as the Python side: the noise of the
 * benchmark series ({@link #nextDouble()}) and the order of the windows in each epoch ({@link #shuffle(int[])}).
 * Not thread-safe; not for cryptography.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /** A generator whose first {@link #next()} is the recipe's first value for {@code seed}. */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * The generator's state: {@code new SplitMix64(state())} continues with the numbers this one would draw next, so a
     * Flink subtask can draw an epoch's order from where the client's stream stands without being sent the order.
     */
    public long state() {
        return state;
    }

    /** The next 64 bits (read them unsigned to compare with Python: {@link Long#toUnsignedString(long)}). */
    public long next() {
        state += GOLDEN_GAMMA;
        long z = state;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A double in [0, 1) from the top 53 bits of {@link #next()}: {@code (next() >>> 11) * 2^-53}. */
    public double nextDouble() {
        return (next() >>> 11) * 0x1.0p-53;
    }

    /**
     * Shuffles {@code a} in place, Fisher–Yates as the recipe has it: for i = n−1 down to 1,
     * {@code j = Long.remainderUnsigned(next(), i + 1)}, swap a[i] and a[j]. Draws n−1 values (none for n &le; 1).
     * The small modulo bias is part of the recipe, so it is kept.
     */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i >= 1; i--) {
            int j = (int) Long.remainderUnsigned(next(), i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** One epoch's order: a fresh {@code [0, 1, ..., n−1]}, {@linkplain #shuffle(int[]) shuffled}. */
    public int[] permutation(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        shuffle(a);
        return a;
    }
}
