package dev.lstmflink.cli;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.csv.CsvCells;
import dev.lstmflink.csv.CsvFormatException;
import dev.lstmflink.csv.CsvNumbers;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Sequences as CSV: one row per time step, one column per feature. Cells, numbers and ids follow {@link CsvCells} and
 * {@link CsvNumbers}, as in every CSV reader of the project (quoted cells, spaces around cells dropped).
 *
 * <p>Reading is strict, since a silently misread cell would give plausible but wrong outputs: every row must have
 * exactly the expected number of columns and every cell must be a finite decimal number (e.g. {@code -1.5e-3}).
 * The first non-blank line is a header, and skipped, when its first field is not a number (NaN and Infinity count
 * as numbers there, so they are reported instead of skipped). Blank lines are ignored. Errors name the file, the
 * line (1-based, as an editor counts), the column (1-based) and the value.
 *
 * <p>For a model with an embedding front end ({@link #read(Path, int, EmbeddingConfig, boolean)}) every row holds the
 * step's m numeric values and then its k categorical ids, in the order the LSTM input concatenates them
 * ({@code x = [v ; E[id0] ; ... ; E[id(k-1)]]}); a header such as {@code v0,v1,id0} is optional and not checked. An id
 * cell must be a decimal integer (optionally signed; no point, no exponent) within {@code [0, num_embeddings)}.
 */
final class SequenceCsv {

    /**
     * A sequence read from CSV.
     *
     * @param values T rows of the numeric values
     * @param ids    T rows of the ids, or null when the model has no embedding
     */
    record Sequence(double[][] values, int[][] ids) {

        int length() {
            return values.length;
        }
    }

    private SequenceCsv() {}

    /**
     * Reads the rows of a sequence.
     *
     * @param columns the number of columns every row must have
     * @param float32 whether values must fit a float (they will be rounded to float32)
     * @return T rows of {@code columns} values, T &ge; 1
     */
    static double[][] read(Path file, int columns, boolean float32) throws CliException, IOException {
        return read(file, columns, null, float32).values();
    }

    /**
     * Reads the rows of a sequence of {@code numeric} values and, when {@code embedding} is not null, its
     * {@code ids_per_step} ids after them.
     *
     * @return T &ge; 1 rows
     */
    static Sequence read(Path file, int numeric, EmbeddingConfig embedding, boolean float32)
            throws CliException, IOException {
        int k = embedding == null ? 0 : embedding.idsPerStep();
        int columns = numeric + k;
        List<double[]> rows = new ArrayList<>();
        List<int[]> idRows = new ArrayList<>();
        boolean first = true;
        int lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);   // byte order mark, as spreadsheet programs write
                }
                if (line.isBlank()) {
                    continue;
                }
                List<String> cells;
                try {
                    cells = CsvCells.split(line);
                } catch (CsvFormatException e) {
                    throw new CliException(file + ":" + lineNo + ", column " + e.column() + ": " + e.detail());
                }
                if (first) {
                    first = false;
                    if (!looksNumeric(cells.get(0))) {
                        continue;   // a header
                    }
                }
                if (cells.size() != columns) {
                    throw new CliException(file + ":" + lineNo + ": expected " + columns + " columns ("
                            + (embedding == null ? "the model's input_size" : numeric + " numeric value"
                            + (numeric == 1 ? "" : "s") + ", then " + k + " id" + (k == 1 ? "" : "s")
                            + " of the embedding") + "), found " + cells.size());
                }
                double[] row = new double[numeric];
                for (int c = 0; c < numeric; c++) {
                    row[c] = parse(file, lineNo, c + 1, cells.get(c), float32);
                }
                rows.add(row);
                if (embedding != null) {
                    int[] ids = new int[k];
                    for (int j = 0; j < k; j++) {
                        ids[j] = parseId(file, lineNo, numeric + j + 1, j, cells.get(numeric + j), embedding);
                    }
                    idRows.add(ids);
                }
            }
        } catch (CharacterCodingException e) {
            throw new CliException(file + ":" + (lineNo + 1) + ": not UTF-8 text", e);
        }
        if (rows.isEmpty()) {
            throw new CliException(file + ": no data rows (" + (lineNo == 0 ? "the file is empty"
                    : "the file holds only a header or blank lines") + "); expected T rows of " + columns
                    + (embedding == null ? " numbers" : " columns (" + numeric + " numbers, then " + k + " ids)"));
        }
        return new Sequence(rows.toArray(new double[0][]), embedding == null ? null : idRows.toArray(new int[0][]));
    }

    /** Id {@code j} of a row: an integer row of the table, or an error naming line, column, the id and the value. */
    private static int parseId(Path file, int line, int column, int j, String cell, EmbeddingConfig embedding)
            throws CliException {
        String where = file + ":" + line + ", column " + column + ": ";
        String field = "ids[" + j + "]";
        if (!CsvNumbers.isInteger(cell)) {
            throw new CliException(where + field + " " + (cell.isEmpty() ? "is empty" : "'" + cell + "' is not an "
                    + "integer") + "; an id is a row of embedding.weight, in [0, num_embeddings = "
                    + embedding.numEmbeddings() + ")");
        }
        long id;
        try {
            id = Long.parseLong(cell);
        } catch (NumberFormatException e) {   // more digits than a long
            throw new CliException(where + field + " is " + cell + ", outside [0, num_embeddings = "
                    + embedding.numEmbeddings() + ")");
        }
        String bad = embedding.invalidId(field, id);
        if (bad != null) {
            throw new CliException(where + bad);
        }
        return (int) id;
    }

    private static double parse(Path file, int line, int column, String cell, boolean float32) throws CliException {
        String where = file + ":" + line + ", column " + column + ": ";
        if (CsvNumbers.isNonFinite(cell)) {
            throw new CliException(where + "value '" + cell + "' is not a finite number (NaN and Infinity are "
                    + "not allowed)");
        }
        if (!CsvNumbers.isDecimal(cell)) {
            throw new CliException(where + (cell.isEmpty() ? "empty value" : "value '" + cell + "'")
                    + " is not a number");
        }
        double v = Double.parseDouble(cell);
        // float32: as jobs/detect and jobs/train, a value is in range when it rounds to a finite float (3.4028235e38
        // is a little above Float.MAX_VALUE as a double, and rounds to it)
        if (Double.isInfinite(v) || float32 && Float.isInfinite((float) v)) {
            throw new CliException(where + "value '" + cell + "' is out of the range of "
                    + (float32 ? "float32 (use --precision f64?)" : "float64"));
        }
        return v;
    }

    private static boolean looksNumeric(String cell) {
        return CsvNumbers.isDecimal(cell) || CsvNumbers.isNonFinite(cell);
    }

    /**
     * Appends one CSV line: {@code prefix} (e.g. {@code "h_n,0,"}, or {@code ""}), then {@code cols} values of
     * {@code flat} from {@code offset}.
     */
    static void appendRow(StringBuilder out, String prefix, double[] flat, int offset, int cols,
                          DoubleFunction<String> format) {
        out.append(prefix);
        for (int c = 0; c < cols; c++) {
            if (c > 0) {
                out.append(',');
            }
            out.append(format.apply(flat[offset + c]));
        }
        out.append('\n');
    }
}
