package dev.lstmflink.train.data;

import java.util.regex.Pattern;

/**
 * Parses the data lines of one CSV file, one line at a time, so the same code serves the plain loader
 * ({@link SeriesLoader}) and a Flink job that sees a file as a stream of {@link NumberedLine}s.
 *
 * <p>Create one per file from its header line ({@link #forHeader}); then {@link #parse} each later line. A line
 * becomes a {@link SeriesRow} when it has exactly the header's number of columns, no empty cell, a valid timestamp
 * (see {@link Timestamps}) and finite decimal numbers that fit a float; otherwise a {@link BadRow} whose reason names
 * the column and value. Blank lines are skipped. Cells are trimmed; quoting is not supported.
 */
public final class RowParser {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

    private final String file;
    private final String key;
    private final CsvLayout layout;

    private RowParser(String file, CsvLayout layout) {
        this.file = file;
        this.layout = layout;
        this.key = layout.kind() == CsvLayout.Kind.SINGLE_SERIES ? keyOfFile(file) : null;
    }

    /**
     * A parser for the file whose line 1 is {@code headerLine}.
     *
     * @param file the file's path or name: named in bad rows, and for {@code timestamp,value} files its last
     *     segment without {@code .csv} is the key
     * @throws DataException when the header is missing or unknown (see {@link CsvLayout#detect})
     */
    public static RowParser forHeader(String file, String headerLine) {
        return new RowParser(file, CsvLayout.detect(file, headerLine));
    }

    /** The key of a single-series file: its name (last path segment) without a {@code .csv} ending. */
    public static String keyOfFile(String file) {
        String name = file;
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        if (slash >= 0) {
            name = name.substring(slash + 1);
        }
        if (name.regionMatches(true, Math.max(0, name.length() - 4), ".csv", 0, 4) && name.length() > 4) {
            name = name.substring(0, name.length() - 4);
        }
        return name;
    }

    public CsvLayout layout() {
        return layout;
    }

    public String file() {
        return file;
    }

    /**
     * Parses one data line.
     *
     * @param lineNumber the line's 1-based number in the file, for the bad-row report
     * @param line the line without its terminator
     */
    public ParseResult parse(long lineNumber, String line) {
        if (line.isBlank()) {
            return ParseResult.BLANK;
        }
        String[] cells = line.split(",", -1);
        int n = layout.columnCount();
        if (cells.length != n) {
            return bad(lineNumber, line, "wrong column count (expected " + n + ": "
                    + String.join(",", layout.columns()) + "; got " + cells.length + ")");
        }
        for (int c = 0; c < n; c++) {
            cells[c] = cells[c].trim();
            if (cells[c].isEmpty()) {
                return bad(lineNumber, line, column(c) + ": empty");
            }
        }
        String rowKey = layout.keyColumn() >= 0 ? cells[layout.keyColumn()] : key;
        int tc = layout.timestampColumn();
        long ts;
        try {
            ts = Timestamps.parseMillis(cells[tc]);
        } catch (IllegalArgumentException e) {
            return bad(lineNumber, line, column(tc) + ": bad timestamp: \"" + cells[tc] + "\" (" + e.getMessage() + ")");
        }
        int first = layout.firstValueColumn();
        float[] values = new float[n - first];
        for (int c = first; c < n; c++) {
            String s = cells[c];
            if (NON_FINITE.matcher(s).matches()) {
                return bad(lineNumber, line, column(c) + ": not finite: \"" + s + "\"");
            }
            if (!DECIMAL.matcher(s).matches()) {
                return bad(lineNumber, line, column(c) + ": not a number: \"" + s + "\"");
            }
            float v = (float) Double.parseDouble(s);
            if (!Float.isFinite(v)) {
                return bad(lineNumber, line, column(c) + ": out of float range: \"" + s + "\"");
            }
            values[c - first] = v;
        }
        return ParseResult.of(new SeriesRow(rowKey, ts, values));
    }

    private String column(int c) {
        return "column '" + layout.columns().get(c) + "'";
    }

    private ParseResult bad(long lineNumber, String line, String reason) {
        return ParseResult.of(new BadRow(file, lineNumber, reason, line));
    }
}
