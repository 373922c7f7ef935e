package dev.lstmflink.flink.train;

import dev.lstmflink.train.data.DataException;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.data.NumberedLine;
import dev.lstmflink.train.data.ParseResult;
import dev.lstmflink.train.data.RowParser;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Parses the lines of training CSV files on Flink: line 1 of a file is its header (it picks the layout), every other
 * line becomes a row or a bad row. A file is read whole and in order by one reader (files are not split), so a parser
 * per file is enough state.
 */
public class CsvLineParser implements FlatMapFunction<NumberedLine, ParsedRow> {

    private static final long serialVersionUID = 1L;

    private final IdColumns idColumns;
    private transient Map<String, RowParser> parsers;

    public CsvLineParser() {
        this(IdColumns.NONE);
    }

    /** With categorical id columns (see {@link IdColumns}). */
    public CsvLineParser(IdColumns idColumns) {
        this.idColumns = idColumns;
    }

    @Override
    public void flatMap(NumberedLine line, Collector<ParsedRow> out) {
        if (parsers == null) {
            parsers = new HashMap<>();
        }
        if (line.line() == 1) {
            try {
                parsers.put(line.file(), RowParser.forHeader(line.file(), line.text(), idColumns));
            } catch (DataException e) {
                out.collect(ParsedRow.of(line.file(), null, null, false, e.getMessage()));
            }
            return;
        }
        RowParser parser = parsers.get(line.file());
        if (parser == null) {
            return;   // the header was refused: the file error is already reported once
        }
        ParseResult r = parser.parse(line.line(), line.text());
        out.collect(ParsedRow.of(line.file(), line.line(), r.isRow() ? r.row() : null, r.isBad() ? r.bad() : null, r.isBlank(),
                null));
    }
}
