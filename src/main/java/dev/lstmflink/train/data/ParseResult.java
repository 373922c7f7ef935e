package dev.lstmflink.train.data;

import java.util.Objects;

/**
 * What {@link RowParser#parse} made of one line: a good {@link SeriesRow}, a {@link BadRow}, or nothing (a blank
 * line, which is skipped and not counted, as elsewhere in this project).
 */
public final class ParseResult {

    /** The result for a blank line. */
    public static final ParseResult BLANK = new ParseResult(null, null);

    private final SeriesRow row;
    private final BadRow bad;

    private ParseResult(SeriesRow row, BadRow bad) {
        this.row = row;
        this.bad = bad;
    }

    public static ParseResult of(SeriesRow row) {
        return new ParseResult(Objects.requireNonNull(row), null);
    }

    public static ParseResult of(BadRow bad) {
        return new ParseResult(null, Objects.requireNonNull(bad));
    }

    public boolean isRow() {
        return row != null;
    }

    public boolean isBad() {
        return bad != null;
    }

    public boolean isBlank() {
        return row == null && bad == null;
    }

    /** The good row; throws unless {@link #isRow()}. */
    public SeriesRow row() {
        if (row == null) {
            throw new IllegalStateException("not a good row: " + this);
        }
        return row;
    }

    /** The bad row; throws unless {@link #isBad()}. */
    public BadRow bad() {
        if (bad == null) {
            throw new IllegalStateException("not a bad row: " + this);
        }
        return bad;
    }

    @Override
    public String toString() {
        return row != null ? "row " + row.key() + "@" + row.tsMillis() : bad != null ? "bad " + bad : "blank";
    }
}
