package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.csv.Snippets;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/** The dead letter itself: a Flink POJO, its JSON form, and the raw record kept as text, base64 or a prefix. */
class DeadLetterTest {

    static DeadLetter sample() {
        DeadLetter d = new DeadLetter(DeadLetter.BAD_TS, "field \"ts\" \"yesterday\" is not a timestamp", "sensors", 3,
                1042, 1_700_000_000_000L);
        d.raw = "{\"key\":\"Zürich \uD83C\uDF21\",\"ts\":\"yesterday\"}\n";
        return d;
    }

    @Test
    void isAFlinkPojoSoNoKryo() {
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(DeadLetter.class));
        assertInstanceOf(PojoTypeInfo.class, TypeInformation.of(RawRecord.class));
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        DeadLetter d = sample();
        byte[] json = DeadLetterJson.toBytes(d);
        assertEquals(d, DeadLetterJson.fromJson(json));
        assertEquals(d, DeadLetterJson.fromJson(DeadLetterJson.toJson(d)));
        String text = new String(json, StandardCharsets.UTF_8);
        assertFalse(text.contains("\n"), "one line per dead letter: " + text);
        assertTrue(text.startsWith("{\"reason\":\"bad_ts\",\"detail\":"), text);
    }

    @Test
    void jsonHasTheDocumentedFieldNames() throws Exception {
        JsonNode n = new ObjectMapper().readTree(DeadLetterJson.toBytes(sample()));
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("reason", "detail", "source", "partition", "offset", "receivedAt", "rawEncoding",
                "rawTruncated", "raw"), names);
        assertEquals(3, n.get("partition").intValue());
        assertEquals(1042, n.get("offset").longValue());
        assertEquals("utf8", n.get("rawEncoding").textValue());
    }

    @Test
    void readingIgnoresUnknownFieldsAndRejectsNonObjects() {
        DeadLetter d = DeadLetterJson.fromJson("{\"reason\":\"empty\",\"future\":1}");
        assertEquals(DeadLetter.EMPTY, d.reason);
        assertEquals(-1, d.partition, "defaults for absent fields");
        assertThrows(UncheckedIOException.class, () -> DeadLetterJson.fromJson("[1]"));
    }

    @Test
    void aLoneSurrogateSurvivesTheJsonForm() {
        DeadLetter d = sample();
        d.raw = "a\uD800b";
        assertEquals(d.raw, DeadLetterJson.fromJson(DeadLetterJson.toBytes(d)).raw);
    }

    @Test
    void binaryRawIsBase64AndRawBytesGivesItBack() {
        byte[] bytes = {0, (byte) 0xFF, (byte) 0xFE, 'a', (byte) 0x80};
        DeadLetter d = new DeadLetter();
        RawForms.setRaw(d, bytes, 100);
        assertEquals(DeadLetter.ENCODING_BASE64, d.rawEncoding);
        assertEquals(Base64.getEncoder().encodeToString(bytes), d.raw);
        assertArrayEquals(bytes, d.rawBytes());
        assertArrayEquals(bytes, DeadLetterJson.fromJson(DeadLetterJson.toBytes(d)).rawBytes());
        assertFalse(d.rawTruncated);
    }

    @Test
    void truncationNeverSplitsAUtf8Character() {
        byte[] text = "abé€".getBytes(StandardCharsets.UTF_8); // a b (2 bytes) (3 bytes) = 7 bytes
        for (int keep = 1; keep < text.length; keep++) {
            DeadLetter d = new DeadLetter();
            RawForms.setRaw(d, text, keep);
            assertEquals(DeadLetter.ENCODING_UTF8, d.rawEncoding, "keep " + keep + ": still text");
            assertTrue(d.rawTruncated);
            assertTrue("abé€".startsWith(d.raw), d.raw);
            assertTrue(d.raw.getBytes(StandardCharsets.UTF_8).length <= keep, "keep " + keep + ": " + d.raw);
        }
        DeadLetter fromString = new DeadLetter();
        RawForms.setRaw(fromString, "ab\uD83C\uDF21cd", 5); // the emoji is 4 bytes: a b + emoji = 6 > 5
        assertEquals("ab", fromString.raw);
        assertTrue(fromString.rawTruncated);
        DeadLetter whole = new DeadLetter();
        RawForms.setRaw(whole, text, text.length);
        assertFalse(whole.rawTruncated);
        assertArrayEquals(text, whole.rawBytes());
    }

    @Test
    void binaryTruncatedKeepsExactlyTheLimit() {
        byte[] bytes = new byte[100];
        Arrays.fill(bytes, (byte) 0xFF);
        DeadLetter d = new DeadLetter();
        RawForms.setRaw(d, bytes, 10);
        assertEquals(DeadLetter.ENCODING_BASE64, d.rawEncoding);
        assertArrayEquals(Arrays.copyOf(bytes, 10), d.rawBytes());
    }

    @Test
    void aDeadLetterOverTheRecordLimitKeepsAPrefixOfRawThatFits() {
        int limit = DeadLetterJson.MIN_LIMIT;
        // escaping makes each of these characters 2 to 12 bytes of JSON: far more than the raw record's bytes
        for (String unit : List.of("\u0001", "\"", "\\", "\n", "\u00e9", "\u20ac", "\uD83C\uDF21", "\uD800", "x")) {
            DeadLetter d = sample();
            d.raw = unit.repeat(3 * limit);
            byte[] json = DeadLetterJson.toBytes(d, limit);
            assertTrue(json.length <= limit, unit + ": " + json.length);
            assertTrue(json.length > limit - 16, unit + ": cut no more than needed, " + json.length);
            DeadLetter back = DeadLetterJson.fromJson(json);
            assertTrue(back.rawTruncated);
            assertTrue(d.raw.startsWith(back.raw) && !back.raw.isEmpty(), unit);
            if (unit.length() == 2) {
                assertEquals(0, back.raw.length() % 2, "a pair is never cut in half");
            }
            assertTrue(back.detail.startsWith(d.detail) && back.detail.contains("limit of " + limit), back.detail);
            assertEquals(d.reason, back.reason);
            assertEquals(d.offset, back.offset);
            assertFalse(d.rawTruncated, "the dead letter given is not changed");
        }
    }

    @Test
    void base64RawIsCutAtAMultipleOfFourCharactersSoItStillDecodes() {
        byte[] bytes = new byte[100_000];
        Arrays.fill(bytes, (byte) 0xFF);
        DeadLetter d = new DeadLetter(DeadLetter.NOT_UTF8, "binary", "t", 0, 1, 2);
        RawForms.setRaw(d, bytes, bytes.length);
        byte[] json = DeadLetterJson.toBytes(d, DeadLetterJson.MIN_LIMIT);
        assertTrue(json.length <= DeadLetterJson.MIN_LIMIT);
        DeadLetter back = DeadLetterJson.fromJson(json);
        assertEquals(DeadLetter.ENCODING_BASE64, back.rawEncoding);
        byte[] kept = back.rawBytes();
        assertTrue(kept.length > 0 && kept.length % 3 == 0);
        assertArrayEquals(Arrays.copyOf(bytes, kept.length), kept);
    }

    @Test
    void aDeadLetterWithinTheLimitIsWrittenAsItIs() {
        DeadLetter d = sample();
        assertArrayEquals(DeadLetterJson.toBytes(d), DeadLetterJson.toBytes(d, DeadLetterJson.MIN_LIMIT));
        assertThrows(IllegalArgumentException.class, () -> DeadLetterJson.toBytes(d, DeadLetterJson.MIN_LIMIT - 1));
        // a huge detail (a parser bug's message quoting the record) is cut too
        DeadLetter chatty = sample();
        chatty.detail = "x".repeat(100_000);
        assertTrue(DeadLetterJson.toBytes(chatty, DeadLetterJson.MIN_LIMIT).length <= DeadLetterJson.MIN_LIMIT);
    }

    @Test
    void utf8LengthCountsBytes() {
        assertEquals(0, RawForms.utf8Length("", 10));
        assertEquals(1 + 2 + 3 + 4, RawForms.utf8Length("aé€\uD83C\uDF21", 100));
        assertEquals(1 + 3, RawForms.utf8Length("a\uD800", 100), "a lone surrogate counts as 3 bytes");
        assertTrue(RawForms.utf8Length("x".repeat(1000), 10) > 10, "stops early but past the limit");
    }

    @Test
    void snippetsAreShortAndEscaped() {
        String s = Snippets.quote("x".repeat(200));
        assertTrue(s.length() < 100 && s.contains("200 characters"), s);
        assertEquals("\"a\\nb\\\"\"", Snippets.quote("a\nb\""));
        assertEquals("\"\\u0001\"", Snippets.quote("\u0001"));
    }
}
