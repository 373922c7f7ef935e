package dev.lstmflink.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Header detection, timestamp forms and bad-row reasons of {@link RowParser}, one line at a time. */
class RowParserTest {

    private static final long JUL_1_2014 = 1_404_172_800_000L;   // 2014-07-01T00:00:00Z

    @Test
    void nabSingleSeries() {
        RowParser p = RowParser.forHeader("data/nab/nyc_taxi.csv", "timestamp,value");
        assertEquals(CsvLayout.Kind.SINGLE_SERIES, p.layout().kind());
        assertEquals(1, p.layout().featureCount());
        SeriesRow r = p.parse(2, "2014-07-01 00:30:00,8127").row();
        assertEquals("nyc_taxi", r.key());
        assertEquals(JUL_1_2014 + 30 * 60_000, r.tsMillis());
        assertArrayEquals(new float[] {8127f}, r.values());
    }

    @Test
    void multiKeyLayout() {
        RowParser p = RowParser.forHeader("m.csv", "key,ts,temp,load,fan");
        assertEquals(CsvLayout.Kind.MULTI_KEY, p.layout().kind());
        assertEquals(3, p.layout().featureCount());
        assertEquals(List.of("temp", "load", "fan"), p.layout().valueColumns());
        SeriesRow r = p.parse(2, " sensor-7 , 1404172800000 , 1.5, -2e-3 ,+.25").row();
        assertEquals("sensor-7", r.key());
        assertEquals(JUL_1_2014, r.tsMillis());
        assertArrayEquals(new float[] {1.5f, -0.002f, 0.25f}, r.values());
        assertEquals(1, RowParser.forHeader("m.csv", "KEY, TS ,v").layout().featureCount());
    }

    @Test
    void timestampForms() {
        RowParser p = RowParser.forHeader("a.csv", "key,ts,v");
        assertEquals(JUL_1_2014, ts(p, "1404172800000"));
        assertEquals(-1000L, ts(p, "-1000"));
        assertEquals(JUL_1_2014, ts(p, "2014-07-01T00:00:00Z"));
        assertEquals(JUL_1_2014, ts(p, "2014-07-01T00:00:00"), "no zone = UTC");
        assertEquals(JUL_1_2014, ts(p, "2014-07-01T02:00:00+02:00"));
        assertEquals(JUL_1_2014 + 250, ts(p, "2014-07-01T00:00:00.250Z"));
        assertEquals(JUL_1_2014 + 3_600_000 + 1000, ts(p, "2014-07-01 01:00:01"), "NAB form, UTC");
    }

    private static long ts(RowParser p, String cell) {
        return p.parse(2, "k," + cell + ",1").row().tsMillis();
    }

    @Test
    void badRowsNameColumnAndValue() {
        RowParser p = RowParser.forHeader("d/x.csv", "timestamp,value");
        assertBad(p, "2014-07-01 00:00:00,abc", "column 'value': not a number: \"abc\"", "column 'value': not a number");
        assertBad(p, "2014-07-01 00:00:00,NaN", "column 'value': not finite: \"NaN\"", "column 'value': not finite");
        assertBad(p, "2014-07-01 00:00:00,-Infinity", "column 'value': not finite: \"-Infinity\"", null);
        assertBad(p, "2014-07-01 00:00:00,1e39", "column 'value': out of float range: \"1e39\"", null);
        assertBad(p, "2014-07-01 00:00:00,1f", "column 'value': not a number: \"1f\"", null);
        assertBad(p, "2014-07-01 00:00:00,", "column 'value': empty", "column 'value': empty");
        assertBad(p, "2014-07-01 00:00:00,1,2",
                "wrong column count (expected 2: timestamp,value; got 3)", "wrong column count");
        assertBad(p, "5", "wrong column count (expected 2: timestamp,value; got 1)", "wrong column count");
        BadRow b = assertBad(p, "2014-13-01 00:00:00,5", null, "column 'timestamp': bad timestamp");
        assertTrue(b.reason().startsWith("column 'timestamp': bad timestamp: \"2014-13-01 00:00:00\" (expected "),
                b.reason());
        assertBad(p, "yesterday,5", null, "column 'timestamp': bad timestamp");
        assertBad(p, "99999999999999999999,5", null, "column 'timestamp': bad timestamp");
        RowParser m = RowParser.forHeader("m.csv", "key,ts,v");
        assertBad(m, " ,1,2", "column 'key': empty", null);
    }

