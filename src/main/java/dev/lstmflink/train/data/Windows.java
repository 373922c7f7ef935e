package dev.lstmflink.train.data;

/**
 * The training or the validation windows of a {@link WindowSet}: window w is a (key, start) pair, and its rows are
 * read from the key's normalized values when a batch is filled, so windows share their rows instead of copying them.
 */
public final class Windows implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final WindowSet owner;
    private final String name;
    private final int[] keyIndex;
    private final int[] start;

    Windows(WindowSet owner, String name, int[] keyIndex, int[] start) {
        this.owner = owner;
        this.name = name;
        this.keyIndex = keyIndex;
        this.start = start;
    }

    /** The number of windows. */
    public int size() {
        return start.length;
    }

    /** The index in {@link WindowSet#keys()} of window w's key. */
    public int keyIndex(int w) {
        return keyIndex[w];
    }

    /** Window w's key. */
    public String key(int w) {
        return owner.keys().get(keyIndex[w]);
    }

    /** Window w's first row in its key's time-sorted series: it covers rows start..start+T. */
    public int start(int w) {
        return start[w];
    }

    /** T. */
    public int windowLength() {
        return owner.windowLength();
    }

    /** k. */
    public int featureCount() {
        return owner.featureCount();
    }

    /** Fills a batch of all of {@code windows}: B = {@code windows.length}. */
    public void fillBatch(int[] windows, float[] x, float[] y) {
        fillBatch(windows, 0, windows.length, x, y);
    }

    /**
     * Fills a time-major batch of B = {@code count} windows, {@code windows[from..from+count)}: input {@code x[T, B, k]}
     * and target {@code y[T, B, k]}, element (t, b, j) at {@code (t*B + b)*k + j}; x holds rows start..start+T−1 of
     * window b and y rows start+1..start+T. Only the first {@code T·B·k} elements are written, so a buffer sized for
     * a full batch also serves the shorter last one.
     */
    public void fillBatch(int[] windows, int from, int count, float[] x, float[] y) {
        int T = owner.windowLength();
        int k = owner.featureCount();
        long need = (long) T * count * k;
        if (count < 0 || from < 0 || from + count > windows.length) {
            throw new IllegalArgumentException("windows[" + from + ", " + (from + count) + ") is outside an array of "
                    + windows.length);
        }
        if (x.length < need || y.length < need) {
            throw new IllegalArgumentException("x and y need " + need + " floats (T=" + T + ", B=" + count + ", k="
                    + k + "), have " + x.length + " and " + y.length);
        }
        int rowStride = count * k;
        for (int b = 0; b < count; b++) {
            int w = windows[from + b];
            if (w < 0 || w >= start.length) {
                throw new IndexOutOfBoundsException("window " + w + " of " + start.length + " " + name + " windows");
            }
            float[] src = owner.normalized(keyIndex[w]);
            int s = start[w] * k;
            int dst = b * k;
            for (int t = 0; t < T; t++) {
                System.arraycopy(src, s, x, dst, k);
                System.arraycopy(src, s + k, y, dst, k);
                s += k;
                dst += rowStride;
            }
        }
    }

    /**
     * Fills the ids {@code out [T, B, m]} of the input rows (start..start+T−1) of {@code windows[from..from+count)},
     * element (t, b, i) at {@code (t*B + b)*m + i}: the ids that go with {@link #fillBatch}'s {@code x}.
     */
    public void fillIds(int[] windows, int from, int count, int[] out) {
        int T = owner.windowLength();
        int m = owner.idCount();
        if (out.length < (long) T * count * m) {
            throw new IllegalArgumentException("ids need " + (long) T * count * m + " ints (T=" + T + ", B=" + count
                    + ", m=" + m + "), have " + out.length);
        }
        int rowStride = count * m;
        for (int b = 0; b < count; b++) {
            int w = windows[from + b];
            int[] src = owner.ids(keyIndex[w]);
            int s = start[w] * m;
            int dst = b * m;
            for (int t = 0; t < T; t++) {
                System.arraycopy(src, s, out, dst, m);
                s += m;
                dst += rowStride;
            }
        }
    }

    @Override
    public String toString() {
        return size() + " " + name + " windows";
    }
}
