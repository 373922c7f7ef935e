package dev.lstmflink.connect;

import dev.lstmflink.csv.Snippets;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.Timestamps;

/**
 * What every text format shares: the size limit (checked on the bytes, before any parsing, so a hostile record costs
 * nothing), strict UTF-8, blank records, building the dead letter with the raw record and its origin, and the last
 * guard that turns a parser bug into a {@link DeadLetter#PARSER_ERROR} dead letter instead of a failed job.
 * Subclasses only turn valid text into an event, throwing {@link BadRecord} for the first problem they find.
 */
abstract class TextRecordParser implements RecordParser {

    private static final long serialVersionUID = 1L;

    /**
     * The longest key accepted, in UTF-8 bytes. A key names a series (a sensor id, a device path); it becomes Flink's
     * state key, the Kafka key of each of its detections and a field of their JSON. Without a bound, a record that is
     * nearly all key makes detections about twice {@code max_record_bytes} (the key is both the Kafka key and in the
     * value): over the producer's {@code max.request.size} once the record limit is half of it, and the detection sink
     * then fails the job on that record after every restart. 1 KiB is far above any device id.
     */
    public static final int MAX_KEY_BYTES = 1024;
    /** The earliest timestamp accepted, 0001-01-01T00:00:00Z (see {@link #MAX_TS}). */
    public static final long MIN_TS = -62_135_596_800_000L;
    /**
     * The latest timestamp accepted, 9999-12-31T23:59:59.999Z: the range of ISO-8601's four-digit years, far wider
     * than any real reading's and far from {@code long}'s ends, so that event-time arithmetic downstream (the watermark
     * minus a timestamp, a timestamp plus a timeout) cannot overflow. With {@code ts = Long.MIN_VALUE},
     * {@code watermark - ts} wraps to a negative lateness, and an event 292 million years behind the watermark counted
     * as on time.
     */
    public static final long MAX_TS = 253_402_300_799_999L;

    /** What each event carries: its values, its ids and the range of the ids. */
    protected final EventShape shape;
    /** How many numeric values each event carries (the model's numeric inputs). */
    protected final int expectedValues;
    /** How many categorical ids each event carries (the model's embedding's ids per step, 0 without one). */
    protected final int expectedIds;
    /** Records longer than this many bytes are dead-lettered unparsed. */
    protected final int maxBytes;

    /** Numeric values only (a model without an embedding). */
    TextRecordParser(int expectedValues, int maxBytes) {
        this(EventShape.values(expectedValues), maxBytes);
    }

    TextRecordParser(EventShape shape, int maxBytes) {
        if (shape == null) {
            throw new IllegalArgumentException("the event shape must not be null");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        this.shape = shape;
        this.expectedValues = shape.values();
        this.expectedIds = shape.ids();
        this.maxBytes = maxBytes;
    }

    public int expectedValues() {
        return expectedValues;
    }

    public int expectedIds() {
        return expectedIds;
    }

    public EventShape shape() {
        return shape;
    }

    public int maxBytes() {
        return maxBytes;
    }

    /**
     * Turns one record's text (valid UTF-8, within the size limit, not blank) into an event.
     *
     * @param source the record's source, for formats that take the key from it
     * @throws BadRecord for the first problem found, with its reason code and a detail naming field and value
     */
    protected abstract SensorEvent toEvent(String text, String source) throws BadRecord;

    @Override
    public final Parsed parse(byte[] record, String source, int partition, long offset) {
        try {
            if (record == null) {
                return bad(DeadLetter.EMPTY, "the record is null (a Kafka tombstone?)", "", source, partition, offset);
            }
            if (record.length > maxBytes) {
                DeadLetter d = letter(DeadLetter.TOO_LARGE, "the record is " + record.length
                        + " bytes, over the limit of " + maxBytes + "; raw keeps its first bytes", source, partition, offset);
                RawForms.setRaw(d, record, maxBytes);
                return Parsed.bad(d);
            }
            String text = RawForms.decodeUtf8(record, record.length);
            if (text == null) {
                DeadLetter d = letter(DeadLetter.NOT_UTF8, "the record (" + record.length
                        + " bytes) is not valid UTF-8 text; raw holds its bytes in base64", source, partition, offset);
                RawForms.setRaw(d, record, maxBytes);
                return Parsed.bad(d);
            }
            return parseText(text, source, partition, offset);
        } catch (RuntimeException | StackOverflowError e) {
            DeadLetter d = letter(DeadLetter.PARSER_ERROR, "the parser failed: " + e, source, partition, offset);
            RawForms.setRaw(d, record == null ? new byte[0] : record, maxBytes);
            return Parsed.bad(d);
        }
    }

    @Override
    public final Parsed parse(String record, String source, int partition, long lineNumber) {
        try {
            if (record == null) {
                return bad(DeadLetter.EMPTY, "the record is null", "", source, partition, lineNumber);
            }
            if (RawForms.utf8Length(record, maxBytes) > maxBytes) {
                DeadLetter d = letter(DeadLetter.TOO_LARGE, "the record is " + RawForms.utf8Length(record, Long.MAX_VALUE)
                        + " bytes, over the limit of " + maxBytes + "; raw keeps its first bytes", source, partition,
                        lineNumber);
                RawForms.setRaw(d, record, maxBytes);
                return Parsed.bad(d);
            }
            return parseText(record, source, partition, lineNumber);
        } catch (RuntimeException | StackOverflowError e) {
            DeadLetter d = letter(DeadLetter.PARSER_ERROR, "the parser failed: " + e, source, partition, lineNumber);
            RawForms.setRaw(d, record == null ? "" : record, maxBytes);
            return Parsed.bad(d);
        }
    }

    private Parsed parseText(String text, String source, int partition, long offset) {
        if (text.isBlank()) {
            return bad(DeadLetter.EMPTY, text.isEmpty() ? "the record is empty" : "the record is blank", text, source,
                    partition, offset);
        }
        try {
            return Parsed.ok(toEvent(text, source));
        } catch (BadRecord b) {
            return bad(b.reason, b.getMessage(), text, source, partition, offset);
        }
    }

    private static Parsed bad(String reason, String detail, String raw, String source, int partition, long offset) {
        DeadLetter d = letter(reason, detail, source, partition, offset);
        d.raw = raw;
        return Parsed.bad(d);
    }

    private static DeadLetter letter(String reason, String detail, String source, int partition, long offset) {
        return new DeadLetter(reason, detail, source, partition, offset, System.currentTimeMillis());
    }

    // ---- helpers shared by the formats ----

    /** A number as a model input: finite and within float32's range; {@code text} is how the record wrote it. */
    static float finiteFloat(double v, String field, String text) throws BadRecord {
        String shown = Snippets.cut(text, Snippets.MAX);
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new BadRecord(DeadLetter.NON_FINITE_VALUE, field + " is " + shown + ", not a finite number");
        }
        float f = (float) v;
        if (Float.isInfinite(f)) {
            throw new BadRecord(DeadLetter.NON_FINITE_VALUE,
                    field + " = " + shown + " overflows float32 (largest magnitude " + Float.MAX_VALUE + ")");
        }
        return f;
    }

