package dev.lstmflink.connect;

import java.time.Duration;
import java.time.Instant;

/**
 * A {@link RecordParser} in front of another that dead-letters events whose {@code ts} is more than {@code maxAhead}
 * ahead of this machine's clock, with reason {@link DeadLetter#FUTURE_TS}.
 *
 * <p>Why: in event-time mode one record stamped in the year 3000 (a sensor with a broken clock, a unit mix-up of
 * microseconds for milliseconds) moves its partition's watermark to the year 3000, and every later event of that
 * partition is then late and lost to scoring (HostileInputITCase with such a record and no guard had 40 of its
 * 613 valid events late; HostileInputITCase now puts one first in a partition and expects its dead letter). The parsers accept
 * any timestamp in the years 1 to 9999, so the bound has to come from the clock.
 *
 * <p>Used both by the Kafka source's watermark generator and by the parse operator (the same parser instance), so such a
 * record neither advances the watermark nor reaches the detector. The decision depends on the wall clock: a record
 * within {@code maxAhead} of the boundary could be judged differently when it is read again after a failure; with the
 * default of a day that needs a timestamp a day ahead to within the seconds of a recovery.
 */
public final class FutureTimestampGuard implements RecordParser {

    private static final long serialVersionUID = 1L;

    private final RecordParser inner;
    private final long maxAheadMs;
    private final int maxRawBytes;

    @Override
    public EventShape shape() {
        return inner.shape();
    }

    private FutureTimestampGuard(RecordParser inner, Duration maxAhead, int maxRawBytes) {
        this.inner = inner;
        this.maxAheadMs = maxAhead.toMillis();
        this.maxRawBytes = maxRawBytes;
    }

    /**
     * @param maxAhead    zero: no guard ({@code inner} itself is returned)
     * @param maxRawBytes how much of a rejected record its dead letter keeps (the record size limit)
     */
    public static RecordParser of(RecordParser inner, Duration maxAhead, int maxRawBytes) {
        if (maxAhead.isNegative()) {
            throw new IllegalArgumentException("events.max_ahead must not be negative, got " + maxAhead);
        }
        return maxAhead.isZero() ? inner : new FutureTimestampGuard(inner, maxAhead, maxRawBytes);
    }

    @Override
    public Parsed parse(byte[] record, String source, int partition, long offset) {
        Parsed p = inner.parse(record, source, partition, offset);
        DeadLetter d = check(p, source, partition, offset);
        if (d == null) {
            return p;
        }
        RawForms.setRaw(d, record, maxRawBytes);
        return Parsed.bad(d);
    }

    @Override
    public Parsed parse(String record, String source, int partition, long lineNumber) {
        Parsed p = inner.parse(record, source, partition, lineNumber);
        DeadLetter d = check(p, source, partition, lineNumber);
        if (d == null) {
            return p;
        }
        RawForms.setRaw(d, record, maxRawBytes);
        return Parsed.bad(d);
    }

    /** A dead letter (without its raw record) when p is an event too far ahead of the clock, else null. */
    private DeadLetter check(Parsed p, String source, int partition, long offset) {
        if (!p.isOk()) {
            return null;
        }
        long now = System.currentTimeMillis();
        long ts = p.event().ts;
        if (ts <= now || ts - now <= maxAheadMs) {   // ts > now >= 0: ts - now cannot overflow
            return null;
        }
        return new DeadLetter(DeadLetter.FUTURE_TS, "ts " + ts + " (" + Instant.ofEpochMilli(ts) + ") is "
                + Duration.ofMillis(ts - now) + " ahead of the clock (" + Instant.ofEpochMilli(now)
                + "), more than events.max_ahead (" + Duration.ofMillis(maxAheadMs) + ")", source, partition, offset,
                now);
    }
}
