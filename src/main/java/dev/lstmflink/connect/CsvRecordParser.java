package dev.lstmflink.connect;

import dev.lstmflink.csv.CsvCells;
import dev.lstmflink.csv.CsvFormatException;
import dev.lstmflink.csv.CsvNumbers;
import dev.lstmflink.csv.Snippets;
import dev.lstmflink.record.SensorEvent;
import java.util.List;

/**
 * CSV records, one line each, in one of two layouts:
 *
 * <ul>
 *   <li>keyed: {@code key,ts,v1,...,vm} (the {@link #CsvRecordParser(int, int) constructor});
 *   <li>single series: {@code timestamp,v1,...,vm} with the key fixed ({@link #singleSeries}) or taken from the
 *       record's source, i.e. the file name ({@link #singleSeriesKeyedBySource}); the Numenta Anomaly Benchmark's
 *       {@code timestamp,value} files are this layout with m = 1.
 * </ul>
 *
 * <p>Categorical ids (a model with an embedding, {@link EventShape}): the k ids follow the m values as k more
 * columns, {@code key,ts,v1,...,vm,id1,...,idk} (single series {@code timestamp,v1,...,vm,id1,...,idk}); the model
 * gives m (its numeric inputs) and k (its embedding's {@code ids_per_step}), so a line has {@code 2 + m + k} columns
 * (single series {@code 1 + m + k}), and m may be 0. An id cell is a decimal integer ({@code 3}, {@code +3}); an empty
 * cell, a fraction or float ({@code 3.5}, {@code 3.0}, {@code 1e2}), text, a negative id, one not below
 * {@code num_embeddings} or one beyond any integer is {@link DeadLetter#BAD_ID}, naming the column and the value. A
 * line with the wrong number of columns is {@link DeadLetter#WRONG_VALUE_COUNT} whichever part is short: CSV cannot
 * tell a missing value from a missing id.
 *
 * Timestamps are epoch milliseconds, ISO-8601 (no zone = UTC) or {@code YYYY-MM-DD HH:MM:SS} (UTC), as in
 * {@link dev.lstmflink.train.data.Timestamps}, which the training job uses for the same files, in the years 1 to 9999
 * ({@link #MIN_TS}, {@link #MAX_TS}). A key column holds at most {@link #MAX_KEY_BYTES} bytes of valid Unicode.
 * Values are decimal numbers ({@code 1}, {@code -2.5}, {@code 1e-3}); {@code NaN} and infinities are refused as
 * {@link DeadLetter#NON_FINITE_VALUE}, anything else ({@code 0x1p3}, {@code 1f}, an empty cell) as
 * {@link DeadLetter#BAD_VALUE}. Cells, numbers and ids follow {@link CsvCells} and {@link CsvNumbers}, as in every CSV
 * reader of the project; a line that is not valid CSV is {@link DeadLetter#BAD_CSV}, naming the column. The parser
 * does not skip header lines: it cannot know which line is first in a stream; a file reader should test its first
 * line with {@link #isHeader} and skip it.
 */
public class CsvRecordParser extends TextRecordParser {

    private static final long serialVersionUID = 1L;

    private final boolean keyed;
    /** The key of every record in single-series mode; null there means "the record's source". */
    private final String fixedKey;

    /** Keyed lines, {@code key,ts,v1,...,vm} with m = {@code expectedValues} (a model without an embedding). */
    public CsvRecordParser(int expectedValues, int maxBytes) {
        this(EventShape.values(expectedValues), maxBytes);
    }

    /** Keyed lines, {@code key,ts,v1,...,vm,id1,...,idk} with m and k from {@code shape}. */
    public CsvRecordParser(EventShape shape, int maxBytes) {
        this(shape, maxBytes, true, null);
    }

    private CsvRecordParser(EventShape shape, int maxBytes, boolean keyed, String fixedKey) {
        super(shape, maxBytes);
        this.keyed = keyed;
        this.fixedKey = fixedKey;
    }

    /** Single-series lines, {@code timestamp,v1,...,vm}, all with the key {@code key}. */
    public static CsvRecordParser singleSeries(String key, int expectedValues, int maxBytes) {
        return singleSeries(key, EventShape.values(expectedValues), maxBytes);
    }

