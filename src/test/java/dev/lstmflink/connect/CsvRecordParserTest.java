package dev.lstmflink.connect;

import static dev.lstmflink.connect.ParserAssertions.dead;
import static dev.lstmflink.connect.ParserAssertions.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.record.SensorEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** CSV records, keyed ({@code key,ts,v1..vk}) and single-series ({@code timestamp,value}): forms and reason codes. */
class CsvRecordParserTest {

    static final CsvRecordParser KEYED = new CsvRecordParser(2, 1024);
    static final CsvRecordParser NAB = CsvRecordParser.singleSeries("machine_temperature", 1, 1024);

    @Test
    void parsesKeyedLines() {
        assertEquals(new SensorEvent("pump-7", 1404172800000L, 0.5f, -1.25f), event(KEYED, "pump-7,1404172800000,0.5,-1.25"));
        assertEquals(new SensorEvent("a", 5, 1f, 2f), event(KEYED, " a , 5 , 1 , 2 "), "unquoted cells are trimmed");
        assertEquals(new SensorEvent("a", 5, 1f, 2f), event(KEYED, "a,5,1,2\r\n"), "one line end is dropped");
        assertEquals(new SensorEvent("a", 5, 1f, 2f), event(KEYED, "\uFEFFa,5,1,2"), "a byte-order mark is dropped");
        assertArrayEquals(new float[] {1e-3f, -0.5f}, event(KEYED, "a,5,1e-3,-.5").values);
    }

    @Test
    void quotedCells() {
        assertEquals("pump, \"north\"", event(KEYED, "\"pump, \"\"north\"\"\",5,1,2").key);
        assertEquals(5, event(KEYED, "a,\"5\",1,2").ts);
        assertEquals(3f, event(KEYED, "a,5,1, \"3\" ").values[1]);
    }

    @Test
    void timestampsAsEpochMillisIsoAndNabForm() {
        long t = 1404172800000L;
        assertEquals(t, event(KEYED, "a,1404172800000,1,2").ts);
        assertEquals(t, event(KEYED, "a,2014-07-01T00:00:00Z,1,2").ts);
        assertEquals(t, event(KEYED, "a,2014-07-01T01:00:00+01:00,1,2").ts);
        assertEquals(t, event(KEYED, "a,2014-07-01T00:00:00,1,2").ts, "no zone = UTC");
        assertEquals(t, event(KEYED, "a,2014-07-01 00:00:00,1,2").ts);
    }

    @Test
    void singleSeriesWithAFixedKeyOrTheSourceAsKey() {
        assertEquals(new SensorEvent("machine_temperature", 1404172800000L, 73.967f),
                event(NAB, "2014-07-01 00:00:00,73.967"));
        CsvRecordParser bySource = CsvRecordParser.singleSeriesKeyedBySource(1, 1024);
        assertEquals("realKnownCause/nyc_taxi.csv",
                bySource.parse("2014-07-01 00:00:00,10844", "realKnownCause/nyc_taxi.csv", -1, 2).event().key);
        DeadLetter d = bySource.parse("2014-07-01 00:00:00,10844", null, -1, 2).deadLetter();
        assertEquals(DeadLetter.MISSING_KEY, d.reason);
        assertTrue(d.detail.contains("source"), d.detail);
        CsvRecordParser twoValues = CsvRecordParser.singleSeries("s", 2, 1024);
        assertEquals(new SensorEvent("s", 5, 1f, 2f), event(twoValues, "5,1,2"));
        assertThrows(IllegalArgumentException.class, () -> CsvRecordParser.singleSeries(" ", 1, 100));
    }

    @Test
    void headersAreRecognisedSoAReaderCanSkipThem() {
        assertTrue(NAB.isHeader("timestamp,value"));
        assertTrue(NAB.isHeader("\uFEFF\"timestamp\",\"value\"\r\n"));
        assertTrue(KEYED.isHeader("key,ts,temperature,pressure"));
        assertFalse(NAB.isHeader("2014-07-01 00:00:00,73.9"));
        assertFalse(NAB.isHeader("yesterday,73.9"), "a bad timestamp with a number is a bad record, not a header");
        assertFalse(KEYED.isHeader("a,5,1,2"));
        assertFalse(KEYED.isHeader("a,\"unterminated"));
        assertFalse(KEYED.isHeader(null));
        // The parser itself dead-letters a header (it cannot know which line comes first).
        dead(NAB, "timestamp,value", DeadLetter.BAD_TS, "\"timestamp\"");
    }

    @Test
    void badCsv() {
        dead(KEYED, "no commas here", DeadLetter.BAD_CSV, "one column", "\"no commas here\"", "key,ts,v1,v2");
        dead(KEYED, "a,5,\"1,2", DeadLetter.BAD_CSV, "column 3", "never closed");
        dead(KEYED, "a,5,\"1\"x,2", DeadLetter.BAD_CSV, "column 3", "after its closing quote", "\"x,2\"");
        dead(KEYED, "a,5,1\"2,3", DeadLetter.BAD_CSV, "column 3", "quote inside");
        dead(KEYED, "a,5,1,2\nb,6,1,2", DeadLetter.BAD_CSV, "column 4", "line break");
        dead(KEYED, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_CSV, "column 1");
    }

