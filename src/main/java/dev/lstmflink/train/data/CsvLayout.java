package dev.lstmflink.train.data;

import dev.lstmflink.csv.CsvCells;
import dev.lstmflink.csv.CsvFormatException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The column layout of a series CSV, detected from its header line (line 1).
 *
 * <ul>
 *   <li>{@link Kind#SINGLE_SERIES}: NAB's {@code timestamp,value}. One series per file, k = 1, key = the file name
 *       without {@code .csv}.
 *   <li>{@link Kind#MULTI_KEY}: {@code key,ts,v1,...,vk} (k &ge; 1 value columns, any distinct non-empty names).
 *       Many series per file, told apart by the {@code key} column.
 * </ul>
 *
 * Header names are compared without case; a byte order mark before line 1 is ignored. The header is read as every
 * line is ({@link CsvCells}): names may be quoted, spaces around them are dropped.
 */
public final class CsvLayout {

    /** What the header lines accepted look like, for error messages. */
    public static final String ACCEPTED =
            "'timestamp,value' (one series per file, NAB) or 'key,ts,v1,...,vk' (k >= 1 value columns)";

    /** The two layouts. */
    public enum Kind { SINGLE_SERIES, MULTI_KEY }

    private final Kind kind;
    private final List<String> columns;

    private CsvLayout(Kind kind, List<String> columns) {
        this.kind = kind;
        this.columns = List.copyOf(columns);
    }

    /**
     * Detects the layout from a file's header line.
     *
     * @param file the file, named in the error message
     * @param headerLine line 1 of the file, or null when the file has no lines
     * @throws DataException when the header is missing or is not one of the {@linkplain #ACCEPTED accepted} forms
     */
    public static CsvLayout detect(String file, String headerLine) {
        if (headerLine == null) {
            throw new DataException(file + ": the file is empty; expected a header line " + ACCEPTED);
        }
        String line = stripBom(headerLine);
        if (line.isBlank()) {
            throw new DataException(file + ":1: the header line is blank; expected " + ACCEPTED);
        }
        List<String> cells;
        try {
            cells = CsvCells.split(line);
        } catch (CsvFormatException e) {
            throw new DataException(file + ":1: header '" + line.trim() + "' is not valid CSV: " + e.getMessage()
                    + "; expected " + ACCEPTED);
        }
        if (cells.size() == 2 && eq(cells.get(0), "timestamp") && eq(cells.get(1), "value")) {
            return new CsvLayout(Kind.SINGLE_SERIES, cells);
        }
        if (cells.size() >= 2 && eq(cells.get(0), "key") && eq(cells.get(1), "ts")) {
            if (cells.size() == 2) {
                throw new DataException(file + ":1: header '" + line.trim()
                        + "' has no value columns; expected " + ACCEPTED);
            }
            Set<String> seen = new HashSet<>();
            for (int i = 2; i < cells.size(); i++) {
                String name = cells.get(i);
                if (name.isEmpty()) {
                    throw new DataException(file + ":1: header '" + line.trim() + "': value column " + (i - 1)
                            + " has no name; expected " + ACCEPTED);
                }
                if (!seen.add(name.toLowerCase(Locale.ROOT)) || eq(name, "key") || eq(name, "ts")) {
                    throw new DataException(file + ":1: header '" + line.trim() + "': column name '" + name
                            + "' appears twice; expected " + ACCEPTED);
                }
            }
            return new CsvLayout(Kind.MULTI_KEY, cells);
        }
        throw new DataException(file + ":1: unknown header '" + line.trim() + "'; expected " + ACCEPTED);
    }

    public Kind kind() {
        return kind;
    }

    /** All column names as {@link CsvCells} reads the header's cells: unquoted, without surrounding spaces. */
    public List<String> columns() {
        return columns;
    }

    /** The number of columns a data row must have. */
    public int columnCount() {
        return columns.size();
    }

    /** k, the number of value (feature) columns. */
    public int featureCount() {
        return kind == Kind.SINGLE_SERIES ? 1 : columns.size() - 2;
    }

    /** The index of the key column, or −1 for {@link Kind#SINGLE_SERIES}. */
    public int keyColumn() {
        return kind == Kind.SINGLE_SERIES ? -1 : 0;
    }

    /** The index of the timestamp column. */
    public int timestampColumn() {
        return kind == Kind.SINGLE_SERIES ? 0 : 1;
    }

    /** The index of the first value column; values are the columns from here to the end. */
    public int firstValueColumn() {
        return kind == Kind.SINGLE_SERIES ? 1 : 2;
    }

    /** The names of the k value columns. */
    public List<String> valueColumns() {
        return columns.subList(firstValueColumn(), columns.size());
    }

    @Override
    public String toString() {
        return kind + String.join(",", columns);
    }

    static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static boolean eq(String a, String b) {
        return a.equalsIgnoreCase(b);
    }
}
