package dev.lstmflink.core.model;

/**
 * Element access to a flat primitive array of one precision, {@code float[]} or {@code double[]}.
 *
 * <p>Used where speed does not matter (loading, saving, packing weights) so that the code that runs the network can be
 * written once for both precisions; the hot loops live in the kernels, one per primitive type.
 *
 * @param <A> {@code float[]} or {@code double[]}
 */
public interface Precision<A> {

    Precision<float[]> F32 = new Precision<>() {
        @Override public float[] allocate(int n) { return new float[n]; }
        @Override public int length(float[] a) { return a.length; }
        @Override public double get(float[] a, int i) { return a[i]; }
        @Override public void set(float[] a, int i, double v) { a[i] = (float) v; }
        @Override public float[] copy(float[] a) { return a.clone(); }
        @Override public String toString() { return "float32"; }
    };

    Precision<double[]> F64 = new Precision<>() {
        @Override public double[] allocate(int n) { return new double[n]; }
        @Override public int length(double[] a) { return a.length; }
        @Override public double get(double[] a, int i) { return a[i]; }
        @Override public void set(double[] a, int i, double v) { a[i] = v; }
        @Override public double[] copy(double[] a) { return a.clone(); }
        @Override public String toString() { return "float64"; }
    };

    A allocate(int n);

    int length(A a);

    double get(A a, int i);

    void set(A a, int i, double v);

    A copy(A a);

    /** {@code dst[dOff + k] += src[sOff + k]} for k in [0, n). */
    default void addTo(A dst, int dOff, A src, int sOff, int n) {
        for (int k = 0; k < n; k++) {
            set(dst, dOff + k, get(dst, dOff + k) + get(src, sOff + k));
        }
    }

    default A fromDoubles(double[] values) {
        A a = allocate(values.length);
        for (int i = 0; i < values.length; i++) {
            set(a, i, values[i]);
        }
        return a;
    }

    default double[] toDoubles(A a) {
        double[] d = new double[length(a)];
        for (int i = 0; i < d.length; i++) {
            d[i] = get(a, i);
        }
        return d;
    }
}
