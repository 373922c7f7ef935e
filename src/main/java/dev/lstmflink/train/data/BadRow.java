package dev.lstmflink.train.data;

/**
 * A row that could not be used, kept with where it came from so it can be reported and fixed.
 *
 * @param file the file the row came from (as given to the parser)
 * @param line its line number, 1-based as an editor counts (the header is line 1)
 * @param reason what is wrong, naming the column and value, e.g. {@code column 'value': not a number: "abc"}
 * @param raw the line as read
 */
public record BadRow(String file, long line, String reason, String raw) {

    /** {@code file:line}, as compilers and editors print locations. */
    public String location() {
        return file + ":" + line;
    }

    /**
     * The reason without the offending value or details, to count bad rows by kind: the reason up to its first
     * {@code : "} (a quoted value follows) or {@code  (} (details follow), looked for after the column name when
     * the reason starts with one. E.g. {@code column 'value': not a number}.
     */
    public String category() {
        int from = 0;
        if (reason.startsWith("column '")) {
            int close = reason.indexOf("': ", 8);
            from = close >= 0 ? close + 1 : 0;
        }
        int cut = reason.length();
        int q = reason.indexOf(": \"", from);
        if (q >= 0) {
            cut = q;
        }
        int p = reason.indexOf(" (", from);
        if (p >= 0 && p < cut) {
            cut = p;
        }
        return reason.substring(0, cut);
    }

    @Override
    public String toString() {
        return location() + ": " + reason + " | " + raw;
    }
}
