package dev.lstmflink.connect;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The hostile-input corpus: malformed record values of many kinds, each with the dead-letter reason it deserves, and
 * odd records that are nevertheless valid and must be scored. One table for {@link HostileRecordsTest} (each kind
 * through the JSON parser directly) and {@code connect.kafka.HostileInputITCase} (each kind through a real broker and
 * the Kafka-mode job graph).
 *
 * <p>Decisions the table records:
 * <ul>
 *   <li>a JSON object naming a top-level field twice is {@link DeadLetter#DUPLICATE_FIELD}, whichever field it is:
 *       RFC 8259 leaves the meaning of duplicate names undefined and parsers disagree (Jackson keeps the last, others
 *       the first or refuse), so the producer and the job could read two different events from one record; a
 *       duplicate inside an unknown field is not ours to judge and is ignored with the field;
 *   <li>a UTF-8 byte-order mark before the object is ignored (RFC 8259 section 8.1 allows it;
 *       {@link dev.lstmflink.csv.CsvCells} drops it too), so records from tools that write one are scored;
 *   <li>a number longer than Jackson's 1,000-character limit is {@link DeadLetter#NOT_JSON} (the limit guards against
 *       the quadratic cost of parsing huge decimals), a number that parses to an infinity
 *       {@link DeadLetter#NON_FINITE_VALUE};
 *   <li>timestamps outside the years 1 to 9999 are {@link DeadLetter#BAD_TS}; a key that is not valid Unicode (a lone
 *       surrogate) or longer than {@link JsonRecordParser#MAX_KEY_BYTES} is {@link DeadLetter#BAD_KEY};
 *   <li>ids sent to a model without an embedding are {@link DeadLetter#BAD_ID} rather than ignored as an unknown
 *       field: they mean the producer and the model disagree about what an event is.
 * </ul>
 */
public final class HostileRecords {

    /** The model's input size the corpus is written for. */
    public static final int VALUES = 2;
    /** The parser's record limit the corpus is written for ({@code input.max_record_bytes}). */
    public static final int MAX_RECORD_BYTES = 512 * 1024;
    /** The size of the biggest records, far over the limit. */
    public static final int HUGE = 10 * 1024 * 1024;
    /** A timestamp for records whose timestamp does not matter. */
    public static final long TS = 1_700_000_000_000L;

    private HostileRecords() {}

    /**
     * One kind of record.
     *
     * @param name   short, unique
     * @param value  the Kafka record value; null for a tombstone
     * @param reason the dead-letter reason it deserves, or null when it is valid and must be scored
     */
    public record Kind(String name, byte[] value, String reason) {

        public boolean valid() {
            return reason == null;
        }

        @Override
        public String toString() {
            return name + " (" + (value == null ? "null" : value.length + " bytes") + " -> "
                    + (reason == null ? "scored" : reason) + ")";
        }
    }

    /** Every malformed kind, with the reason it deserves. */
    public static List<Kind> malformed() {
        List<Kind> k = new ArrayList<>();
        String ts = String.valueOf(TS);
        String ok = record("k1", ts, "[0.5,0.25]");
        // ---- not one JSON object
        k.add(text("truncated-object", "{\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,", DeadLetter.NOT_JSON));
        k.add(text("plain-text", "hello, world", DeadLetter.NOT_JSON));
        k.add(text("csv-in-json-topic", "k1," + ts + ",0.5,0.25", DeadLetter.NOT_JSON));
        k.add(text("xml", "<event key=\"k1\" ts=\"" + ts + "\"><v>0.5</v></event>", DeadLetter.NOT_JSON));
        k.add(text("top-level-array", "[" + ok + "]", DeadLetter.NOT_JSON));
        k.add(text("top-level-string", "\"k1\"", DeadLetter.NOT_JSON));
        k.add(text("top-level-number", "42", DeadLetter.NOT_JSON));
        k.add(text("top-level-null", "null", DeadLetter.NOT_JSON));
        k.add(text("two-objects", ok + ok, DeadLetter.NOT_JSON));
        k.add(text("trailing-garbage", ok + ";", DeadLetter.NOT_JSON));
        k.add(text("single-quotes", "{'key':'k1','ts':" + ts + ",'values':[0.5,0.25]}", DeadLetter.NOT_JSON));
        k.add(text("comment", "{/* c */\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,0.25]}", DeadLetter.NOT_JSON));
        k.add(text("leading-zeros", record("k1", "0" + ts, "[0.5,0.25]"), DeadLetter.NOT_JSON));
        k.add(text("hex-number", record("k1", ts, "[0x10,0.25]"), DeadLetter.NOT_JSON));
        k.add(text("missing-comma", "{\"key\":\"k1\" \"ts\":" + ts + ",\"values\":[0.5,0.25]}", DeadLetter.NOT_JSON));
        k.add(text("number-of-5000-digits", record("k1", ts, "[1" + "0".repeat(5000) + ",0.25]"),
                DeadLetter.NOT_JSON));
        k.add(text("deep-array-nesting-100000", withExtra("[".repeat(100_000) + "]".repeat(100_000)),
                DeadLetter.NOT_JSON));
        k.add(text("deep-object-nesting-50000", withExtra("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000)),
                DeadLetter.NOT_JSON));
        k.add(text("deep-nesting-in-values", record("k1", ts, "[".repeat(5000) + "]".repeat(5000)),
                DeadLetter.NOT_JSON));
        k.add(text("raw-control-char-in-string", "{\"key\":\"k\u0001\",\"ts\":" + ts + ",\"values\":[0.5,0.25]}",
                DeadLetter.NOT_JSON));
        k.add(text("nul-between-tokens", "{\"key\":\"k1\",\u0000\"ts\":" + ts + ",\"values\":[0.5,0.25]}",
                DeadLetter.NOT_JSON));
        k.add(text("400k-control-chars", "\u0001".repeat(400_000), DeadLetter.NOT_JSON));
        k.add(bytes("utf16be-without-bom", ok.getBytes(StandardCharsets.UTF_16BE), DeadLetter.NOT_JSON));
        // ---- size
        k.add(bytes("10mb-json", padded(HUGE, "k1", ts), DeadLetter.TOO_LARGE));
        k.add(bytes("10mb-binary", randomBytes(HUGE, 1), DeadLetter.TOO_LARGE));
        k.add(text("10mb-control-chars", "\u0001".repeat(HUGE), DeadLetter.TOO_LARGE));
        k.add(text("10mb-quotes", "\"".repeat(HUGE), DeadLetter.TOO_LARGE));
        k.add(text("10mb-nesting", "[".repeat(HUGE / 2) + "]".repeat(HUGE / 2), DeadLetter.TOO_LARGE));
        k.add(bytes("one-byte-over-the-limit", padded(MAX_RECORD_BYTES + 1, "k1", ts), DeadLetter.TOO_LARGE));
        // ---- encoding
        k.add(bytes("utf8-lone-continuation-byte", inKey(new byte[] {(byte) 0x80}), DeadLetter.NOT_UTF8));
        k.add(bytes("utf8-overlong-slash", inKey(new byte[] {(byte) 0xC0, (byte) 0xAF}), DeadLetter.NOT_UTF8));
        k.add(bytes("utf8-encoded-surrogate", inKey(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                DeadLetter.NOT_UTF8));
        k.add(bytes("utf8-five-byte-form", inKey(new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80,
                (byte) 0x80}), DeadLetter.NOT_UTF8));
        k.add(bytes("utf8-cut-at-the-end", concat(utf8(ok), new byte[] {(byte) 0xE2, (byte) 0x82}),
                DeadLetter.NOT_UTF8));
        k.add(bytes("latin1", inKey(new byte[] {'c', 'a', 'f', (byte) 0xE9}), DeadLetter.NOT_UTF8));
        k.add(bytes("utf16le-with-bom", concat(new byte[] {(byte) 0xFF, (byte) 0xFE},
                ok.getBytes(StandardCharsets.UTF_16LE)), DeadLetter.NOT_UTF8));
        k.add(bytes("random-binary", randomBytes(300, 2), DeadLetter.NOT_UTF8));
        // ---- empty
        k.add(bytes("tombstone", null, DeadLetter.EMPTY));
        k.add(bytes("zero-bytes", new byte[0], DeadLetter.EMPTY));
        k.add(text("whitespace-only", " \n\t\r ", DeadLetter.EMPTY));
        // ---- duplicate fields
        k.add(text("duplicate-key", "{\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,0.25],\"key\":\"k2\"}",
                DeadLetter.DUPLICATE_FIELD));
        k.add(text("duplicate-ts", "{\"key\":\"k1\",\"ts\":" + ts + ",\"ts\":1,\"values\":[0.5,0.25]}",
                DeadLetter.DUPLICATE_FIELD));
        k.add(text("duplicate-values", "{\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,0.25],\"values\":[1,2]}",
                DeadLetter.DUPLICATE_FIELD));
        k.add(text("duplicate-unknown-field", "{\"x\":1,\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,0.25],\"x\":2}",
                DeadLetter.DUPLICATE_FIELD));
        // ---- key
        k.add(text("no-key", "{\"ts\":" + ts + ",\"values\":[0.5,0.25]}", DeadLetter.MISSING_KEY));
        k.add(text("null-key", "{\"key\":null,\"ts\":" + ts + ",\"values\":[0.5,0.25]}", DeadLetter.MISSING_KEY));
        k.add(text("empty-key", record("", ts, "[0.5,0.25]"), DeadLetter.MISSING_KEY));
        k.add(text("blank-key", record(" \\t", ts, "[0.5,0.25]"), DeadLetter.MISSING_KEY));
        k.add(text("number-key", "{\"key\":17,\"ts\":" + ts + ",\"values\":[0.5,0.25]}", DeadLetter.BAD_KEY));
        k.add(text("object-key", "{\"key\":{\"id\":1},\"ts\":" + ts + ",\"values\":[0.5,0.25]}", DeadLetter.BAD_KEY));
        k.add(text("lone-surrogate-key", record("k\\ud800", ts, "[0.5,0.25]"), DeadLetter.BAD_KEY));
        k.add(text("key-one-byte-too-long", record("k".repeat(JsonRecordParser.MAX_KEY_BYTES + 1), ts, "[0.5,0.25]"),
                DeadLetter.BAD_KEY));
        k.add(text("key-filling-the-record", new String(keyFilling(MAX_RECORD_BYTES, ts), StandardCharsets.UTF_8),
                DeadLetter.BAD_KEY));
        // ---- ts
        k.add(text("no-ts", "{\"key\":\"k1\",\"values\":[0.5,0.25]}", DeadLetter.MISSING_TS));
        k.add(text("null-ts", record("k1", "null", "[0.5,0.25]"), DeadLetter.MISSING_TS));
        k.add(text("text-ts", record("k1", "\"yesterday\"", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("fractional-ts", record("k1", ts + ".5", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("exponent-ts", record("k1", "1.7e12", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("boolean-ts", record("k1", "true", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("nan-ts", record("k1", "NaN", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("ts-beyond-long", record("k1", "99999999999999999999", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("ts-long-max-far-future", record("k1", String.valueOf(Long.MAX_VALUE), "[0.5,0.25]"),
                DeadLetter.BAD_TS));
        k.add(text("ts-long-min-far-past", record("k1", String.valueOf(Long.MIN_VALUE), "[0.5,0.25]"),
                DeadLetter.BAD_TS));
        k.add(text("ts-one-ms-after-year-9999", record("k1", String.valueOf(JsonRecordParser.MAX_TS + 1),
                "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("ts-one-ms-before-year-1", record("k1", String.valueOf(JsonRecordParser.MIN_TS - 1),
                "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("ts-year-10000", record("k1", "\"+10000-01-01T00:00:00Z\"", "[0.5,0.25]"), DeadLetter.BAD_TS));
        k.add(text("ts-year-999999999", record("k1", "\"+999999999-12-31T23:59:59Z\"", "[0.5,0.25]"),
                DeadLetter.BAD_TS));
        k.add(text("ts-year-minus-999999999", record("k1", "\"-999999999-01-01T00:00:00Z\"", "[0.5,0.25]"),
                DeadLetter.BAD_TS));
        k.add(text("ts-quoted-digits-beyond-long", record("k1", "\"99999999999999999999\"", "[0.5,0.25]"),
                DeadLetter.BAD_TS));
        k.add(text("ts-month-13", record("k1", "\"2023-13-01T00:00:00Z\"", "[0.5,0.25]"), DeadLetter.BAD_TS));
        // ---- values
        k.add(text("no-values", "{\"key\":\"k1\",\"ts\":" + ts + "}", DeadLetter.MISSING_VALUES));
        k.add(text("null-values", record("k1", ts, "null"), DeadLetter.MISSING_VALUES));
        k.add(text("empty-values", record("k1", ts, "[]"), DeadLetter.WRONG_VALUE_COUNT));
        k.add(text("one-value", record("k1", ts, "[0.5]"), DeadLetter.WRONG_VALUE_COUNT));
        k.add(text("bare-number-values", record("k1", ts, "0.5"), DeadLetter.WRONG_VALUE_COUNT));
        k.add(text("100000-values", record("k1", ts, "[" + "0.5,".repeat(99_999) + "0.5]"),
                DeadLetter.WRONG_VALUE_COUNT));
        k.add(text("values-as-string", record("k1", ts, "\"0.5,0.25\""), DeadLetter.BAD_VALUE));
        k.add(text("values-of-strings", record("k1", ts, "[\"0.5\",\"0.25\"]"), DeadLetter.BAD_VALUE));
        k.add(text("null-value", record("k1", ts, "[null,0.25]"), DeadLetter.BAD_VALUE));
        k.add(text("nested-values", record("k1", ts, "[[0.5],[0.25]]"), DeadLetter.BAD_VALUE));
        k.add(text("boolean-values", record("k1", ts, "[true,false]"), DeadLetter.BAD_VALUE));
        k.add(text("object-values", record("k1", ts, "{\"a\":0.5,\"b\":0.25}"), DeadLetter.BAD_VALUE));
        k.add(text("nan-value", record("k1", ts, "[NaN,0.25]"), DeadLetter.NON_FINITE_VALUE));
        k.add(text("infinity-value", record("k1", ts, "[0.5,Infinity]"), DeadLetter.NON_FINITE_VALUE));
        k.add(text("minus-infinity-value", record("k1", ts, "[-Infinity,0.25]"), DeadLetter.NON_FINITE_VALUE));
        k.add(text("1e309-value", record("k1", ts, "[1e309,0.25]"), DeadLetter.NON_FINITE_VALUE));
        k.add(text("1e999999999-value", record("k1", ts, "[0.5,1e999999999]"), DeadLetter.NON_FINITE_VALUE));
        k.add(text("float32-overflow-value", record("k1", ts, "[3.5e38,0.25]"), DeadLetter.NON_FINITE_VALUE));
        k.add(text("negative-float32-overflow-value", record("k1", ts, "[0.5,-1e39]"), DeadLetter.NON_FINITE_VALUE));
        // ---- ids, sent to this model, which has no embedding
        k.add(text("ids-for-a-model-without-embedding", "{\"key\":\"k1\",\"ts\":" + ts
                + ",\"values\":[0.5,0.25],\"ids\":[3]}", DeadLetter.BAD_ID));
        k.add(text("bare-id-for-a-model-without-embedding", "{\"key\":\"k1\",\"ts\":" + ts
                + ",\"values\":[0.5,0.25],\"ids\":3}", DeadLetter.BAD_ID));
        // ---- reset
        k.add(text("text-reset", "{\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,0.25],\"reset\":\"yes\"}",
                DeadLetter.BAD_RESET));
        k.add(text("number-reset", "{\"key\":\"k1\",\"ts\":" + ts + ",\"values\":[0.5,0.25],\"reset\":1}",
                DeadLetter.BAD_RESET));
        checkNamesUnique(k);
        return k;
    }

    /** The ids per record of {@link #malformedIds()}: a model embedding {@code IDS} ids of {@code NUM_EMBEDDINGS}. */
    public static final int IDS = 2;
    /** The embedding table's rows {@link #malformedIds()} is written for. */
    public static final int NUM_EMBEDDINGS = 10;

    /**
     * Malformed ids for a model with an embedding ({@link #VALUES} values, {@link #IDS} ids in
     * {@code [0, NUM_EMBEDDINGS)}), each {@link DeadLetter#BAD_ID}: ids are row indices, so a float, even a whole one,
     * is refused rather than rounded.
     */
    public static List<Kind> malformedIds() {
        List<Kind> k = new ArrayList<>();
        String ts = String.valueOf(TS);
        k.add(text("no-ids", record("k1", ts, "[0.5,0.25]"), DeadLetter.BAD_ID));
        k.add(text("null-ids", withIds("null"), DeadLetter.BAD_ID));
        k.add(text("one-id", withIds("[1]"), DeadLetter.BAD_ID));
        k.add(text("bare-id", withIds("1"), DeadLetter.BAD_ID));
        k.add(text("100000-ids", withIds("[" + "1,".repeat(99_999) + "1]"), DeadLetter.BAD_ID));
        k.add(text("fraction-id", withIds("[3.5,1]"), DeadLetter.BAD_ID));
        k.add(text("whole-float-id", withIds("[3.0,1]"), DeadLetter.BAD_ID));
        k.add(text("exponent-id", withIds("[1,1e1]"), DeadLetter.BAD_ID));
        k.add(text("string-id", withIds("[\"3\",1]"), DeadLetter.BAD_ID));
        k.add(text("null-id", withIds("[null,1]"), DeadLetter.BAD_ID));
        k.add(text("nested-id", withIds("[[3],1]"), DeadLetter.BAD_ID));
        k.add(text("object-ids", withIds("{\"a\":1,\"b\":2}"), DeadLetter.BAD_ID));
        k.add(text("negative-id", withIds("[-1,1]"), DeadLetter.BAD_ID));
        k.add(text("id-of-num-embeddings", withIds("[1," + NUM_EMBEDDINGS + "]"), DeadLetter.BAD_ID));
        k.add(text("id-beyond-int", withIds("[2147483648,1]"), DeadLetter.BAD_ID));
        k.add(text("id-beyond-long", withIds("[1,9" + "9".repeat(40) + "]"), DeadLetter.BAD_ID));
        k.add(text("nan-id", withIds("[NaN,1]"), DeadLetter.BAD_ID));
        checkNamesUnique(k);
        return k;
    }

    /** A valid record for {@link #malformedIds()}' model: ids {@code [0, NUM_EMBEDDINGS - 1]}. */
    public static byte[] validWithIds(String key) {
        return utf8("{\"key\":\"" + key + "\",\"ts\":" + TS + ",\"values\":[0.5,0.25],\"ids\":[0,"
                + (NUM_EMBEDDINGS - 1) + "]}");
    }

    static String withIds(String ids) {
        return "{\"key\":\"k1\",\"ts\":" + TS + ",\"values\":[0.5,0.25],\"ids\":" + ids + "}";
    }

    /**
     * Records that look hostile but are valid: each must be scored. Their keys start with {@code key} and differ from
     * each other; {@code ts} is their time, so that a caller can place them in its event-time order.
     */
    public static List<Kind> oddButValid(String key, long ts) {
        List<Kind> k = new ArrayList<>();
        String t = String.valueOf(ts);
        k.add(text("utf8-bom", "\uFEFF" + record(key + "-bom", t, "[0.5,0.25]"), null));
        k.add(text("surrounding-whitespace", " \r\n\t" + record(key + "-ws", t, "[0.5,0.25]") + "\n ", null));
        k.add(text("unknown-fields-with-junk", "{\"unit\":\"C\",\"meta\":{\"x\":[1,{\"y\":null}],\"x\":2,\"deep\":"
                + "[".repeat(500) + "]".repeat(500) + "},\"key\":\"" + key + "-meta\",\"ts\":" + t
                + ",\"values\":[0.5,0.25],\"v\":\"NaN\",\"n\":1e309}", null));
        k.add(text("escaped-control-chars-in-key", record(key + "-\\u0000\\u0001\\n\\t", t, "[0.5,0.25]"), null));
        k.add(text("unicode-key", record(key + "-\u00e9\u4e2d\uD83D\uDE80", t, "[0.5,0.25]"), null));
        k.add(text("iso-ts", record(key + "-iso", "\"" + Instant.ofEpochMilli(ts) + "\"", "[0.5,0.25]"), null));
        k.add(text("quoted-epoch-ts", record(key + "-quoted", "\"" + ts + "\"", "[0.5,0.25]"), null));
        k.add(text("subnormal-and-negative-zero", record(key + "-tiny", t, "[1e-50,-0.0]"), null));
        k.add(text("exponent-values", record(key + "-exp", t, "[2.5E-3,-1e+2]"), null));
        k.add(text("null-reset", "{\"key\":\"" + key + "-reset\",\"ts\":" + t + ",\"values\":[0.5,0.25],"
                + "\"reset\":null}", null));
        k.add(bytes("exactly-the-limit", padded(MAX_RECORD_BYTES, key + "-limit", t), null));
        k.add(text("key-of-the-longest-length", record(key + "-" + "x".repeat(
                JsonRecordParser.MAX_KEY_BYTES - key.length() - 1), t, "[0.5,0.25]"), null));
        checkNamesUnique(k);
        return k;
    }

    // ---- building records ---------------------------------------------------------------------------------------

    /** {@code {"key":"KEY","ts":TS,"values":VALUES}}; {@code key} is written into the quotes as it is. */
    static String record(String key, String ts, String values) {
        return "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":" + values + "}";
    }

    /** A valid record with an unknown field {@code "x"} holding {@code extra}. */
    static String withExtra(String extra) {
        return "{\"key\":\"k1\",\"ts\":" + TS + ",\"values\":[0.5,0.25],\"x\":" + extra + "}";
    }

    /** A record whose key holds {@code bad} between ASCII letters. */
    static byte[] inKey(byte[] bad) {
        return concat(utf8("{\"key\":\"k"), bad, utf8("k\",\"ts\":" + TS + ",\"values\":[0.5,0.25]}"));
    }

    /** A valid record of exactly {@code size} bytes, padded with an unknown string field. */
    static byte[] padded(int size, String key, String ts) {
        String head = "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[0.5,0.25],\"pad\":\"";
        return exactly(size, head, "\"}");
    }

    /** A record of exactly {@code size} bytes whose key fills it. */
    static byte[] keyFilling(int size, String ts) {
        return exactly(size, "{\"key\":\"", "\",\"ts\":" + ts + ",\"values\":[0.5,0.25]}");
    }

    private static byte[] exactly(int size, String head, String tail) {
        byte[] b = utf8(head + "x".repeat(size - utf8(head).length - tail.length()) + tail);
        if (b.length != size) {
            throw new IllegalStateException("made " + b.length + " bytes, wanted " + size);
        }
        return b;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        b[0] = (byte) 0xFF; // never valid UTF-8, whatever the seed gives
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static Kind text(String name, String text, String reason) {
        return new Kind(name, utf8(text), reason);
    }

    private static Kind bytes(String name, byte[] value, String reason) {
        return new Kind(name, value, reason);
    }

    private static void checkNamesUnique(List<Kind> kinds) {
        Set<String> names = new HashSet<>();
        for (Kind k : kinds) {
            if (!names.add(k.name())) {
                throw new IllegalStateException("two kinds named " + k.name());
            }
        }
    }
}
