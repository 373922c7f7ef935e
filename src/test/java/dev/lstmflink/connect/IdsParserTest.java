package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.record.SensorEvent;
import org.junit.jupiter.api.Test;

/**
 * Categorical ids in records (issue 7, item 4), through the JSON and CSV parsers: the forms each accepts, and each bad
 * form as a {@link DeadLetter#BAD_ID} dead letter whose detail names the field and the value.
 */
class IdsParserTest {

    /** Two values and two ids in [0, 10). */
    static final EventShape TWO_TWO = new EventShape(2, 2, 10);
    static final JsonRecordParser JSON = new JsonRecordParser(TWO_TWO, 4096);
    static final JsonRecordParser JSON_ONE_ID = new JsonRecordParser(new EventShape(1, 1, 10), 4096);
    static final JsonRecordParser JSON_IDS_ONLY = new JsonRecordParser(new EventShape(0, 1, 10), 4096);
    static final JsonRecordParser JSON_NO_EMBEDDING = new JsonRecordParser(2, 4096);
    static final CsvRecordParser CSV = new CsvRecordParser(TWO_TWO, 4096);

    static SensorEvent ok(RecordParser p, String record) {
        Parsed r = p.parse(record, "f", -1, 1);
        assertTrue(r.isOk(), () -> record + " gave " + r);
        return r.event();
    }

    static void dead(RecordParser p, String record, String reason, String... inDetail) {
        Parsed r = p.parse(record, "f", -1, 1);
        assertTrue(!r.isOk(), () -> record + " gave " + r);
        assertEquals(reason, r.deadLetter().reason, () -> record + ": " + r.deadLetter());
        for (String s : inDetail) {
            assertTrue(r.deadLetter().detail.contains(s), () -> record + ": \"" + s + "\" not in "
                    + r.deadLetter().detail);
        }
        assertEquals(record, r.deadLetter().raw);
    }

    static String json(String ids) {
        return "{\"key\":\"a\",\"ts\":1,\"values\":[0.5,1],\"ids\":" + ids + "}";
    }