    private static BadRow assertBad(RowParser p, String line, String reason, String category) {
        ParseResult r = p.parse(17, line);
        assertTrue(r.isBad(), line + " -> " + r);
        BadRow b = r.bad();
        assertEquals(17, b.line());
        assertEquals(p.file() + ":17", b.location());
        assertEquals(line, b.raw());
        if (reason != null) {
            assertEquals(reason, b.reason());
        }
        if (category != null) {
            assertEquals(category, b.category());
        }
        return b;
    }

    @Test
    void cellsMayBeQuotedAsInEveryCsvReaderOfTheProject() {
        RowParser p = RowParser.forHeader("q.csv", "\"key\", \"ts\" ,\"temp\"");
        assertEquals(List.of("key", "ts", "temp"), p.layout().columns());
        SeriesRow r = p.parse(2, "\"pump, \"\"north\"\"\",\"1404172800000\", \"1.5\" ").row();
        assertEquals("pump, \"north\"", r.key());
        assertArrayEquals(new float[] {1.5f}, r.values());
        assertBad(p, "\" \",1,2", "column 'key': empty", null);
        assertBad(p, "k,1,\" 2\"", "column 'temp': not a number: \" 2\"", "column 'temp': not a number");
        BadRow b = assertBad(p, "k,1,\"2", "column 'temp': opens a quote that is never closed (character 5)",
                "column 'temp': opens a quote that is never closed");
        assertTrue(b.toString().contains("q.csv:17"), b.toString());
        assertBad(p, "k,1,2,\"3", "column 4: opens a quote that is never closed (character 7)", null);
        DataException header = assertThrows(DataException.class, () -> RowParser.forHeader("h.csv", "key,\"ts"));
        assertTrue(header.getMessage().startsWith("h.csv:1: header 'key,\"ts' is not valid CSV: column 2 opens a "
                + "quote that is never closed"), header.getMessage());
    }

    @Test
    void blankLinesAreSkipped() {
        RowParser p = RowParser.forHeader("x.csv", "timestamp,value");
        assertTrue(p.parse(3, "").isBlank());
        assertTrue(p.parse(3, "   ").isBlank());
    }

    @Test
    void headerErrorsNameFileAndAcceptedForms() {
        DataException unknown = assertThrows(DataException.class, () -> RowParser.forHeader("f.csv", "time,val"));
        assertTrue(unknown.getMessage().startsWith("f.csv:1: unknown header 'time,val'; expected "), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("'timestamp,value'"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("'key,ts,v1,...,vk'"), unknown.getMessage());
        DataException empty = assertThrows(DataException.class, () -> RowParser.forHeader("e.csv", null));
        assertTrue(empty.getMessage().startsWith("e.csv: the file is empty"), empty.getMessage());
        DataException noValues = assertThrows(DataException.class, () -> RowParser.forHeader("k.csv", "key,ts"));
        assertTrue(noValues.getMessage().contains("has no value columns"), noValues.getMessage());
        assertThrows(DataException.class, () -> RowParser.forHeader("k.csv", "key,ts,a,a"));
        assertThrows(DataException.class, () -> RowParser.forHeader("k.csv", "key,ts,a,"));
        assertThrows(DataException.class, () -> RowParser.forHeader("k.csv", "2014-07-01 00:00:00,5"));
        assertThrows(DataException.class, () -> RowParser.forHeader("k.csv", "timestamp,value,extra"));
    }

    @Test
    void byteOrderMarkBeforeHeaderIsIgnored() {
        assertEquals(CsvLayout.Kind.SINGLE_SERIES, RowParser.forHeader("b.csv", "\uFEFFtimestamp,value").layout().kind());
    }

    @Test
    void keyOfFile() {
        assertEquals("nyc_taxi", RowParser.keyOfFile("file:/tmp/nab/nyc_taxi.csv"));
        assertEquals("a", RowParser.keyOfFile("C:\\data\\a.CSV"));
        assertEquals("noext", RowParser.keyOfFile("noext"));
        assertEquals(".csv", RowParser.keyOfFile(".csv"));
    }
}