    /** Single-series lines, {@code timestamp,v1,...,vm,id1,...,idk}, all with the key {@code key}. */
    public static CsvRecordParser singleSeries(String key, EventShape shape, int maxBytes) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("the single-series key must not be empty, got " + Snippets.quote(key));
        }
        return new CsvRecordParser(shape, maxBytes, false, key);
    }

    /** Single-series lines, {@code timestamp,v1,...,vm}, keyed by the source passed to {@code parse} (the file). */
    public static CsvRecordParser singleSeriesKeyedBySource(int expectedValues, int maxBytes) {
        return singleSeriesKeyedBySource(EventShape.values(expectedValues), maxBytes);
    }

    /** Single-series lines, {@code timestamp,v1,...,vm,id1,...,idk}, keyed by the source passed to {@code parse}. */
    public static CsvRecordParser singleSeriesKeyedBySource(EventShape shape, int maxBytes) {
        return new CsvRecordParser(shape, maxBytes, false, null);
    }

    /** The number of columns a record has in this layout. */
    public int columns() {
        return tsColumn() + 1 + expectedValues + expectedIds;
    }

    /** The timestamp's column, from 0: 1 when keyed, else 0; the values follow it, then the ids. */
    public int tsColumn() {
        return keyed ? 1 : 0;
    }

    /**
     * True when {@code line} looks like a header: its timestamp cell is not a timestamp and none of its value cells
     * is a number (e.g. {@code timestamp,value} or {@code key,ts,temperature}). Never throws.
     */
    public boolean isHeader(String line) {
        if (line == null) {
            return false;
        }
        try {
            List<String> cells = CsvCells.split(line);
            int tsColumn = keyed ? 1 : 0;
            if (cells.size() <= tsColumn + 1) {
                return false;
            }
            try {
                timestamp(cells.get(tsColumn), "ts");
                return false;
            } catch (BadRecord expected) {
                // not a timestamp: a header so far
            }
            for (int c = tsColumn + 1; c < cells.size(); c++) {
                String v = cells.get(c);
                if (CsvNumbers.isDecimal(v) || CsvNumbers.isNonFinite(v)) {
                    return false;
                }
            }
            return true;
        } catch (CsvFormatException | RuntimeException e) {
            return false;
        }
    }

    @Override
    protected SensorEvent toEvent(String text, String source) throws BadRecord {
        List<String> cells;
        try {
            cells = CsvCells.split(text);
        } catch (CsvFormatException e) {
            throw new BadRecord(DeadLetter.BAD_CSV, e.getMessage());
        }
        if (cells.size() == 1) {
            throw new BadRecord(DeadLetter.BAD_CSV, "expected " + layout() + " (" + columns()
                    + " comma-separated columns), found one column: " + Snippets.quote(cells.get(0)));
        }
        if (cells.size() != columns()) {
            int values = cells.size() - (keyed ? 2 : 1);
            throw new BadRecord(DeadLetter.WRONG_VALUE_COUNT, "the line has " + cells.size() + " columns (" + values
                    + (values == 1 ? " value" : " values") + (expectedIds > 0 ? " and ids" : "") + "), expected "
                    + columns() + ": " + layout());
        }
        int column = 0;
        String key;
        if (keyed) {
            key = cells.get(column++);
            if (key.isBlank()) {
                throw new BadRecord(DeadLetter.MISSING_KEY, "key (column 1) is empty");
            }
            checkKey(key, "key (column 1)");
        } else {
            key = fixedKey != null ? fixedKey : source;
            if (key == null || key.isBlank()) {
                throw new BadRecord(DeadLetter.MISSING_KEY,
                        "single-series record without a source name to use as its key: " + Snippets.quote(key));
            }
        }
        String tsCell = cells.get(column++);
        String tsField = "ts (column " + column + ")";
        if (tsCell.isBlank()) {
            throw new BadRecord(DeadLetter.MISSING_TS, tsField + " is empty");
        }
        long ts = timestamp(tsCell, tsField);
        float[] values = new float[expectedValues];
        for (int i = 0; i < values.length; i++) {
            String cell = cells.get(column++);
            values[i] = value(cell, "v" + (i + 1) + " (column " + column + ")");
        }
        int[] ids = expectedIds == 0 ? null : new int[expectedIds];
        for (int i = 0; i < expectedIds; i++) {
            String cell = cells.get(column++);
            ids[i] = idCell(cell, "id" + (i + 1) + " (column " + column + ")");
        }
        return new SensorEvent(key, ts, false, values, ids);
    }

    private int idCell(String cell, String field) throws BadRecord {
        if (cell.isEmpty()) {
            throw new BadRecord(DeadLetter.BAD_ID, field + " is empty");
        }
        if (!CsvNumbers.isInteger(cell)) {
            throw new BadRecord(DeadLetter.BAD_ID, field + " " + Snippets.quote(cell) + " is not an integer id");
        }
        long v;
        try {
            v = Long.parseLong(cell);
        } catch (NumberFormatException e) {
            throw idOutOfRange(field, cell);
        }
        return id(v, field, cell);
    }

    private static float value(String cell, String field) throws BadRecord {
        if (cell.isEmpty()) {
            throw new BadRecord(DeadLetter.BAD_VALUE, field + " is empty");
        }
        if (CsvNumbers.isNonFinite(cell)) {
            throw new BadRecord(DeadLetter.NON_FINITE_VALUE, field + " is " + cell + ", not a finite number");
        }
        if (!CsvNumbers.isDecimal(cell)) {
            throw new BadRecord(DeadLetter.BAD_VALUE, field + " " + Snippets.quote(cell) + " is not a number");
        }
        return finiteFloat(Double.parseDouble(cell), field, cell);
    }

    private String layout() {
        StringBuilder b = new StringBuilder(keyed ? "key,ts" : "timestamp");
        columns(b, "v", expectedValues);
        columns(b, "id", expectedIds);
        return b.toString();
    }

    private static void columns(StringBuilder b, String name, int n) {
        if (n <= 3) {
            for (int i = 1; i <= n; i++) {
                b.append(',').append(name).append(i);
            }
        } else {
            b.append(',').append(name).append("1,...,").append(name).append(n);
        }
    }
}
