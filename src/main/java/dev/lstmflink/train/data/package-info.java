/**
 * Training data: CSV series ({@code RowParser}, {@code SeriesLoader}) with id columns and bad rows reported as
 * {@code file:line}, timestamps, normalisation, and the windows cut from the series. May import {@code core} and
 * {@code csv}; no Flink (the Flink file format over these lines is {@code flink.train.NumberedLineFormat}).
 */
package dev.lstmflink.train.data;
