package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.connect.CsvRecordParser;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.EventShape;
import dev.lstmflink.connect.Parsed;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.data.ParseResult;
import dev.lstmflink.train.data.RowParser;
import dev.lstmflink.train.data.SeriesRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One CSV, three readers: the same lines through {@code jobs/detect}'s {@link CsvRecordParser} (a Kafka record or a
 * replayed line), {@code jobs/train}'s {@link RowParser} (header {@code key,ts,v1,v2,id1}, {@code id1} an id column)
 * and {@code jobs/lstm forward}'s {@link SequenceCsv} (the rows of a sequence, {@code v1,v2,id1}: it has no key and no
 * timestamp, so it reads the part of each line after them). Each line must mean the same to all three (key, time,
 * values, id), or all three must reject it, each naming the same column in its own words. In the {@code cli} package
 * because {@link SequenceCsv} is package-private.
 */
class CsvReadersAgreeTest {

    private static final int NUM_EMBEDDINGS = 5;
    private static final CsvRecordParser DETECT = new CsvRecordParser(new EventShape(2, 1, NUM_EMBEDDINGS), 4096);
    private static final String HEADER = "key,ts,v1,v2,id1";
    private static final List<String> COLUMNS = List.of(HEADER.split(","));
    private static final RowParser TRAIN =
            RowParser.forHeader("f.csv", HEADER, new IdColumns(List.of("id1"), NUM_EMBEDDINGS));
    private static final EmbeddingConfig EMBEDDING = EmbeddingConfig.of(NUM_EMBEDDINGS, 3);
    private static final long JUL_1_2014 = 1_404_172_800_000L;
    /** A rejection that names no column: the line has the wrong number of cells. */
    private static final int COUNT = -1;

    @TempDir
    Path tmp;

    /** A line as its key cell, its timestamp cell and the rest ({@code v1,v2,id1}), each as written. */
    private record Line(String key, String ts, String rest) {

        String full() {
            return key + "," + ts + "," + rest;
        }
    }

    @Test
    void quotedCellsSpacesAndSignedIdsMeanTheSameToAllThree() throws Exception {
        accepted(new Line("pump-7", "5", " 1.5 , -2 ,+1"), "pump-7", 5, 1.5f, -2f, 1);
        accepted(new Line("\"pump, north\"", "\"5\"", "\"1.5\",\"-2\",\"+1\""), "pump, north", 5, 1.5f, -2f, 1);
        accepted(new Line("\"say \"\"hi\"\"\"", "2014-07-01 00:00:00", "1e-3,.5,0"), "say \"hi\"", JUL_1_2014,
                1e-3f, .5f, 0);
        accepted(new Line(" \"a\" ", " \"2014-07-01T00:00:00Z\"", " +2.5 ,\"-0\",-0"), "a", JUL_1_2014, 2.5f, -0f, 0);
        accepted(new Line("\tk\t", "5", "\t1\t,2,4\r\n"), "k", 5, 1f, 2f, 4);
        accepted(new Line("k", "5", "1E+2,-.25,\"3\""), "k", 5, 100f, -.25f, 3);
        // float32's edges: the largest float as printed (a little above Float.MAX_VALUE as a double), and underflow
        accepted(new Line("k", "5", "3.4028235e38,-3.4028235e38,2"), "k", 5, Float.MAX_VALUE, -Float.MAX_VALUE, 2);
        accepted(new Line("k", "5", "1e-50,-1e-50,2"), "k", 5, 0f, -0f, 2);
    }

