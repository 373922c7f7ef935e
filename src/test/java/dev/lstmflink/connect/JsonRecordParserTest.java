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

/** JSON records: every accepted form and every reason code, with details that name the field and the value. */
class JsonRecordParserTest {

    static final JsonRecordParser TWO = new JsonRecordParser(2, 1024);
    static final JsonRecordParser ONE = new JsonRecordParser(1, 1024);

    @Test
    void parsesAFullRecord() {
        SensorEvent e = event(TWO, "{\"key\":\"pump-7\",\"ts\":1404172800000,\"values\":[0.5,-1.25],\"reset\":true}");
        assertEquals(new SensorEvent("pump-7", 1404172800000L, true, 0.5f, -1.25f), e);
    }

    @Test
    void resetIsOptionalAndNullMeansAbsent() {
        assertFalse(event(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}").reset);
        assertFalse(event(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2],\"reset\":null}").reset);
        assertTrue(event(TWO, "{\"reset\":true,\"values\":[1,2],\"ts\":1,\"key\":\"a\"}").reset);
    }

    @Test
    void timestampsAsEpochMillisIsoWithZoneIsoWithoutZoneAndNabForm() {
        long t = 1404172800000L; // 2014-07-01T00:00:00Z
        assertEquals(t, tsOf("1404172800000"));
        assertEquals(t, tsOf("\"1404172800000\""));
        assertEquals(t, tsOf("\"2014-07-01T00:00:00Z\""));
        assertEquals(t, tsOf("\"2014-07-01T02:00:00+02:00\""));
        assertEquals(t + 250, tsOf("\"2014-07-01T00:00:00.250\""), "no zone = UTC");
        assertEquals(t, tsOf("\"2014-07-01 00:00:00\""));
        assertEquals(-1000, tsOf("-1000"));
    }

    private static long tsOf(String ts) {
        return event(TWO, "{\"key\":\"a\",\"ts\":" + ts + ",\"values\":[1,2]}").ts;
    }

