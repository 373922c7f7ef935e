package dev.lstmflink.train.data;

/**
 * One good row of a series: the series key, its time in epoch milliseconds (UTC), and its k feature values.
 *
 * <p>The values array is owned by the row (the parser makes a new one per row); records compare arrays by
 * reference, so compare {@code values} with {@link java.util.Arrays#equals(float[], float[])}.
 */
public record SeriesRow(String key, long tsMillis, float[] values) {}
