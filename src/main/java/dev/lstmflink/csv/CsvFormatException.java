package dev.lstmflink.csv;

/**
 * A line that is not one valid CSV record ({@link CsvCells}): where the problem is and what it is. Checked, so every
 * reader decides what a bad line means to it (a dead letter, a bad row, an error), and without a stack trace, since
 * bad lines are data, not bugs, and a stream may bring them by the million.
 */
public final class CsvFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Text from the line is shown cut to this many characters. */
    private static final int SHOWN = 40;

    private final int column;
    private final int position;
    private final String problem;

    CsvFormatException(int column, int position, String problem) {
        super("column " + column + " " + problem + " (character " + position + ")", null, false, false);
        this.column = column;
        this.position = position;
        this.problem = problem;
    }

    /** The column, from 1, whose cell is broken. */
    public int column() {
        return column;
    }

    /** The character of the line, from 1, where the problem is (an unclosed quote: the opening quote). */
    public int position() {
        return position;
    }

    /**
     * The message without its column, for a reader that names columns its own way: e.g. {@code opens a quote that is
     * never closed (character 7)}, {@code has text after its closing quote: "x,2" (character 8)}.
     */
    public String detail() {
        return problem + " (character " + position + ")";
    }

    /** {@code "text"}, with line breaks, tabs and other control characters escaped, cut to {@value #SHOWN}. */
    static String show(String s) {
        return Snippets.quote(s, SHOWN);
    }
}
