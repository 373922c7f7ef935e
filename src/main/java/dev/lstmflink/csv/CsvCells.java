package dev.lstmflink.csv;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into its cells: RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180) for one record, with one
 * rule on spaces that the RFC does not have.
 *
 * <ul>
 *   <li>Commas separate cells; {@code n} commas make {@code n + 1} cells, so {@code a,} is two cells, the second
 *       empty, and an empty line is one empty cell.
 *   <li>A cell may be quoted: {@code "a,b"} is the cell {@code a,b}, and {@code ""} inside quotes is one quote
 *       ({@code "say ""hi"""} is {@code say "hi"}). Inside the quotes every character is kept as written, spaces too.
 *   <li>Spaces and tabs around a cell are not part of it: an unquoted cell is stripped of them at both ends
 *       ({@code " 1.5 "} is {@code 1.5}), and they may stand before an opening and after a closing quote. (RFC 4180
 *       keeps them; spreadsheets and hand-written files put them after commas, and no cell we read starts with one.)
 *   <li>A record is one line: one line terminator at the end ({@code \n}, {@code \r\n} or {@code \r}) is dropped,
 *       any other {@code \r} or {@code \n}, inside quotes too, is an error. The files are read line by line (and Kafka
 *       carries one line per record), so a quoted line break could never mean the same in a file as on Kafka.
 *   <li>A byte-order mark (U+FEFF) at the start of the line is dropped, as spreadsheet programs write one.
 * </ul>
 *
 * Strict where a lenient reader would shift columns or change a value silently. Each of these is a
 * {@link CsvFormatException} naming the column (1-based) and the character (1-based, in the line as given): a quote
 * that is never closed, text after a closing quote ({@code "1"x}), a quote inside an unquoted cell ({@code 1"2}),
 * a line break.
 *
 * <p>Why not a library: Jackson's CSV module ({@code jackson-dataformat-csv}) and Apache Commons CSV are both well
 * kept, but they read a document from a {@code Reader} and build a parser (with its reader, lexer and buffers) for each
 * input. Here every input is one line, and {@code connect.CsvRecordParser} splits each Kafka record of the streaming
 * job on its own, so that setup would be paid per event; this loop allocates the list and one {@code String} per
 * cell (a quoted cell without a doubled quote is a plain {@code substring}). What those libraries add, records that
 * span lines, other delimiters and escapes, header binding, we do not want; and their lenient defaults (Commons CSV
 * keeps a quote inside an unquoted cell as text) would have to be configured away and their exceptions translated
 * into column-naming errors. The rules above fit in this class, and {@code CsvCellsTest} pins each of them.
 */
public final class CsvCells {

    private CsvCells() {}

    /**
     * The cells of {@code line}: with or without its line terminator, with or without a byte-order mark.
     *
     * @throws CsvFormatException when the line is not one valid CSV record (see the class comment)
     */
    public static List<String> split(String line) throws CsvFormatException {
        int n = endOfContent(line);
        int i = n > 0 && line.charAt(0) == '\uFEFF' ? 1 : 0;
        List<String> cells = new ArrayList<>();
        while (true) {
            int column = cells.size() + 1;
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
            if (i < n && line.charAt(i) == '"') {
                i = quoted(line, i, n, column, cells);
                while (i < n && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new CsvFormatException(column, i + 1, "has text after its closing quote: "
                            + CsvFormatException.show(line.substring(i)));
                }
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ',') {
                    char c = line.charAt(i);
                    if (c == '"') {
                        String around = line.substring(Math.max(start, i - 19), Math.min(n, i + 20));
                        throw new CsvFormatException(column, i + 1, "has a quote inside an unquoted cell: "
                                + CsvFormatException.show(around));
                    }
                    if (c == '\n' || c == '\r') {
                        throw lineBreak(column, i);
                    }
                    i++;
                }
                int end = i;
                while (end > start && isBlank(line.charAt(end - 1))) {
                    end--;
                }
                cells.add(line.substring(start, end));
            }
            if (i >= n) {
                return cells;
            }
            i++; // the comma
        }
    }

    /** The cells of {@code line} as {@link #split}, or null when it is null or not valid CSV. */
    public static List<String> splitOrNull(String line) {
        if (line == null) {
            return null;
        }
        try {
            return split(line);
        } catch (CsvFormatException e) {
            return null;
        }
    }

    /** {@code line} without one trailing line terminator ({@code \n}, {@code \r\n} or {@code \r}). */
    public static String stripLineEnd(String line) {
        int end = endOfContent(line);
        return end == line.length() ? line : line.substring(0, end);
    }

    /**
     * Reads the quoted cell whose opening quote is at {@code open}, adds it to {@code cells} and returns the index
     * after its closing quote.
     */
    private static int quoted(String line, int open, int n, int column, List<String> cells)
            throws CsvFormatException {
        int i = open + 1;
        int start = i;
        StringBuilder unescaped = null;   // only when the cell holds a doubled quote
        while (true) {
            if (i >= n) {
                throw new CsvFormatException(column, open + 1, "opens a quote that is never closed");
            }
            char c = line.charAt(i);
            if (c == '\n' || c == '\r') {
                throw lineBreak(column, i);
            }
            if (c != '"') {
                i++;
            } else if (i + 1 < n && line.charAt(i + 1) == '"') {
                if (unescaped == null) {
                    unescaped = new StringBuilder(n - start);
                }
                unescaped.append(line, start, i + 1);   // up to and with one of the two quotes
                i += 2;
                start = i;
            } else {
                cells.add(unescaped == null ? line.substring(start, i)
                        : unescaped.append(line, start, i).toString());
                return i + 1;
            }
        }
    }

    private static CsvFormatException lineBreak(int column, int i) {
        return new CsvFormatException(column, i + 1, "has a line break: a record is one line");
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** The length of {@code line} without one trailing {@code \n}, {@code \r\n} or {@code \r}. */
    private static int endOfContent(String line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        return end;
    }
}
