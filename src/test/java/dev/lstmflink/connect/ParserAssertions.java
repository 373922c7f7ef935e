package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.record.SensorEvent;
import java.nio.charset.StandardCharsets;

/** Test helpers: parse through both entry points (bytes and text) and require they agree. */
final class ParserAssertions {

    private ParserAssertions() {}

    /** Parses {@code record} as bytes and as text; both must give an event, the same one. */
    static SensorEvent event(RecordParser p, String record) {
        Parsed fromText = p.parse(record, "file.csv", -1, 7);
        Parsed fromBytes = p.parse(record.getBytes(StandardCharsets.UTF_8), "topic", 2, 99);
        assertTrue(fromText.isOk(), () -> "expected an event from " + record + ", got " + fromText);
        assertEquals(fromText.event(), fromBytes.event(), "bytes and text disagree on " + record);
        return fromText.event();
    }

    /**
     * Parses {@code record} as bytes and as text; both must give a dead letter with {@code reason} whose detail
     * contains every one of {@code inDetail}; returns the one from bytes (origin topic/2/99).
     */
    static DeadLetter dead(RecordParser p, String record, String reason, String... inDetail) {
        Parsed fromText = p.parse(record, "file.csv", -1, 7);
        Parsed fromBytes = p.parse(record.getBytes(StandardCharsets.UTF_8), "topic", 2, 99);
        assertFalse(fromText.isOk(), () -> "expected a dead letter from " + record + ", got " + fromText);
        assertFalse(fromBytes.isOk(), () -> "expected a dead letter from " + record + ", got " + fromBytes);
        for (DeadLetter d : new DeadLetter[] {fromText.deadLetter(), fromBytes.deadLetter()}) {
            assertEquals(reason, d.reason, () -> "reason for " + record + ": " + d);
            for (String s : inDetail) {
                assertTrue(d.detail.contains(s), () -> "detail should name " + s + ": " + d.detail);
            }
            assertEquals(record, d.raw, "raw record kept as received");
            assertEquals(DeadLetter.ENCODING_UTF8, d.rawEncoding);
            assertFalse(d.rawTruncated);
        }
        DeadLetter t = fromText.deadLetter();
        assertEquals("file.csv", t.source);
        assertEquals(-1, t.partition);
        assertEquals(7, t.offset);
        DeadLetter b = fromBytes.deadLetter();
        assertEquals("topic", b.source);
        assertEquals(2, b.partition);
        assertEquals(99, b.offset);
        return b;
    }
}
