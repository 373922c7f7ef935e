package dev.lstmflink.train.data;

import dev.lstmflink.csv.CsvCells;
import dev.lstmflink.csv.CsvFormatException;
import dev.lstmflink.csv.CsvNumbers;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the data lines of one CSV file, one line at a time, so the same code serves the plain loader
 * ({@link SeriesLoader}) and a Flink job that sees a file as a stream of {@link NumberedLine}s.
 *
 * <p>Create one per file from its header line ({@link #forHeader}); then {@link #parse} each later line. A line
 * becomes a {@link SeriesRow} when it has exactly the header's number of columns, no empty cell, a valid timestamp
 * (see {@link Timestamps}) and finite decimal numbers that fit a float; otherwise a {@link BadRow} whose reason names
 * the column and value. Blank lines are skipped. Cells, numbers and ids follow {@link CsvCells} and
 * {@link CsvNumbers}, as in every CSV reader of the project: quoted cells, spaces around cells dropped; a line that
 * is not valid CSV is a bad row naming the column.
 *
 * <p>With {@link IdColumns}, the named value columns hold categorical ids instead of features: each must be an
 * integer ({@code 3}, {@code +3}) in {@code [0, num_embeddings)}, or the row is bad with a reason naming the column
 * and the value.
 */
public final class RowParser {

    private final String file;
    private final String key;
    private final CsvLayout layout;
    private final IdColumns idColumns;
    /** Column indices of the numeric values and of the ids (in {@link IdColumns} order). */
    private final int[] valueCols;
    private final int[] idCols;

    private RowParser(String file, CsvLayout layout, IdColumns idColumns) {
        this.file = file;
        this.layout = layout;
        this.idColumns = idColumns;
        this.key = layout.kind() == CsvLayout.Kind.SINGLE_SERIES ? keyOfFile(file) : null;
        List<String> cols = layout.columns();
        this.idCols = new int[idColumns.count()];
        for (int i = 0; i < idCols.length; i++) {
            String want = idColumns.names().get(i);
            int found = -1;
            for (int c = layout.firstValueColumn(); c < cols.size(); c++) {
                if (cols.get(c).equalsIgnoreCase(want)) {
                    found = c;
                }
            }
            if (found < 0) {
                throw new DataException(file + ":1: id column '" + want + "' (data.id_columns) is not a value column "
                        + "of the header '" + String.join(",", cols) + "'");
            }
            idCols[i] = found;
        }
        List<Integer> values = new ArrayList<>();
        for (int c = layout.firstValueColumn(); c < cols.size(); c++) {
            final int col = c;
            if (java.util.Arrays.stream(idCols).noneMatch(x -> x == col)) {
                values.add(c);
            }
        }
        if (values.isEmpty() && idCols.length > 0) {
            // allowed by the model (numeric may be 0), but then there is nothing to predict
            throw new DataException(file + ":1: every value column is an id column (data.id_columns); the model "
                    + "needs at least one numeric column to predict");
        }
        this.valueCols = values.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A parser for the file whose line 1 is {@code headerLine}.
     *
     * @param file the file's path or name: named in bad rows, and for {@code timestamp,value} files its last
     *     segment without {@code .csv} is the key
     * @throws DataException when the header is missing or unknown (see {@link CsvLayout#detect})
     */
    public static RowParser forHeader(String file, String headerLine) {
        return forHeader(file, headerLine, IdColumns.NONE);
    }

    /**
     * As {@link #forHeader(String, String)}, with id columns.
     *
     * @throws DataException also when an id column is not a value column of the header
     */
    public static RowParser forHeader(String file, String headerLine, IdColumns idColumns) {
        return new RowParser(file, CsvLayout.detect(file, headerLine), idColumns);
    }

    /** k, the numeric values of a row (the value columns that are not id columns). */
    public int featureCount() {
        return valueCols.length;
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
        List<String> cells;
        try {
            cells = CsvCells.split(line);
        } catch (CsvFormatException e) {
            int c = e.column() - 1;
            return bad(lineNumber, line, (c < layout.columnCount() ? column(c) : "column " + e.column()) + ": "
                    + e.detail());
        }
        int n = layout.columnCount();
        if (cells.size() != n) {
            return bad(lineNumber, line, "wrong column count (expected " + n + ": "
                    + String.join(",", layout.columns()) + "; got " + cells.size() + ")");
        }
        for (int c = 0; c < n; c++) {
            // blank, not only empty, for the key: a quoted " " keeps its space, and a key of spaces names nothing
            if (cells.get(c).isEmpty() || c == layout.keyColumn() && cells.get(c).isBlank()) {
                return bad(lineNumber, line, column(c) + ": empty");
            }
        }
        String rowKey = layout.keyColumn() >= 0 ? cells.get(layout.keyColumn()) : key;
        int tc = layout.timestampColumn();
        long ts;
        try {
            ts = Timestamps.parseMillis(cells.get(tc));
        } catch (IllegalArgumentException e) {
            return bad(lineNumber, line, column(tc) + ": bad timestamp: \"" + cells.get(tc) + "\" (" + e.getMessage()
                    + ")");
        }
        float[] values = new float[valueCols.length];
        for (int vi = 0; vi < valueCols.length; vi++) {
            int c = valueCols[vi];
            String s = cells.get(c);
            if (CsvNumbers.isNonFinite(s)) {
                return bad(lineNumber, line, column(c) + ": not finite: \"" + s + "\"");
            }
            if (!CsvNumbers.isDecimal(s)) {
                return bad(lineNumber, line, column(c) + ": not a number: \"" + s + "\"");
            }
            float v = (float) Double.parseDouble(s);
            if (!Float.isFinite(v)) {
                return bad(lineNumber, line, column(c) + ": out of float range: \"" + s + "\"");
            }
            values[vi] = v;
        }
        int[] ids = idCols.length == 0 ? SeriesRow.NO_IDS : new int[idCols.length];
        for (int i = 0; i < idCols.length; i++) {
            int c = idCols[i];
            String s = cells.get(c);
            if (!CsvNumbers.isInteger(s)) {
                return bad(lineNumber, line, column(c) + ": not an id (an integer in [0, num_embeddings = "
                        + idColumns.numEmbeddings() + ")): \"" + s + "\"");
            }
            long id;
            try {
                id = Long.parseLong(s);
            } catch (NumberFormatException e) {
                id = s.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;   // more digits than a long: out of range
            }
            if (id < 0 || id >= idColumns.numEmbeddings()) {
                return bad(lineNumber, line, column(c) + ": id " + s + " is outside [0, num_embeddings = "
                        + idColumns.numEmbeddings() + ")");
            }
            ids[i] = (int) id;
        }
        return ParseResult.of(new SeriesRow(rowKey, ts, values, ids));
    }

    private String column(int c) {
        return "column '" + layout.columns().get(c) + "'";
    }

    private ParseResult bad(long lineNumber, String line, String reason) {
        return ParseResult.of(new BadRow(file, lineNumber, reason, line));
    }
}