    @Test
    void badValuesAndIdsAreRejectedByAllThreeNamingTheSameColumn() throws Exception {
        rejected("abc,2,1", 2, DeadLetter.BAD_VALUE, "not a number", "value 'abc' is not a number");
        rejected("\" 1.5\",2,1", 2, DeadLetter.BAD_VALUE, "not a number", "is not a number");
        rejected(",2,1", 2, DeadLetter.BAD_VALUE, "empty", "empty value is not a number");
        rejected("1,NaN,1", 3, DeadLetter.NON_FINITE_VALUE, "not finite", "is not a finite number");
        rejected("1,\"-inf\",1", 3, DeadLetter.NON_FINITE_VALUE, "not finite", "is not a finite number");
        rejected("1,1e39,1", 3, DeadLetter.NON_FINITE_VALUE, "out of float range", "out of the range of float32");
        rejected("1,-3.41e38,1", 3, DeadLetter.NON_FINITE_VALUE, "out of float range", "out of the range of float32");
        rejected("1,0x1p3,1", 3, DeadLetter.BAD_VALUE, "not a number", "is not a number");
        rejected("1,2,1.0", 4, DeadLetter.BAD_ID, "not an id", "'1.0' is not an integer");
        rejected("1,2,\"1e2\"", 4, DeadLetter.BAD_ID, "not an id", "is not an integer");
        rejected("1,2,+", 4, DeadLetter.BAD_ID, "not an id", "is not an integer");
        rejected("1,2,", 4, DeadLetter.BAD_ID, "empty", "ids[0] is empty");
        rejected("1,2,-1", 4, DeadLetter.BAD_ID, "outside [0, num_embeddings = 5)", "outside [0, num_embeddings = 5)");
        rejected("1,2,5", 4, DeadLetter.BAD_ID, "outside [0, num_embeddings = 5)", "outside [0, num_embeddings = 5)");
        rejected("1,2,99999999999999999999", 4, DeadLetter.BAD_ID, "outside", "outside");
        rejected("1,2,-99999999999999999999", 4, DeadLetter.BAD_ID, "outside", "outside");
    }

    @Test
    void linesThatAreNotCsvOrHaveTheWrongCountAreRejectedByAllThree() throws Exception {
        rejected("1,2,\"1", 4, DeadLetter.BAD_CSV, "opens a quote that is never closed", "never closed");
        rejected("1\"2,2,1", 2, DeadLetter.BAD_CSV, "has a quote inside an unquoted cell", "quote inside");
        rejected("\"1\"x,2,1", 2, DeadLetter.BAD_CSV, "has text after its closing quote", "after its closing quote");
        rejected("1,2", COUNT, DeadLetter.WRONG_VALUE_COUNT, "wrong column count", "expected 3 columns");
        rejected("1,2,1,", COUNT, DeadLetter.WRONG_VALUE_COUNT, "wrong column count", "found 4");
        // a quoted comma is inside a cell: three cells, not four
        rejected("\"1,2\",1", COUNT, DeadLetter.WRONG_VALUE_COUNT, "got 4", "found 2");
    }

    /** A bad key or time: {@code jobs/lstm} has neither and reads the same values; the other two reject the line. */
    @Test
    void badKeysAndTimesAreRejectedByTheTwoReadersThatHaveThem() throws Exception {
        keyOrTsRejected(new Line("\" \"", "5", "1,2,3"), 0, DeadLetter.MISSING_KEY, "empty");
        keyOrTsRejected(new Line("", "5", "1,2,3"), 0, DeadLetter.MISSING_KEY, "empty");
        keyOrTsRejected(new Line("\"k", "5", "1,2,3"), 0, DeadLetter.BAD_CSV, "never closed");
        keyOrTsRejected(new Line("k", "yesterday", "1,2,3"), 1, DeadLetter.BAD_TS, "bad timestamp");
        keyOrTsRejected(new Line("k", "\"\"", "1,2,3"), 1, DeadLetter.MISSING_TS, "empty");
    }

