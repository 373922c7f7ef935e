package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.connect.HostileRecords.Kind;
import dev.lstmflink.connect.kafka.DeadLetterSerializationSchema;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The {@link HostileRecords} table through the JSON parser alone, fast, before {@code HostileInputITCase} sends it
 * through Kafka: each malformed kind is a dead letter with the reason the table gives, from bytes and (when the bytes
 * are text) from text alike, its raw record kept whole or as a prefix, and its JSON form within a Kafka producer's
 * default {@code max.request.size}; each odd-but-valid kind is an event.
 */
class HostileRecordsTest {

    static final JsonRecordParser PARSER =
            new JsonRecordParser(HostileRecords.VALUES, HostileRecords.MAX_RECORD_BYTES);

    @Test
    void everyMalformedKindIsADeadLetterWithItsReason() {
        List<Kind> kinds = HostileRecords.malformed();
        assertTrue(kinds.size() >= 30, "kinds: " + kinds.size());
        Set<String> reasons = new HashSet<>();
        for (Kind k : kinds) {
            Parsed fromBytes = PARSER.parse(k.value(), "topic", 1, 42);
            assertFalse(fromBytes.isOk(), () -> k + " gave " + fromBytes);
            DeadLetter d = fromBytes.deadLetter();
            assertEquals(k.reason(), d.reason, () -> k + ": " + d);
            assertFalse(d.detail == null || d.detail.isBlank(), k::toString);
            assertEquals("topic", d.source);
            assertEquals(1, d.partition);
            assertEquals(42, d.offset);
            byte[] raw = k.value() == null ? new byte[0] : k.value();
            if (d.rawTruncated) {
                assertTrue(d.rawBytes().length <= HostileRecords.MAX_RECORD_BYTES, k::toString);
                assertArrayEquals(Arrays.copyOf(raw, d.rawBytes().length), d.rawBytes(), k + ": raw is a prefix");
            } else {
                assertArrayEquals(raw, d.rawBytes(), k + ": raw is the record");
            }
            // what the dead-letter sink writes fits a producer left at its defaults
            byte[] json = DeadLetterJson.toBytes(d, DeadLetterSerializationSchema.DEFAULT_MAX_REQUEST_SIZE - 1024);
            assertTrue(json.length <= DeadLetterSerializationSchema.DEFAULT_MAX_REQUEST_SIZE - 1024, k::toString);
            assertEquals(d.reason, DeadLetterJson.fromJson(json).reason);

            String text = k.value() == null ? null : RawForms.decodeUtf8(k.value(), k.value().length);
            if (text != null && !DeadLetter.TOO_LARGE.equals(k.reason())) {
                assertEquals(k.reason(), PARSER.parse(text, "file", -1, 7).deadLetter().reason, () -> k + " as text");
            }
            reasons.add(d.reason);
        }
        assertEquals(15, reasons.size(), "reasons covered: " + reasons);
    }

    /** The malformed ids, through a parser for a model with an embedding: each a bad_id dead letter, never a crash. */
    @Test
    void everyMalformedIdKindIsABadIdDeadLetter() {
        JsonRecordParser parser = new JsonRecordParser(new EventShape(HostileRecords.VALUES, HostileRecords.IDS,
                HostileRecords.NUM_EMBEDDINGS), HostileRecords.MAX_RECORD_BYTES);
        List<Kind> kinds = HostileRecords.malformedIds();
        assertTrue(kinds.size() >= 15, "kinds: " + kinds.size());
        for (Kind k : kinds) {
            Parsed p = parser.parse(k.value(), "topic", 2, 9);
            assertFalse(p.isOk(), () -> k + " gave " + p);
            assertEquals(k.reason(), p.deadLetter().reason, () -> k + ": " + p.deadLetter());
            assertTrue(p.deadLetter().detail.contains("ids"), () -> k + ": " + p.deadLetter().detail);
            assertArrayEquals(k.value(), p.deadLetter().rawBytes(), k::toString);
            assertEquals(9, p.deadLetter().offset);
        }
        Parsed valid = parser.parse(HostileRecords.validWithIds("ok"), "topic", 2, 10);
        assertTrue(valid.isOk(), valid::toString);
        assertArrayEquals(new int[] {0, HostileRecords.NUM_EMBEDDINGS - 1}, valid.event().ids);
    }

    @Test
    void everyOddButValidKindIsAnEvent() {
        List<Kind> kinds = HostileRecords.oddButValid("odd", HostileRecords.TS);
        Set<String> keys = new HashSet<>();
        for (Kind k : kinds) {
            Parsed p = PARSER.parse(k.value(), "topic", 0, 1);
            assertTrue(p.isOk(), () -> k + " gave " + p);
            assertEquals(HostileRecords.TS, p.event().ts, k::toString);
            assertTrue(p.event().key.startsWith("odd-"), k::toString);
            assertTrue(keys.add(p.event().key), () -> "two kinds with the key " + p.event().key);
            assertEquals(p.event(), PARSER.parse(new String(k.value(), StandardCharsets.UTF_8), "f", -1, 1).event());
        }
    }
}
