package dev.lstmflink.train.data;

/**
 * One good row of a series: the series key, its time in epoch milliseconds (UTC), its k feature values and its
 * categorical ids (the {@link IdColumns}, none by default).
 *
 * <p>The arrays are owned by the row (the parser makes new ones per row); records compare arrays by reference, so
 * compare {@code values} with {@link java.util.Arrays#equals(float[], float[])}.
 */
public record SeriesRow(String key, long tsMillis, float[] values, int[] ids) {

    static final int[] NO_IDS = new int[0];

    public SeriesRow {
        ids = ids == null ? NO_IDS : ids;
    }

    /** A row without ids. */
    public SeriesRow(String key, long tsMillis, float[] values) {
        this(key, tsMillis, values, NO_IDS);
    }
}
