package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.csv.Snippets;
import dev.lstmflink.record.SensorEvent;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of every {@link RecordParser}, checked by jqwik on generated input: random bytes, random text, and
 * near-valid JSON and CSV records (fields drawn from valid and invalid forms, in any order, missing or twice, then
 * perhaps damaged by one edit), each given to all five parsers (JSON with one and three values, keyed CSV, NAB CSV,
 * CSV keyed by source) through both entry points. Whatever the input:
 * <ul>
 *   <li>nothing escapes {@code parse}, and the result is an event or a dead letter, never null;
 *   <li>an event has a key of valid Unicode within {@link TextRecordParser#MAX_KEY_BYTES}, a timestamp in the years 1
 *       to 9999 and exactly the parser's number of finite values;
 *   <li>a dead letter has a known reason, never {@link DeadLetter#PARSER_ERROR} (a caught bug), a short detail, the
 *       origin it was given, its raw record whole or as a prefix, and a JSON form that reads back equal;
 *   <li>bytes and text agree.
 * </ul>
 * And a valid record is an event carrying exactly its fields. ParserFuzzTest does the same with a fixed seed and a
 * hand-written mutator; jqwik adds generators that know the record structure and shrinks a failure to a small input
 * (its seed is printed; {@code @Property(seed = "...")} replays it).
 */
class RecordParserProperties {

    static final int MAX_BYTES = 300;
    static final int MAX_DETAIL = 1000;
    static final Set<String> REASONS = knownReasons();

    static final List<TextRecordParser> PARSERS = List.of(
            new JsonRecordParser(1, MAX_BYTES), new JsonRecordParser(3, MAX_BYTES), new CsvRecordParser(2, MAX_BYTES),
            CsvRecordParser.singleSeries("nab", 1, MAX_BYTES), CsvRecordParser.singleSeriesKeyedBySource(1, MAX_BYTES));

    @Property(tries = 1500)
    void randomBytesAreEventsOrDeadLettersNeverExceptions(@ForAll @Size(max = 2 * MAX_BYTES) byte[] bytes) {
        for (TextRecordParser p : PARSERS) {
            checkBytes(p, bytes);
        }
    }

    @Property(tries = 1500)
    void randomTextIsEventsOrDeadLettersNeverExceptions(@ForAll @StringLength(max = MAX_BYTES) String text) {
        for (TextRecordParser p : PARSERS) {
            checkText(p, text);
            checkBytes(p, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Property(tries = 3000)
    void nearValidRecordsAreEventsOrDeadLettersWithAKnownReason(@ForAll("nearValidRecords") Generated generated) {
        String record = generated.text();
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        for (TextRecordParser p : PARSERS) {
            checkText(p, record);
            checkBytes(p, bytes);
            // the same origin for both, so that the parser keyed by source gives the same key
            Parsed fromText = p.parse(record, "s", 0, 1);
            Parsed fromBytes = p.parse(bytes, "s", 0, 1);
            if (RawForms.utf8Length(record, Long.MAX_VALUE) == bytes.length) { // no lone surrogate lost to "?"
                assertEquals(fromText.isOk(), fromBytes.isOk(), () -> p + " on " + Snippets.quote(record, 400));
                if (fromText.isOk()) {
                    assertEquals(fromText.event(), fromBytes.event());
                } else {
                    assertEquals(fromText.deadLetter().reason, fromBytes.deadLetter().reason);
                }
            }
            if (p == PARSERS.get(0) && !generated.csv() || p == PARSERS.get(2) && generated.csv()) {
                Statistics.label(label(p)).collect(fromText.isOk() ? "event" : fromText.deadLetter().reason);
            }
        }
        // The property is only worth something if the generator reaches deep into the parsers: events and the reasons
        // a record's content can earn, counted over the records made in each parser's format (each reason checked
        // here comes about ten times or more in 1,500 records).
        Statistics.label(label(PARSERS.get(0))).coverage(c -> {
            c.check("event").percentage(pct -> pct >= 2);
            for (String reason : List.of(DeadLetter.NOT_JSON, DeadLetter.DUPLICATE_FIELD, DeadLetter.MISSING_KEY,
                    DeadLetter.BAD_KEY, DeadLetter.MISSING_TS, DeadLetter.BAD_TS, DeadLetter.MISSING_VALUES,
                    DeadLetter.BAD_VALUE, DeadLetter.WRONG_VALUE_COUNT, DeadLetter.NON_FINITE_VALUE,
                    DeadLetter.BAD_RESET, DeadLetter.TOO_LARGE)) {
                c.check(reason).count(n -> n > 0);
            }
        });
        Statistics.label(label(PARSERS.get(2))).coverage(c -> {
            c.check("event").percentage(pct -> pct >= 2);
            for (String reason : List.of(DeadLetter.BAD_CSV, DeadLetter.BAD_TS, DeadLetter.BAD_VALUE,
                    DeadLetter.WRONG_VALUE_COUNT, DeadLetter.NON_FINITE_VALUE)) {
                c.check(reason).count(n -> n > 0);
            }
        });
    }

    private static String label(TextRecordParser p) {
        return p.getClass().getSimpleName() + "(" + p.expectedValues() + ")";
    }

    @Property(tries = 1000)
    void aValidRecordIsAnEventCarryingExactlyItsFields(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 40) String key,
            @ForAll @LongRange(min = TextRecordParser.MIN_TS, max = TextRecordParser.MAX_TS) long ts,
            @ForAll("finiteFloats") List<Float> values, @ForAll boolean reset) {
        float[] want = new float[3];
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String t = Float.toString(values.get(i));
            texts.add(t);
            want[i] = (float) Double.parseDouble(t);
        }
        String json = "{\"values\":[" + String.join(",", texts) + "],\"reset\":" + reset + ",\"ts\":" + ts
                + ",\"key\":\"" + key + "\"}";
        SensorEvent e = new JsonRecordParser(3, 1024).parse(json, "f", -1, 1).event();
        assertEquals(new SensorEvent(key, ts, reset, want), e);
        SensorEvent c = new CsvRecordParser(3, 1024).parse(key + "," + ts + "," + String.join(",", texts), "f", -1, 1)
                .event();
        assertEquals(new SensorEvent(key, ts, want), c);
    }

    // ---- generators ---------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<List<Float>> finiteFloats() {
        return Arbitraries.floats().between(-Float.MAX_VALUE, Float.MAX_VALUE).list().ofSize(3);
    }

    /** A generated record, and whether it was made as CSV (else JSON). */
    record Generated(String text, boolean csv) {}

    /**
     * A JSON or CSV record assembled from field forms, mostly good ones (so that many records get far into the parser)
     * and bad ones of every sort, shuffled, maybe damaged.
     */
    @Provide
    Arbitrary<Generated> nearValidRecords() {
        Arbitrary<String> key = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().alpha().numeric().withChars("-_.:/ ").ofMinLength(1).ofMaxLength(12)),
                Tuple.of(1, Arbitraries.of("", " ", "\\t", "\\u0000", "\\ud800", "\\udc00x", "\\ud83d\\ude80",
                        "\u00e9\u20ac", "k,1", "\\\"q\\\"", "k".repeat(TextRecordParser.MAX_KEY_BYTES + 1))));
        Arbitrary<String> ts = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.longs().between(TextRecordParser.MIN_TS, TextRecordParser.MAX_TS)
                        .map(String::valueOf)),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(2, Arbitraries.of("1.5", "1e3", "-0", "99999999999999999999", "2014-07-01T00:00:00Z",
                        "2014-07-01 00:00:00", "2014-07-01T02:00:00+02:00", "+10000-01-01T00:00:00Z",
                        "0001-01-01T00:00:00Z", "2014-13-01T00:00:00Z", "yesterday", "NaN", "")));
        Arbitrary<String> number = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.floats().withStandardSpecialValues().map(f -> Float.toString(f))),
                Tuple.of(2, Arbitraries.doubles().map(d -> Double.toString(d))),
                Tuple.of(2, Arbitraries.integers().map(String::valueOf)),
                Tuple.of(2, Arbitraries.of("NaN", "Infinity", "-Infinity", "1e309", "-1e39", "3.4028235e38", "1e-50",
                        "-0.0")),
                Tuple.of(2, Arbitraries.of("\"0.5\"", "null", "true", "[1]", "{}")),
                Tuple.of(1, Arbitraries.of(".5", "01", "0x10", "1" + "0".repeat(1200), "inf", "")));
        Arbitrary<List<String>> values = Arbitraries.frequencyOf(
                Tuple.of(3, number.list().ofSize(1)),
                Tuple.of(3, number.list().ofSize(2)),
                Tuple.of(3, number.list().ofSize(3)),
                Tuple.of(1, number.list().ofMaxSize(6)));
        Arbitrary<String> reset = Arbitraries.of("true", "false", "null", "1", "\"yes\"");
        Arbitrary<Boolean> csv = Arbitraries.of(true, false);
        return Combinators.combine(key, ts, values, reset, csv, Arbitraries.longs())
                .as(RecordParserProperties::assemble);
    }

    /**
     * {@code seed} decides the shape: which fields are left out, doubled or quoted, an extra field, the order, and
     * whether one edit damages the result (a character changed, inserted or deleted, a cut, a repeat).
     */
    static Generated assemble(String key, String ts, List<String> values, String reset, boolean csv, long seed) {
        Random r = new Random(seed);
        String record;
        if (csv) {
            List<String> cells = new ArrayList<>();
            if (r.nextInt(4) > 0) {
                cells.add(r.nextBoolean() ? key : "\"" + key.replace("\"", "\"\"") + "\"");
            }
            cells.add(ts);
            cells.addAll(values);
            record = String.join(",", cells);
        } else {
            List<String> fields = new ArrayList<>();
            fields.add("\"key\":" + (r.nextInt(8) == 0 ? key.length() : "\"" + key + "\""));
            boolean quoteTs = !ts.matches("-?\\d+") || r.nextInt(6) == 0;
            fields.add("\"ts\":" + (quoteTs ? "\"" + ts + "\"" : ts));
            fields.add("\"values\":" + (values.size() == 1 && r.nextBoolean() ? values.get(0)
                    : "[" + String.join(",", values) + "]"));
            if (r.nextBoolean()) {
                fields.add("\"reset\":" + reset);
            }
            if (r.nextInt(4) == 0) {
                fields.add("\"unit\":" + (r.nextBoolean() ? "\"C\"" : "{\"x\":[1,{\"y\":null}],\"x\":2}"));
            }
            if (r.nextInt(6) == 0) {
                fields.remove(r.nextInt(fields.size()));
            }
            if (r.nextInt(10) == 0 && !fields.isEmpty()) {
                fields.add(fields.get(r.nextInt(fields.size())));
            }
            Collections.shuffle(fields, r);
            record = "{" + String.join(",", fields) + "}";
        }
        return new Generated(r.nextInt(4) > 0 ? record : damage(record, r), csv);
    }

    private static String damage(String s, Random r) {
        if (s.isEmpty()) {
            return s;
        }
        int at = r.nextInt(s.length());
        String alphabet = "{}[]\",:0123456789.eE+-Na \n\\'\u0000\uFEFF\u00e9";
        char c = alphabet.charAt(r.nextInt(alphabet.length()));
        return switch (r.nextInt(5)) {
            case 0 -> s.substring(0, at) + c + s.substring(at + 1);
            case 1 -> s.substring(0, at) + c + s.substring(at);
            case 2 -> s.substring(0, at) + s.substring(at + 1);
            case 3 -> s.substring(0, at);
            default -> s.substring(0, at) + s.substring(at, Math.min(s.length(), at + 8)).repeat(3) + s.substring(at);
        };
    }

    // ---- the properties of one result ---------------------------------------------------------------------------

    private static Parsed checkBytes(TextRecordParser p, byte[] bytes) {
        Parsed r = p.parse(bytes, "topic", 3, 1042);
        String input = bytes.length <= 400 ? Arrays.toString(bytes) : bytes.length + " bytes";
        verify(p, r, input);
        if (!r.isOk()) {
            DeadLetter d = r.deadLetter();
            assertEquals("topic", d.source);
            assertEquals(3, d.partition);
            assertEquals(1042, d.offset);
            byte[] kept = d.rawBytes();
            if (d.rawTruncated) {
                assertTrue(kept.length <= p.maxBytes() && kept.length < bytes.length, input);
                assertArrayEquals(Arrays.copyOf(bytes, kept.length), kept, "raw is a prefix of " + input);
            } else {
                assertArrayEquals(bytes, kept, "raw is the record " + input);
            }
        }
        return r;
    }

    private static Parsed checkText(TextRecordParser p, String text) {
        Parsed r = p.parse(text, "data/file.csv", -1, 7);
        String input = Snippets.quote(text, 400);
        verify(p, r, input);
        if (!r.isOk()) {
            DeadLetter d = r.deadLetter();
            assertEquals("data/file.csv", d.source);
            assertEquals(-1, d.partition);
            assertEquals(7, d.offset);
            assertTrue(d.rawTruncated ? text.startsWith(d.raw) && d.raw.length() < text.length() : text.equals(d.raw),
                    () -> "raw of " + d + " from " + input);
        }
        return r;
    }

    private static void verify(TextRecordParser p, Parsed r, String input) {
        assertNotNull(r, input);
        String where = p.getClass().getSimpleName() + "(" + p.expectedValues() + ") on " + input;
        if (r.isOk()) {
            SensorEvent e = r.event();
            assertFalse(e.key == null || e.key.isBlank(), where);
            assertTrue(RawForms.utf8Length(e.key, Long.MAX_VALUE) <= TextRecordParser.MAX_KEY_BYTES, where);
            assertTrue(validUnicode(e.key), where);
            assertTrue(e.ts >= TextRecordParser.MIN_TS && e.ts <= TextRecordParser.MAX_TS, where);
            assertEquals(p.expectedValues(), e.values.length, where);
            for (float v : e.values) {
                assertTrue(Float.isFinite(v), where);
            }
            return;
        }
        DeadLetter d = r.deadLetter();
        assertTrue(REASONS.contains(d.reason), () -> "unknown reason " + d.reason + " for " + where);
        assertFalse(DeadLetter.PARSER_ERROR.equals(d.reason), () -> "the parser failed: " + d + " for " + where);
        assertFalse(d.detail == null || d.detail.isBlank(), where);
        assertTrue(d.detail.length() <= MAX_DETAIL, () -> d.detail.length() + "-character detail for " + where);
        assertNotNull(d.raw, where);
        assertEquals(d, DeadLetterJson.fromJson(DeadLetterJson.toBytes(d)), () -> "JSON round trip of " + d);
    }

    /** No unpaired surrogate ({@code codePoints} gives a lone one as itself, a pair as one supplementary code point). */
    private static boolean validUnicode(String s) {
        return s.codePoints().noneMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
    }

    private static Set<String> knownReasons() {
        Set<String> s = new TreeSet<>();
        for (Field f : DeadLetter.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
                    && !f.getName().startsWith("ENCODING")) {
                try {
                    s.add(((String) f.get(null)).toLowerCase(Locale.ROOT));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return s;
    }
}
