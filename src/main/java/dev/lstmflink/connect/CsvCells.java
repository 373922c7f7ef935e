package dev.lstmflink.connect;

import dev.lstmflink.connect.TextRecordParser.BadRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into cells, RFC 4180 style: commas separate cells; a cell may be quoted ({@code "a,b"}, with
 * {@code ""} for a quote inside); unquoted cells are trimmed of spaces. Strict where a lenient split would shift
 * columns silently: a quote inside an unquoted cell, text after a closing quote, an unterminated quote or a line
 * break outside quotes are {@link DeadLetter#BAD_CSV}.
 */
public final class CsvCells {

    private CsvCells() {}

    /** The cells of {@code line} (a line terminator is dropped), or null when it is not valid CSV. */
    public static List<String> splitOrNull(String line) {
        try {
            return line == null ? null : split(stripLineEnd(line));
        } catch (BadRecord e) {
            return null;
        }
    }

    /** The cells of {@code line} (which has no line terminator; a byte-order mark is dropped). */
    static List<String> split(String line) throws BadRecord {
        String s = !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
        List<String> cells = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (true) {
            int column = cells.size() + 1;
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            if (i < n && s.charAt(i) == '"') {
                StringBuilder cell = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw new BadRecord(DeadLetter.BAD_CSV, "column " + column + " opens a quote that is never closed");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < n && s.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cell.append(c);
                    }
                }
                while (i < n && s.charAt(i) == ' ') {
                    i++;
                }
                if (i < n && s.charAt(i) != ',') {
                    throw new BadRecord(DeadLetter.BAD_CSV, "column " + column + " has text after its closing quote: "
                            + Snippets.quote(s.substring(i)));
                }
                cells.add(cell.toString());
            } else {
                int start = i;
                while (i < n && s.charAt(i) != ',') {
                    char c = s.charAt(i);
                    if (c == '"') {
                        throw new BadRecord(DeadLetter.BAD_CSV, "column " + column + " has a quote inside an unquoted"
                                + " cell: " + Snippets.quote(s.substring(start, Math.min(n, i + 20))));
                    }
                    if (c == '\n' || c == '\r') {
                        throw new BadRecord(DeadLetter.BAD_CSV, "column " + column
                                + " has a line break: a record is one line");
                    }
                    i++;
                }
                cells.add(s.substring(start, i).trim());
            }
            if (i >= n) {
                return cells;
            }
            i++; // the comma
        }
    }

    /** {@code line} without one trailing line terminator ({@code \n}, {@code \r\n} or {@code \r}). */
    static String stripLineEnd(String line) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        return line.substring(0, end);
    }
}