    private void accepted(Line line, String key, long ts, float v1, float v2, int id) throws Exception {
        String where = line.full();
        Parsed d = DETECT.parse(line.full(), "f.csv", -1, 2);
        assertTrue(d.isOk(), where + " -> detect " + d);
        SensorEvent e = d.event();
        assertEquals(key, e.key, where);
        assertEquals(ts, e.ts, where);
        assertArrayEquals(new float[] {v1, v2}, e.values, where);
        assertArrayEquals(new int[] {id}, e.ids, where);

        ParseResult t = TRAIN.parse(2, line.full());
        assertTrue(t.isRow(), where + " -> train " + t);
        SeriesRow r = t.row();
        assertEquals(key, r.key(), where);
        assertEquals(ts, r.tsMillis(), where);
        assertArrayEquals(new float[] {v1, v2}, r.values(), where);
        assertArrayEquals(new int[] {id}, r.ids(), where);

        SequenceCsv.Sequence s = SequenceCsv.read(sequence(line.rest()), 2, EMBEDDING, true);
        assertEquals(1, s.length(), where);
        assertArrayEquals(new float[] {v1, v2}, new float[] {(float) s.values()[0][0], (float) s.values()[0][1]},
                where);
        assertArrayEquals(new int[] {id}, s.ids()[0], where);
    }

    /**
     * {@code rest} after {@code k,5,} is rejected by all three: by detect with {@code reason}, by train with a reason
     * holding {@code train}, by lstm with a message holding {@code lstm}; each names {@code column} (0-based in the
     * full line, so 2 is {@code v1}) as it names columns, or none for {@link #COUNT}.
     */
    private void rejected(String rest, int column, String reason, String train, String lstm) throws IOException {
        Line line = new Line("k", "5", rest);
        String where = line.full();
        Parsed p = DETECT.parse(line.full(), "f.csv", -1, 2);
        assertFalse(p.isOk(), where + " -> detect accepted it: " + p);
        DeadLetter d = p.deadLetter();
        assertEquals(reason, d.reason, where + " -> detect " + d.detail);
        if (column != COUNT) {
            assertTrue(Pattern.compile("\\bcolumn " + (column + 1) + "\\b").matcher(d.detail).find(),
                    where + " -> detect " + d.detail);
        }

        ParseResult t = TRAIN.parse(2, line.full());
        assertTrue(t.isBad(), where + " -> train " + t);
        String why = t.bad().reason();
        assertTrue(why.contains(train), where + " -> train " + why);
        if (column != COUNT) {
            assertTrue(why.startsWith("column '" + COLUMNS.get(column) + "': "), where + " -> train " + why);
        }

        Path file = sequence(rest);
        CliException x = assertThrows(CliException.class, () -> SequenceCsv.read(file, 2, EMBEDDING, true), where);
        String msg = x.getMessage();
        assertTrue(msg.contains(lstm), where + " -> lstm " + msg);
        assertTrue(msg.startsWith(file + (column == COUNT ? ":2: " : ":2, column " + (column - 1) + ": ")),
                where + " -> lstm " + msg);
    }

    private void keyOrTsRejected(Line line, int column, String reason, String train) throws Exception {
        String where = line.full();
        Parsed p = DETECT.parse(line.full(), "f.csv", -1, 2);
        assertFalse(p.isOk(), where + " -> detect accepted it: " + p);
        DeadLetter d = p.deadLetter();
        assertEquals(reason, d.reason, where + " -> detect " + d.detail);
        assertTrue(Pattern.compile("\\bcolumn " + (column + 1) + "\\b").matcher(d.detail).find(),
                where + " -> detect " + d.detail);
        ParseResult t = TRAIN.parse(2, line.full());
        assertTrue(t.isBad(), where + " -> train " + t);
        assertTrue(t.bad().reason().startsWith("column '" + COLUMNS.get(column) + "': "), t.bad().reason());
        assertTrue(t.bad().reason().contains(train), t.bad().reason());
        SequenceCsv.Sequence s = SequenceCsv.read(sequence(line.rest()), 2, EMBEDDING, true);
        assertArrayEquals(new double[] {1, 2}, s.values()[0], where);
        assertArrayEquals(new int[] {3}, s.ids()[0], where);
    }

    /** A sequence file of one row, {@code rest}, under a header, so that it is line 2 of the file. */
    private Path sequence(String rest) throws IOException {
        Path file = Files.createTempFile(tmp, "seq", ".csv");
        Files.writeString(file, "v1,v2,id1\n" + rest + "\n");
        return file;
    }
}