    /**
     * An integer id as a record wrote it ({@code shown}), checked against the shape: not negative, below
     * {@code num_embeddings} when known, within {@code int}.
     */
    int id(long v, String field, String shown) throws BadRecord {
        String bad = shape.invalidId(field, v);
        if (bad != null) {
            throw new BadRecord(DeadLetter.BAD_ID, bad + (shown.equals(Long.toString(v)) ? "" : " (written "
                    + Snippets.quote(shown) + ")"));
        }
        return (int) v;
    }

    /** An integer too large for a {@code long}, as a record wrote it ({@code shown}): no table has that many rows. */
    BadRecord idOutOfRange(String field, String shown) {
        String text = Snippets.cut(shown, Snippets.MAX);
        String why = text.startsWith("-") ? ", a negative id (ids are rows of the embedding table, from 0)"
                : shape.numEmbeddings() > 0 ? ", outside [0, num_embeddings = " + shape.numEmbeddings() + ")"
                : ", beyond the largest id " + Integer.MAX_VALUE;
        return new BadRecord(DeadLetter.BAD_ID, field + " is " + text + why);
    }

    /**
     * A timestamp cell or string: epoch milliseconds, ISO-8601 (no zone = UTC) or NAB's {@code YYYY-MM-DD HH:MM:SS},
     * between {@link #MIN_TS} and {@link #MAX_TS}.
     */
    static long timestamp(String text, String field) throws BadRecord {
        long ts;
        try {
            ts = Timestamps.parseMillis(text);
        } catch (IllegalArgumentException e) {
            throw new BadRecord(DeadLetter.BAD_TS, field + " " + Snippets.quote(text) + " is not a timestamp: "
                    + e.getMessage());
        }
        return inRange(ts, field, Snippets.quote(text));
    }

    /** {@code ts} when it lies between {@link #MIN_TS} and {@link #MAX_TS}; {@code shown}: as the record wrote it. */
    static long inRange(long ts, String field, String shown) throws BadRecord {
        if (ts < MIN_TS || ts > MAX_TS) {
            throw new BadRecord(DeadLetter.BAD_TS, field + " " + shown + " = " + ts + " ms is outside the years 1 to"
                    + " 9999 (" + MIN_TS + " to " + MAX_TS + " ms)");
        }
        return ts;
    }

    /**
     * A key read from a record: valid Unicode (a lone surrogate cannot be written as UTF-8, so it would turn into
     * {@code ?} in the Kafka key and merge with other keys) and at most {@link #MAX_KEY_BYTES}. Emptiness is the
     * caller's check.
     */
    static String checkKey(String key, String field) throws BadRecord {
        long bytes = RawForms.utf8Length(key, MAX_KEY_BYTES);
        if (bytes > MAX_KEY_BYTES) {
            throw new BadRecord(DeadLetter.BAD_KEY, field + " is " + RawForms.utf8Length(key, Long.MAX_VALUE)
                    + " bytes long, over the limit of " + MAX_KEY_BYTES + ": " + Snippets.quote(key));
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new BadRecord(DeadLetter.BAD_KEY, field + " is not valid Unicode: a lone surrogate "
                        + String.format("\\u%04x", (int) c) + " at character " + i + " of " + Snippets.quote(key));
            }
        }
        return key;
    }

    /**
     * The first problem found in a record: its reason code and a detail naming the field and the value. Without a
     * stack trace, since bad records are data, not bugs, and may come by the million.
     */
    static final class BadRecord extends Exception {

        private static final long serialVersionUID = 1L;

        final String reason;

        BadRecord(String reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }
}
