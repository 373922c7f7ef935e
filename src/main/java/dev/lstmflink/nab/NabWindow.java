package dev.lstmflink.nab;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;

/**
 * One labelled anomaly window of a series ({@code labels/combined_windows.json}): its start and end timestamps and
 * the data rows they are at. NAB locates a window by timestamp: it covers the rows from the one whose timestamp
 * equals {@code start} to the one whose timestamp equals {@code end}, both included, whatever the timestamps of the
 * rows between (NAB's data has a few duplicate and backward-stepping timestamps). Rows are 0-based data rows (the
 * header is not a row).
 */
public record NabWindow(LocalDateTime start, LocalDateTime end, int firstRow, int lastRow) {

    public NabWindow {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (firstRow < 0 || lastRow < firstRow) {
            throw new IllegalArgumentException("window " + start + " .. " + end + ": rows " + firstRow + " .. "
                    + lastRow + " are not a range");
        }
    }

    /** The number of rows in the window, NAB's window width. */
    public int rows() {
        return lastRow - firstRow + 1;
    }

    /** Whether data row {@code row} is in the window. */
    public boolean contains(int row) {
        return row >= firstRow && row <= lastRow;
    }

    /**
     * The window from {@code start} to {@code end} in a series with these timestamps. As NAB's labeller demands, each
     * of the two timestamps must occur exactly once in the series, and the end must not come before the start.
     *
     * @param where the series, for error messages
     */
    public static NabWindow locate(List<LocalDateTime> timestamps, LocalDateTime start, LocalDateTime end,
                                   String where) {
        int first = onlyRow(timestamps, start, "start", where);
        int last = onlyRow(timestamps, end, "end", where);
        if (last < first) {
            throw new IllegalArgumentException(where + ": window " + start + " .. " + end + " ends at row " + last
                    + ", before its start at row " + first);
        }
        return new NabWindow(start, end, first, last);
    }

    private static int onlyRow(List<LocalDateTime> timestamps, LocalDateTime t, String which, String where) {
        int found = -1;
        for (int i = 0; i < timestamps.size(); i++) {
            if (timestamps.get(i).equals(t)) {
                if (found >= 0) {
                    throw new IllegalArgumentException(where + ": the window " + which + " " + t
                            + " occurs more than once in the data (rows " + found + " and " + i + ")");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException(where + ": the window " + which + " " + t
                    + " is not a timestamp of the data (NAB needs window limits to match data timestamps exactly)");
        }
        return found;
    }
}
