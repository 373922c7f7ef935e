package dev.lstmflink.nab;

import dev.lstmflink.csv.CsvCells;
import dev.lstmflink.csv.CsvFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CSV reading the NAB scorer needs: a header line, then one row per non-blank line (as pandas reads NAB's files:
 * blank lines are skipped), cells as {@link CsvCells} reads them (RFC 4180 quotes: {@code "a,b"}, {@code ""} for a
 * quote). A record is one line.
 */
final class NabCsv {

    private NabCsv() {}

    /** One column of a CSV file: its cells in row order and the 1-based line number of each row. */
    record Column(Path file, String name, List<String> header, String[] cells, int[] lines) {
        int rows() {
            return cells.length;
        }
    }

    /** Reads the column named {@code column} (by header name) of every row of {@code file}. */
    static Column readColumn(Path file, String column) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            List<String> header = null;
            while (header == null && (line = in.readLine()) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    header = split(file, lineNo, line);
                }
            }
            if (header == null) {
                throw new IOException(file + ": empty file, expected a header line with a column " + column);
            }
            int index = header.indexOf(column);
            if (index < 0) {
                throw new IOException(file + ": no column named '" + column + "' in the header " + header);
            }
            List<String> cells = new ArrayList<>();
            List<Integer> lines = new ArrayList<>();
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> row = split(file, lineNo, line);
                if (row.size() <= index) {
                    throw new IOException(file + " line " + lineNo + ": " + row.size() + " cell(s), no column "
                            + column + " (column " + (index + 1) + " of the header)");
                }
                cells.add(row.get(index));
                lines.add(lineNo);
            }
            return new Column(file, column, header, cells.toArray(new String[0]),
                    lines.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** The cells of one line, as {@link CsvCells} reads every CSV line of the project. */
    static List<String> split(Path file, int lineNo, String line) throws IOException {
        try {
            return CsvCells.split(line);
        } catch (CsvFormatException e) {
            throw new IOException(file + " line " + lineNo + ": " + e.getMessage());
        }
    }
}
