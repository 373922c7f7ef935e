package dev.lstmflink.train.data;

/**
 * One key's rows, sorted by time: {@code n} timestamps, {@code n × k} values, row-major (row i, feature j at
 * {@code i*k + j}), and {@code n × m} categorical ids (m = {@code idCount}, 0 without id columns). Made by
 * {@link SeriesSet#series(String)}; the arrays are shared, not copied, so do not modify them.
 */
public record Series(String key, int featureCount, long[] tsMillis, float[] values, int idCount, int[] ids) {

    public Series {
        if (values.length != (long) tsMillis.length * featureCount) {
            throw new IllegalArgumentException("key '" + key + "': " + values.length + " values for "
                    + tsMillis.length + " rows of " + featureCount + " features");
        }
        if (ids == null) {
            ids = SeriesRow.NO_IDS;
        }
        if (ids.length != (long) tsMillis.length * idCount) {
            throw new IllegalArgumentException("key '" + key + "': " + ids.length + " ids for " + tsMillis.length
                    + " rows of " + idCount + " ids");
        }
    }

    /** Without ids. */
    public Series(String key, int featureCount, long[] tsMillis, float[] values) {
        this(key, featureCount, tsMillis, values, 0, SeriesRow.NO_IDS);
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
