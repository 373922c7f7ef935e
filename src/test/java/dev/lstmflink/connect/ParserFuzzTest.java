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
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * No input makes a parser throw: random bytes, random text, and valid records mutated byte by byte (fixed seed, so a
 * failure reproduces), plus null, empty, huge and deeply nested inputs. Every result must be a usable event or a dead
 * letter with a known reason (never {@link DeadLetter#PARSER_ERROR}, which would be a caught bug), its raw record
 * faithful, and its JSON form readable back.
 */
class ParserFuzzTest {

    static final int MAX_BYTES = 200;
    static final String ALPHABET = "{}[]\",:0123456789.eE+-NaInfinity truefalsnul keytsvaluesreset\n\r\\/\t'\u00e9\u20ac";

    static final List<RecordParser> PARSERS = List.of(
            new JsonRecordParser(1, MAX_BYTES), new JsonRecordParser(3, MAX_BYTES), new CsvRecordParser(2, MAX_BYTES),
            CsvRecordParser.singleSeries("nab", 1, MAX_BYTES), CsvRecordParser.singleSeriesKeyedBySource(1, MAX_BYTES));

    static final List<String> SEEDS = List.of(
            "{\"key\":\"pump-7\",\"ts\":1404172800000,\"values\":[0.5],\"reset\":true}",
            "{\"key\":\"a\",\"ts\":\"2014-07-01T00:00:00Z\",\"values\":[1,2.5e3,-3]}",
            "{\"key\":\"a\",\"ts\":\"2014-07-01 00:00:00\",\"values\":4,\"unit\":{\"x\":[1,2]}}",
            "pump-7,1404172800000,0.5,-1.25", "\"a,b\",2014-07-01T00:00:00+02:00,1e3,2",
            "2014-07-01 00:00:00,73.967", "timestamp,value", "{\"key\":\"b\",\"ts\":5,\"values\":[NaN,1,2]}",
            "{\"key\":7,\"ts\":5,\"values\":[1],\"reset\":0}", "a,5,inf,2");

    static final Set<String> REASONS = knownReasons();

    final Random random = new Random(20240501L);
    final Set<String> reasonsSeen = new TreeSet<>();
    int events;

    @Test
    void noInputMakesAParserThrow() {
        for (int i = 0; i < 6000; i++) {
            byte[] bytes = switch (i % 3) {
                case 0 -> randomBytes(random.nextInt(MAX_BYTES + 20));
                case 1 -> randomText(random.nextInt(120)).getBytes(StandardCharsets.UTF_8);
                default -> mutate(SEEDS.get(random.nextInt(SEEDS.size())).getBytes(StandardCharsets.UTF_8));
            };
            for (RecordParser p : PARSERS) {
                check(p, bytes);
                check(p, new String(bytes, StandardCharsets.UTF_8));
            }
        }
        for (String s : new String[] {null, "", "x".repeat(1 << 20), "[".repeat(MAX_BYTES), "\uD800", "\uDC00,1",
                "{\"key\":\"a\",\"ts\":1,\"values\":[1],\"x\":" + "[".repeat(150) + "]".repeat(150) + "}"}) {
            for (RecordParser p : PARSERS) {
                check(p, s);
                check(p, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
            }
        }
        // The loop is only worth something if it reached deep into the parsers: events and most reasons.
        assertTrue(events > 100, "events parsed: " + events);
        assertTrue(reasonsSeen.size() >= 12, "reasons reached: " + reasonsSeen);
    }

    @Test
    void deepNestingIsNotJsonNotACrash() {
        JsonRecordParser big = new JsonRecordParser(1, 1 << 20);
        String deep = "{\"key\":\"a\",\"ts\":1,\"values\":[1],\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        DeadLetter d = big.parse(deep, "f", -1, 1).deadLetter();
        assertEquals(DeadLetter.NOT_JSON, d.reason);
        assertTrue(d.detail.contains("nesting depth"), d.detail);
    }

    @Test
    void aFailingParserIsCaughtAsParserErrorWithTheRawRecord() {
        TextRecordParser broken = new TextRecordParser(1, 100) {
            @Override
            protected SensorEvent toEvent(String text, String source) {
                throw new IllegalStateException("bug on " + text);
            }
        };
        DeadLetter d = broken.parse("abc".getBytes(StandardCharsets.UTF_8), "t", 1, 2).deadLetter();
        assertEquals(DeadLetter.PARSER_ERROR, d.reason);
        assertTrue(d.detail.contains("bug on abc"), d.detail);
        assertEquals("abc", d.raw);
        assertEquals(DeadLetter.PARSER_ERROR, broken.parse("abc", "f", -1, 2).deadLetter().reason);
    }

    private void check(RecordParser p, byte[] bytes) {
        Parsed r = p.parse(bytes, "topic", 1, 42);
        verify(p, r, () -> "bytes " + (bytes == null ? "null" : java.util.Arrays.toString(bytes)));
        if (!r.isOk() && bytes != null) {
            DeadLetter d = r.deadLetter();
            byte[] kept = d.rawBytes();
            if (d.rawTruncated) {
                assertTrue(kept.length <= MAX_BYTES && kept.length < bytes.length);
                assertArrayEquals(java.util.Arrays.copyOf(bytes, kept.length), kept, "raw is a prefix");
            } else {
                assertArrayEquals(bytes, kept, "raw is the record as received");
            }
            assertEquals(1, d.partition);
            assertEquals(42, d.offset);
        }
    }

    private void check(RecordParser p, String text) {
        Parsed r = p.parse(text, "data/file.csv", -1, 7);
        verify(p, r, () -> "text " + Snippets.quote(text, 300));
        if (!r.isOk() && text != null) {
            DeadLetter d = r.deadLetter();
            assertTrue(d.rawTruncated ? text.startsWith(d.raw) && d.raw.length() < text.length() : text.equals(d.raw),
                    () -> "raw " + d);
            assertEquals(7, d.offset);
        }
    }

    private void verify(RecordParser p, Parsed r, Supplier<String> input) {
        assertNotNull(r, input);
        if (r.isOk()) {
            events++;
            SensorEvent e = r.event();
            assertFalse(e.key == null || e.key.isBlank(), input);
            assertEquals(((TextRecordParser) p).expectedValues(), e.values.length, input);
            for (float v : e.values) {
                assertTrue(Float.isFinite(v), input);
            }
            return;
        }
        DeadLetter d = r.deadLetter();
        assertTrue(REASONS.contains(d.reason), () -> "unknown reason " + d.reason + " for " + input.get());
        assertFalse(DeadLetter.PARSER_ERROR.equals(d.reason), () -> "the parser failed on " + input.get() + ": " + d);
        assertFalse(d.detail == null || d.detail.isBlank(), input);
        assertNotNull(d.raw, input);
        assertTrue(d.receivedAt > 0);
        reasonsSeen.add(d.reason);
        assertEquals(d, DeadLetterJson.fromJson(DeadLetterJson.toBytes(d)), () -> "JSON round trip of " + d);
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String randomText(int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    /** One to four edits: flip a byte, insert alphabet text, delete or duplicate a range, truncate. */
    private byte[] mutate(byte[] seed) {
        List<Byte> b = new ArrayList<>();
        for (byte x : seed) {
            b.add(x);
        }
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && !b.isEmpty(); e++) {
            int at = random.nextInt(b.size());
            switch (random.nextInt(5)) {
                case 0 -> b.set(at, (byte) random.nextInt(256));
                case 1 -> {
                    byte[] ins = randomText(1 + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
                    for (int i = ins.length - 1; i >= 0; i--) {
                        b.add(at, ins[i]);
                    }
                }
                case 2 -> b.subList(at, Math.min(b.size(), at + 1 + random.nextInt(6))).clear();
                case 3 -> b.addAll(at, new ArrayList<>(b.subList(at, Math.min(b.size(), at + 1 + random.nextInt(20)))));
                default -> b.subList(at, b.size()).clear();
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    private static Set<String> knownReasons() {
        Set<String> s = new TreeSet<>();
        for (Field f : DeadLetter.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && !f.getName().startsWith("ENCODING")) {
                try {
                    s.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return s;
    }
}