    @Test
    void aSingleNumberIsAcceptedWhenTheModelTakesOneValue() {
        assertArrayEquals(new float[] {3.5f}, event(ONE, "{\"key\":\"a\",\"ts\":1,\"values\":3.5}").values);
        assertArrayEquals(new float[] {3.5f}, event(ONE, "{\"key\":\"a\",\"ts\":1,\"values\":[3.5]}").values);
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":3.5}", DeadLetter.WRONG_VALUE_COUNT, "values", "3.5", "2");
    }

    @Test
    void unknownFieldsAreIgnoredWhateverTheyHold() {
        SensorEvent e = event(TWO, "{\"unit\":\"C\",\"key\":\"a\",\"meta\":{\"x\":[1,{\"y\":null}],\"x\":2},"
                + "\"ts\":5,\"values\":[1,2],\"v\":\"NaN\"}");
        assertEquals(new SensorEvent("a", 5, 1f, 2f), e);
    }

    @Test
    void integersAndExponentsAreNumbers() {
        assertArrayEquals(new float[] {3f, 0.001f}, event(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[3,1e-3]}").values);
    }

    @Test
    void notJson() {
        dead(TWO, "hello", DeadLetter.NOT_JSON, "line 1 column");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]", DeadLetter.NOT_JSON, "not valid JSON");
        dead(TWO, "{\"key\":'a',\"ts\":1,\"values\":[1,2]}", DeadLetter.NOT_JSON, "column 8");
        dead(TWO, "[1,2]", DeadLetter.NOT_JSON, "expected a JSON object", "array");
        dead(TWO, "\"pump\"", DeadLetter.NOT_JSON, "expected a JSON object", "\"pump\"");
        dead(TWO, "42", DeadLetter.NOT_JSON, "the number 42");
    }

    @Test
    void trailingGarbageIsNotJson() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]} x", DeadLetter.NOT_JSON, "after the JSON object");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}{}", DeadLetter.NOT_JSON, "after the JSON object",
                "column 34");
        // Whitespace and a line end after the object are not garbage.
        event(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}  \r\n");
    }

    @Test
    void duplicateTopLevelFields() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2],\"key\":\"b\"}", DeadLetter.DUPLICATE_FIELD, "\"key\"",
                "twice");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2],\"x\":1,\"x\":1}", DeadLetter.DUPLICATE_FIELD, "\"x\"");
    }

    @Test
    void missingKey() {
        dead(TWO, "{\"ts\":1,\"values\":[1,2]}", DeadLetter.MISSING_KEY, "\"key\"", "missing");
        dead(TWO, "{\"key\":null,\"ts\":1,\"values\":[1,2]}", DeadLetter.MISSING_KEY, "\"key\"", "missing");
        dead(TWO, "{\"key\":\"  \",\"ts\":1,\"values\":[1,2]}", DeadLetter.MISSING_KEY, "\"key\"", "empty", "\"  \"");
    }

    @Test
    void badKey() {
        dead(TWO, "{\"key\":17,\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY, "\"key\"", "must be a string",
                "the number 17");
        dead(TWO, "{\"key\":[\"a\"],\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY, "\"key\"", "an array");
    }

    @Test
    void missingTs() {
        dead(TWO, "{\"key\":\"a\",\"values\":[1,2]}", DeadLetter.MISSING_TS, "\"ts\"", "missing");
        dead(TWO, "{\"key\":\"a\",\"ts\":null,\"values\":[1,2]}", DeadLetter.MISSING_TS, "\"ts\"");
    }

    @Test
    void badTs() {
        dead(TWO, "{\"key\":\"a\",\"ts\":\"yesterday\",\"values\":[1,2]}", DeadLetter.BAD_TS, "\"ts\"", "\"yesterday\"",
                "ISO-8601");
        dead(TWO, "{\"key\":\"a\",\"ts\":\"2014-13-01T00:00:00Z\",\"values\":[1,2]}", DeadLetter.BAD_TS,
                "\"2014-13-01T00:00:00Z\"");
        dead(TWO, "{\"key\":\"a\",\"ts\":1.5,\"values\":[1,2]}", DeadLetter.BAD_TS, "\"ts\"", "the number 1.5");
        dead(TWO, "{\"key\":\"a\",\"ts\":true,\"values\":[1,2]}", DeadLetter.BAD_TS, "\"ts\"", "true");
        dead(TWO, "{\"key\":\"a\",\"ts\":99999999999999999999,\"values\":[1,2]}", DeadLetter.BAD_TS,
                "99999999999999999999");
    }

    @Test
    void timestampsOutsideTheYears1To9999AreBadTs() {
        assertEquals(JsonRecordParser.MAX_TS, tsOf(String.valueOf(JsonRecordParser.MAX_TS)));
        assertEquals(JsonRecordParser.MAX_TS, tsOf("\"9999-12-31T23:59:59.999Z\""));
        assertEquals(JsonRecordParser.MIN_TS, tsOf(String.valueOf(JsonRecordParser.MIN_TS)));
        assertEquals(JsonRecordParser.MIN_TS, tsOf("\"0001-01-01T00:00:00Z\""));
        for (String ts : new String[] {String.valueOf(Long.MAX_VALUE), String.valueOf(Long.MIN_VALUE),
                String.valueOf(JsonRecordParser.MAX_TS + 1), String.valueOf(JsonRecordParser.MIN_TS - 1),
                "\"" + Long.MAX_VALUE + "\"", "\"+10000-01-01T00:00:00Z\"", "\"-0001-12-31T23:59:59Z\""}) {
            dead(TWO, "{\"key\":\"a\",\"ts\":" + ts + ",\"values\":[1,2]}", DeadLetter.BAD_TS, "\"ts\"",
                    "outside the years 1 to 9999");
        }
    }

    @Test
    void keysLongerThan1KiBOrNotValidUnicodeAreBadKey() {
        JsonRecordParser roomy = new JsonRecordParser(2, 8192);
        String longest = "k".repeat(JsonRecordParser.MAX_KEY_BYTES);
        assertEquals(longest, event(roomy, "{\"key\":\"" + longest + "\",\"ts\":1,\"values\":[1,2]}").key);
        dead(roomy, "{\"key\":\"" + longest + "k\",\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY, "\"key\"",
                "1025 bytes", "limit of 1024");
        // bytes, not characters: 513 two-byte characters are 1026 bytes
        dead(roomy, "{\"key\":\"" + "\u00e9".repeat(513) + "\",\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY,
                "1026 bytes");
        // a lone surrogate (written as an escape: UTF-8 bytes cannot hold one) cannot become a UTF-8 Kafka key
        dead(roomy, "{\"key\":\"a\\ud800\",\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY, "lone surrogate",
                "\\ud800", "character 1");
        dead(roomy, "{\"key\":\"\\udc00a\",\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY, "\\udc00");
        dead(roomy, "{\"key\":\"a\\ude80\\ud83d\",\"ts\":1,\"values\":[1,2]}", DeadLetter.BAD_KEY,
                "lone surrogate");
        assertEquals("a\uD83D\uDE80", event(roomy, "{\"key\":\"a\\ud83d\\ude80\",\"ts\":1,\"values\":[1,2]}").key,
                "a pair is one character");
    }

    @Test
    void aLeadingByteOrderMarkIsIgnored() {
        assertEquals(new SensorEvent("a", 1, 1f, 2f), event(TWO, "\uFEFF{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}"));
        assertEquals(new SensorEvent("a", 1, 1f, 2f),
                event(TWO, "\uFEFF \n{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}"));
        dead(TWO, "\uFEFF\uFEFF{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}", DeadLetter.NOT_JSON);
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}\uFEFF", DeadLetter.NOT_JSON, "after the JSON object");
        dead(TWO, "\uFEFF", DeadLetter.NOT_JSON, "found nothing");
    }

    @Test
    void missingValues() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1}", DeadLetter.MISSING_VALUES, "\"values\"", "missing");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":null}", DeadLetter.MISSING_VALUES, "\"values\"");
    }

    @Test
    void wrongValueCount() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2,3]}", DeadLetter.WRONG_VALUE_COUNT, "\"values\"",
                "has 3 values", "expects 2");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[]}", DeadLetter.WRONG_VALUE_COUNT, "has 0 values");
        dead(ONE, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2]}", DeadLetter.WRONG_VALUE_COUNT, "has 2", "expects 1");
    }

    @Test
    void badValue() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,\"2\"]}", DeadLetter.BAD_VALUE, "values[1]", "\"2\"");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[null,2]}", DeadLetter.BAD_VALUE, "values[0]", "null");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":\"1,2\"}", DeadLetter.BAD_VALUE, "\"values\"", "\"1,2\"");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,[2]]}", DeadLetter.BAD_VALUE, "values[1]", "an array");
    }

    @Test
    void nonFiniteValues() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,NaN]}", DeadLetter.NON_FINITE_VALUE, "values[1]", "NaN");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[-Infinity,1]}", DeadLetter.NON_FINITE_VALUE, "values[0]",
                "Infinity");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,1e39]}", DeadLetter.NON_FINITE_VALUE, "values[1]", "1.0E39",
                "float32");
        dead(ONE, "{\"key\":\"a\",\"ts\":1,\"values\":NaN}", DeadLetter.NON_FINITE_VALUE, "\"values\"", "NaN");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,1e400]}", DeadLetter.NON_FINITE_VALUE, "values[1]");
    }

    @Test
    void badReset() {
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2],\"reset\":\"yes\"}", DeadLetter.BAD_RESET, "\"reset\"",
                "\"yes\"");
        dead(TWO, "{\"key\":\"a\",\"ts\":1,\"values\":[1,2],\"reset\":1}", DeadLetter.BAD_RESET, "the number 1");
    }

    @Test
    void emptyRecords() {
        dead(TWO, "", DeadLetter.EMPTY, "empty");
        dead(TWO, " \n", DeadLetter.EMPTY, "blank");
        DeadLetter tombstone = TWO.parse((byte[]) null, "topic", 1, 5).deadLetter();
        assertEquals(DeadLetter.EMPTY, tombstone.reason);
        assertEquals("", tombstone.raw);
        assertEquals(5, tombstone.offset);
        assertEquals(DeadLetter.EMPTY, TWO.parse((String) null, "f", -1, 3).deadLetter().reason);
    }

    @Test
    void theFirstProblemIsReportedInFieldOrder() {
        // key before ts before values before reset, whatever the order in the record.
        dead(TWO, "{\"reset\":1,\"values\":[],\"ts\":\"x\",\"key\":5}", DeadLetter.BAD_KEY);
        dead(TWO, "{\"reset\":1,\"values\":[],\"ts\":\"x\",\"key\":\"a\"}", DeadLetter.BAD_TS);
        dead(TWO, "{\"reset\":1,\"values\":[],\"ts\":1,\"key\":\"a\"}", DeadLetter.WRONG_VALUE_COUNT);
    }

    @Test
    void sizeLimitIsOnTheRawBytesBeforeParsing() {
        JsonRecordParser p = new JsonRecordParser(1, 40);
        String fits = "{\"key\":\"ab\",\"ts\":1,\"values\":[1.5]}";
        String ok40 = "{\"key\":\"abcdefgh\",\"ts\":1,\"values\":[1.5]}";
        assertEquals(40, ok40.getBytes(StandardCharsets.UTF_8).length);
        event(p, fits);
        event(p, ok40);
        // 40 characters but 41 bytes ("é" is two): the limit counts bytes, not characters.
        String over = "{\"key\":\"abcdefgé\",\"ts\":1,\"values\":[1.5]}";
        assertEquals(40, over.length());
        for (Parsed r : new Parsed[] {p.parse(over, "f", -1, 1), p.parse(over.getBytes(StandardCharsets.UTF_8), "t", 0, 1)}) {
            DeadLetter d = r.deadLetter();
            assertEquals(DeadLetter.TOO_LARGE, d.reason);
            assertTrue(d.detail.contains("41 bytes") && d.detail.contains("limit of 40"), d.detail);
            assertTrue(d.rawTruncated);
            assertTrue(over.startsWith(d.raw) && d.raw.length() < over.length(), d.raw);
        }
        // Not even valid JSON gets past the limit: size is checked first.
        String garbage = "x".repeat(41);
        assertEquals(DeadLetter.TOO_LARGE, p.parse(garbage, "f", -1, 1).deadLetter().reason);
    }

    @Test
    void invalidUtf8IsKeptAsBase64() {
        byte[] bytes = {'{', '"', 'k', (byte) 0xC3, (byte) 0x28, '"', '}'};
        DeadLetter d = TWO.parse(bytes, "topic", 0, 12).deadLetter();
        assertEquals(DeadLetter.NOT_UTF8, d.reason);
        assertEquals(DeadLetter.ENCODING_BASE64, d.rawEncoding);
        assertArrayEquals(bytes, d.rawBytes());
        assertTrue(d.detail.contains("base64") && d.detail.contains("7 bytes"), d.detail);
    }

    @Test
    void badArgumentsFailAtConstruction() {
        assertThrows(IllegalArgumentException.class, () -> new JsonRecordParser(0, 100));
        assertThrows(IllegalArgumentException.class, () -> new JsonRecordParser(1, 0));
    }
}
