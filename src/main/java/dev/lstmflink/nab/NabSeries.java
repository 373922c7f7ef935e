package dev.lstmflink.nab;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;

/**
 * One data series of a NAB corpus: its path relative to the corpus's {@code data/} folder
 * ({@code realKnownCause/nyc_taxi.csv}; the category is the first component), its timestamps in row order as parsed
 * from the data file, and its labelled windows in time order (none for e.g. {@code artificialNoAnomaly}).
 */
public record NabSeries(String relativePath, List<LocalDateTime> timestamps, List<NabWindow> windows) {

    public NabSeries {
        Objects.requireNonNull(relativePath, "relativePath");
        int slash = relativePath.indexOf('/');
        if (slash <= 0 || slash == relativePath.length() - 1 || relativePath.contains("\\")) {
            throw new IllegalArgumentException("a series path is category/file.csv, got '" + relativePath + "'");
        }
        timestamps = List.copyOf(timestamps);
        windows = List.copyOf(windows);
        int previousLast = -1;
        for (NabWindow w : windows) {
            if (w.lastRow() >= timestamps.size()) {
                throw new IllegalArgumentException(relativePath + ": window " + w.start() + " .. " + w.end()
                        + " ends at row " + w.lastRow() + " but the series has " + timestamps.size() + " rows");
            }
            if (!timestamps.get(w.firstRow()).equals(w.start()) || !timestamps.get(w.lastRow()).equals(w.end())) {
                throw new IllegalArgumentException(relativePath + ": window " + w.start() + " .. " + w.end()
                        + " does not match the timestamps of its rows " + w.firstRow() + " and " + w.lastRow());
            }
            if (w.firstRow() <= previousLast) {
                throw new IllegalArgumentException(relativePath + ": window " + w.start() + " .. " + w.end()
                        + " overlaps or precedes the window before it (windows must be in time order, disjoint)");
            }
            previousLast = w.lastRow();
        }
    }

    /** The number of data rows. */
    public int rows() {
        return timestamps.size();
    }

    /** The category: the first component of the relative path ({@code realKnownCause}). */
    public String category() {
        return relativePath.substring(0, relativePath.indexOf('/'));
    }

    /** The file name: the last component of the relative path ({@code nyc_taxi.csv}). */
    public String fileName() {
        return relativePath.substring(relativePath.lastIndexOf('/') + 1);
    }

    /** The number of leading rows NAB does not score, {@link NabScorer#probationaryRows(int)}. */
    public int probationaryRows() {
        return NabScorer.probationaryRows(rows());
    }
}