    @Test
    void jsonIdsAsAnArrayOrABareIntegerForOneId() {
        SensorEvent e = ok(JSON, json("[3, 0]"));
        assertArrayEquals(new int[] {3, 0}, e.ids);
        assertArrayEquals(new float[] {0.5f, 1f}, e.values);
        assertArrayEquals(new int[] {9, 0}, ok(JSON, json("[9, 0]")).ids, "the largest id, N - 1");
        assertArrayEquals(new int[] {7}, ok(JSON_ONE_ID, "{\"key\":\"a\",\"ts\":1,\"values\":0.5,\"ids\":7}").ids);
        assertArrayEquals(new int[] {7}, ok(JSON_ONE_ID, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5],\"ids\":[7]}").ids);
        assertArrayEquals(new int[] {-0}, ok(JSON_ONE_ID, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5],\"ids\":-0}").ids);
        // ids only: values may be absent, null or []
        for (String values : new String[] {"", ",\"values\":null", ",\"values\":[]"}) {
            SensorEvent only = ok(JSON_IDS_ONLY, "{\"key\":\"a\",\"ts\":1" + values + ",\"ids\":[4]}");
            assertEquals(0, only.values.length);
            assertArrayEquals(new int[] {4}, only.ids);
        }
        // a model without an embedding: ids absent, null or [] are no ids
        for (String ids : new String[] {"", ",\"ids\":null", ",\"ids\":[]"}) {
            assertNull(ok(JSON_NO_EMBEDDING, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5,1]" + ids + "}").ids);
        }
    }

    @Test
    void everyBadJsonIdIsABadIdNamingTheFieldAndTheValue() {
        dead(JSON, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5,1]}", DeadLetter.BAD_ID, "field \"ids\" is missing",
                "2 integer ids");
        dead(JSON, json("null"), DeadLetter.BAD_ID, "field \"ids\" is missing");
        dead(JSON, json("[3]"), DeadLetter.BAD_ID, "field \"ids\" has 1 id", "embeds 2");
        dead(JSON, json("[3,4,5]"), DeadLetter.BAD_ID, "has 3 ids");
        dead(JSON, json("3"), DeadLetter.BAD_ID, "the number 3", "array of 2 integer ids");
        dead(JSON, json("[3.5,1]"), DeadLetter.BAD_ID, "ids[0]", "the number 3.5");
        dead(JSON, json("[3,1.0]"), DeadLetter.BAD_ID, "ids[1]", "the number 1.0");
        dead(JSON, json("[1e2,1]"), DeadLetter.BAD_ID, "ids[0]", "the number 100.0");
        dead(JSON, json("[\"3\",1]"), DeadLetter.BAD_ID, "ids[0]", "the string \"3\"");
        dead(JSON, json("[null,1]"), DeadLetter.BAD_ID, "ids[0]", "null");
        dead(JSON, json("[[1],1]"), DeadLetter.BAD_ID, "ids[0]", "an array");
        dead(JSON, json("[true,1]"), DeadLetter.BAD_ID, "ids[0]", "true");
        dead(JSON, json("{\"a\":1}"), DeadLetter.BAD_ID, "an object");
        dead(JSON, json("\"3,1\""), DeadLetter.BAD_ID, "the string");
        dead(JSON, json("[-1,1]"), DeadLetter.BAD_ID, "ids[0] is -1, a negative id");
        dead(JSON, json("[1,10]"), DeadLetter.BAD_ID, "ids[1] is 10, outside [0, num_embeddings = 10)");
        dead(JSON, json("[2147483648,1]"), DeadLetter.BAD_ID, "ids[0] is 2147483648, outside [0, num_embeddings");
        dead(JSON, json("[99999999999999999999999,1]"), DeadLetter.BAD_ID,
                "ids[0] is 99999999999999999999999, outside");
        dead(JSON, json("[-99999999999999999999999,1]"), DeadLetter.BAD_ID, "a negative id");
        dead(JSON_ONE_ID, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5],\"ids\":2.5}", DeadLetter.BAD_ID,
                "field \"ids\"", "the number 2.5");
        dead(JSON_NO_EMBEDDING, json("[3]"), DeadLetter.BAD_ID, "field \"ids\" is an array of 1",
                "no embedding");
        dead(JSON_NO_EMBEDDING, json("3"), DeadLetter.BAD_ID, "no embedding");
        // the documented order: values are checked before ids
        dead(JSON, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5],\"ids\":[1,99]}", DeadLetter.WRONG_VALUE_COUNT);
        dead(JSON, "{\"key\":\"a\",\"ts\":1,\"values\":[0.5,1],\"ids\":[1,2],\"ids\":[1,2]}",
                DeadLetter.DUPLICATE_FIELD, "\"ids\"");
    }

    @Test
    void withoutTheTableSizeTheParserChecksOnlyThatIdsAreNotNegative() {
        JsonRecordParser p = new JsonRecordParser(new EventShape(2, 2, 0), 4096);
        assertArrayEquals(new int[] {5000, Integer.MAX_VALUE}, ok(p, json("[5000,2147483647]")).ids);
        dead(p, json("[5000,2147483648]"), DeadLetter.BAD_ID, "ids[1] is 2147483648, beyond the largest id");
        dead(p, json("[-3,1]"), DeadLetter.BAD_ID, "negative");
    }

    @Test
    void csvIdsFollowTheValues() {
        assertEquals(6, CSV.columns());
        SensorEvent e = ok(CSV, "pump-7,1000,0.5,-1,3,0");
        assertArrayEquals(new float[] {0.5f, -1f}, e.values);
        assertArrayEquals(new int[] {3, 0}, e.ids);
        assertArrayEquals(new int[] {9, 1}, ok(CSV, "k,1000,1,2,+9,\"1\"").ids);
        SensorEvent single = ok(CsvRecordParser.singleSeries("s", new EventShape(1, 1, 10), 4096), "2024-01-01 00:00:00,2.5,4");
        assertEquals("s", single.key);
        assertArrayEquals(new int[] {4}, single.ids);
        SensorEvent idsOnly = ok(new CsvRecordParser(new EventShape(0, 2, 10), 4096), "k,5,1,2");
        assertEquals(0, idsOnly.values.length);
        assertArrayEquals(new int[] {1, 2}, idsOnly.ids);
        assertNull(ok(new CsvRecordParser(2, 4096), "k,5,1,2").ids, "no embedding: no ids");
        assertTrue(CSV.isHeader("key,ts,temperature,pressure,site,mode"));
    }

    @Test
    void everyBadCsvIdIsABadIdNamingTheColumnAndTheValue() {
        dead(CSV, "k,1,0.5,1,3.5,0", DeadLetter.BAD_ID, "id1 (column 5)", "\"3.5\"", "not an integer");
        dead(CSV, "k,1,0.5,1,3,2.0", DeadLetter.BAD_ID, "id2 (column 6)", "\"2.0\"");
        dead(CSV, "k,1,0.5,1,1e2,0", DeadLetter.BAD_ID, "id1 (column 5)");
        dead(CSV, "k,1,0.5,1,,0", DeadLetter.BAD_ID, "id1 (column 5) is empty");
        dead(CSV, "k,1,0.5,1,abc,0", DeadLetter.BAD_ID, "\"abc\"");
        dead(CSV, "k,1,0.5,1,-1,0", DeadLetter.BAD_ID, "id1 (column 5) is -1, a negative id");
        dead(CSV, "k,1,0.5,1,3,10", DeadLetter.BAD_ID, "id2 (column 6) is 10, outside [0, num_embeddings = 10)");
        dead(CSV, "k,1,0.5,1,3,99999999999999999999", DeadLetter.BAD_ID, "id2 (column 6) is 99999999999999999999");
        dead(CSV, "k,1,0.5,1,3", DeadLetter.WRONG_VALUE_COUNT, "5 columns", "expected 6: key,ts,v1,v2,id1,id2");
        dead(CSV, "k,1,0.5,1,3,4,5", DeadLetter.WRONG_VALUE_COUNT, "expected 6");
    }

    @Test
    void anEventShapeNeedsSomethingToCarryAndATableOnlyWithIds() {
        assertThrows(IllegalArgumentException.class, () -> new EventShape(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new EventShape(2, 0, 5));
        assertThrows(IllegalArgumentException.class, () -> new EventShape(2, 1, -1));
        assertEquals("2 values and 1 id in [0, 10)", new EventShape(2, 1, 10).toString());
    }
}
