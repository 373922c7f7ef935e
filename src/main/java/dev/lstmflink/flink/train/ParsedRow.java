package dev.lstmflink.flink.train;

import dev.lstmflink.train.data.BadRow;
import dev.lstmflink.train.data.SeriesRow;

/**
 * One line of a training CSV after parsing on Flink: a good row, a bad row (with file, line and reason), a blank line,
 * or a whole-file error (unknown header). A Flink POJO; exactly one of the kinds is set.
 */
public class ParsedRow {

    public String file;
    /** The line number (1-based) in the file. */
    public long line;
    public SeriesRow row;
    public BadRow bad;
    public boolean blank;
    /** The file cannot be read at all (e.g. an unknown header); the message says why. */
    public String fileError;

    public ParsedRow() {}

    static ParsedRow of(String file, SeriesRow row, BadRow bad, boolean blank, String fileError) {
        return of(file, 0, row, bad, blank, fileError);
    }

    static ParsedRow of(String file, long line, SeriesRow row, BadRow bad, boolean blank, String fileError) {
        ParsedRow p = new ParsedRow();
        p.file = file;
        p.line = line;
        p.row = row;
        p.bad = bad;
        p.blank = blank;
        p.fileError = fileError;
        return p;
    }
}
