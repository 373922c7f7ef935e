package dev.lstmflink.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Events stamped too far ahead of the clock become dead letters; everything else passes through as the parser made it. */
class FutureTimestampGuardTest {

    static final RecordParser JSON = new JsonRecordParser(1, 4096);
    static final RecordParser GUARD = FutureTimestampGuard.of(JSON, Duration.ofDays(1), 4096);

    static String record(long ts) {
        return "{\"key\":\"pump-7\",\"ts\":" + ts + ",\"values\":[0.5]}";
    }

    @Test
    void anEventFromTheYear3000IsADeadLetterWithItsRecordAndOrigin() {
        String r = record(32_503_680_000_000L);   // 3000-01-01T00:00:00Z
        Parsed p = GUARD.parse(r.getBytes(StandardCharsets.UTF_8), "events", 3, 41);
        assertFalse(p.isOk());
        DeadLetter d = p.deadLetter();
        assertEquals(DeadLetter.FUTURE_TS, d.reason);
        assertEquals(r, d.raw);
        assertEquals("events", d.source);
        assertEquals(3, d.partition);
        assertEquals(41, d.offset);
        assertTrue(d.detail.contains("3000-01-01T00:00:00Z") && d.detail.contains("events.max_ahead"), d.detail);
        // the text path (file lines) too
        Parsed t = GUARD.parse(r, "f.csv", -1, 7);
        assertEquals(DeadLetter.FUTURE_TS, t.deadLetter().reason);
        assertEquals(7, t.deadLetter().offset);
    }

    @Test
    void eventsWithinTheLimitAndThePastPassUnchanged() {
        long now = System.currentTimeMillis();
        for (long ts : new long[] {now + Duration.ofHours(23).toMillis(), now, 0, -62_135_596_800_000L}) {
            Parsed p = GUARD.parse(record(ts).getBytes(StandardCharsets.UTF_8), "events", 0, 1);
            assertTrue(p.isOk(), () -> ts + ": " + p);
            assertEquals(ts, p.event().ts);
        }
        assertFalse(GUARD.parse(record(now + Duration.ofHours(25).toMillis()), "f", -1, 1).isOk());
    }

    @Test
    void theParsersOwnDeadLettersPassThroughUntouched() {
        Parsed p = GUARD.parse("{\"key\":\"a\",\"ts\":\"soon\",\"values\":[1]}", "f", -1, 2);
        assertEquals(DeadLetter.BAD_TS, p.deadLetter().reason);
        assertEquals(DeadLetter.EMPTY, GUARD.parse((byte[]) null, "t", 0, 0).deadLetter().reason);
    }

    @Test
    void zeroMeansNoGuardAndANegativeLimitIsRefused() {
        assertSame(JSON, FutureTimestampGuard.of(JSON, Duration.ZERO, 4096));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FutureTimestampGuard.of(JSON, Duration.ofSeconds(-1), 4096));
        assertTrue(e.getMessage().contains("events.max_ahead"), e.getMessage());
    }
}
