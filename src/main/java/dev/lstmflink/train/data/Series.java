package dev.lstmflink.train.data;

/**
 * One key's rows, sorted by time: {@code n} timestamps and {@code n × k} values, row-major (row i, feature j at
 * {@code i*k + j}). Made by {@link SeriesSet#series(String)}; the arrays are shared, not copied, so do not modify
 * them.
 */
public record Series(String key, int featureCount, long[] tsMillis, float[] values) {

    public Series {
        if (values.length != (long) tsMillis.length * featureCount) {
            throw new IllegalArgumentException("key '" + key + "': " + values.length + " values for "
                    + tsMillis.length + " rows of " + featureCount + " features");
        }
    }

    /** n, the number of rows. */
    public int length() {
        return tsMillis.length;
    }

    /** The value of feature j at row i. */
    public float value(int i, int j) {
        return values[i * featureCount + j];
    }
}