    @Test
    void wrongValueCount() {
        dead(KEYED, "a,5,1", DeadLetter.WRONG_VALUE_COUNT, "3 columns (1 value)", "expected 4", "key,ts,v1,v2");
        dead(KEYED, "a,5,1,2,3", DeadLetter.WRONG_VALUE_COUNT, "5 columns (3 values)");
        dead(KEYED, "a,5,1,2,", DeadLetter.WRONG_VALUE_COUNT, "5 columns");
        dead(NAB, "2014-07-01 00:00:00,1,2", DeadLetter.WRONG_VALUE_COUNT, "3 columns (2 values)", "timestamp,v1");
        CsvRecordParser five = new CsvRecordParser(5, 100);
        dead(five, "a,5,1", DeadLetter.WRONG_VALUE_COUNT, "expected 7", "key,ts,v1,...,v5");
    }

    @Test
    void missingKeyAndTs() {
        dead(KEYED, ",5,1,2", DeadLetter.MISSING_KEY, "key (column 1)", "empty");
        dead(KEYED, "\" \",5,1,2", DeadLetter.MISSING_KEY, "key (column 1)");
        dead(KEYED, "a,,1,2", DeadLetter.MISSING_TS, "ts (column 2)", "empty");
        dead(NAB, ",1", DeadLetter.MISSING_TS, "ts (column 1)");
    }

    @Test
    void badTs() {
        dead(KEYED, "a,yesterday,1,2", DeadLetter.BAD_TS, "ts (column 2)", "\"yesterday\"", "ISO-8601");
        dead(KEYED, "a,2014-02-30 00:00:00,1,2", DeadLetter.BAD_TS, "\"2014-02-30 00:00:00\"");
        dead(KEYED, "a,1.5,1,2", DeadLetter.BAD_TS, "\"1.5\"");
        dead(KEYED, "a,99999999999999999999,1,2", DeadLetter.BAD_TS, "99999999999999999999");
    }

    @Test
    void keysOver1KiBOrNotUnicodeAndTimestampsOutsideTheYears1To9999() {
        CsvRecordParser roomy = new CsvRecordParser(2, 8192);
        String longest = "k".repeat(CsvRecordParser.MAX_KEY_BYTES);
        assertEquals(longest, event(roomy, longest + ",5,1,2").key);
        dead(roomy, longest + "k,5,1,2", DeadLetter.BAD_KEY, "key (column 1)", "1025 bytes", "limit of 1024");
        // text only: UTF-8 bytes cannot carry a lone surrogate, a String can
        DeadLetter d = KEYED.parse("a\uD800,5,1,2", "f", -1, 1).deadLetter();
        assertEquals(DeadLetter.BAD_KEY, d.reason);
        assertTrue(d.detail.contains("lone surrogate"), d.detail);

        assertEquals(CsvRecordParser.MAX_TS, event(KEYED, "a," + CsvRecordParser.MAX_TS + ",1,2").ts);
        assertEquals(CsvRecordParser.MIN_TS, event(NAB, "0001-01-01 00:00:00,1").ts);
        dead(KEYED, "a," + Long.MAX_VALUE + ",1,2", DeadLetter.BAD_TS, "ts (column 2)", "outside the years 1 to 9999");
        dead(KEYED, "a," + (CsvRecordParser.MIN_TS - 1) + ",1,2", DeadLetter.BAD_TS, "outside the years 1 to 9999");
        dead(NAB, "+10000-01-01T00:00:00Z,1", DeadLetter.BAD_TS, "ts (column 1)", "outside the years 1 to 9999");
    }

    @Test
    void badValue() {
        dead(KEYED, "a,5,1,abc", DeadLetter.BAD_VALUE, "v2 (column 4)", "\"abc\"", "not a number");
        dead(KEYED, "a,5,,2", DeadLetter.BAD_VALUE, "v1 (column 3)", "empty");
        dead(KEYED, "a,5,1,0x1p3", DeadLetter.BAD_VALUE, "v2 (column 4)", "\"0x1p3\"");
        dead(KEYED, "a,5,1f,2", DeadLetter.BAD_VALUE, "v1 (column 3)", "\"1f\"");
    }

    @Test
    void nonFiniteValues() {
        dead(KEYED, "a,5,NaN,2", DeadLetter.NON_FINITE_VALUE, "v1 (column 3)", "NaN");
        dead(KEYED, "a,5,1,-inf", DeadLetter.NON_FINITE_VALUE, "v2 (column 4)", "-inf");
        dead(KEYED, "a,5,1,Infinity", DeadLetter.NON_FINITE_VALUE, "v2 (column 4)", "Infinity");
        dead(KEYED, "a,5,1,1e39", DeadLetter.NON_FINITE_VALUE, "v2 (column 4)", "1e39", "float32");
        dead(NAB, "2014-07-01 00:00:00,1e400", DeadLetter.NON_FINITE_VALUE, "v1 (column 2)", "1e400");
    }

    @Test
    void emptyLines() {
        dead(KEYED, "", DeadLetter.EMPTY, "empty");
        dead(KEYED, "\r\n", DeadLetter.EMPTY, "blank");
    }

    @Test
    void sizeLimit() {
        CsvRecordParser p = new CsvRecordParser(1, 10);
        event(p, "abcd,123,1"); // 10 bytes
        DeadLetter d = p.parse("abcde,123,1".getBytes(StandardCharsets.UTF_8), "t", 0, 3).deadLetter();
        assertEquals(DeadLetter.TOO_LARGE, d.reason);
        assertTrue(d.detail.contains("11 bytes") && d.detail.contains("limit of 10"), d.detail);
        assertEquals("abcde,123,", d.raw);
        assertTrue(d.rawTruncated);
    }
}
