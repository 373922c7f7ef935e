package dev.lstmflink.connect;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.lstmflink.csv.Snippets;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A record that could not become a {@link dev.lstmflink.record.SensorEvent}, kept with everything needed to find, fix
 * and replay it: bad data must neither stop the job nor vanish. A Flink POJO (public fields, no-argument constructor),
 * so it travels on a side output without Kryo; {@link DeadLetterJson} writes it to the dead-letter topic or file.
 */
@JsonPropertyOrder({"reason", "detail", "source", "partition", "offset", "receivedAt", "rawEncoding", "rawTruncated",
        "raw"})
public class DeadLetter {

    /** {@link #raw} is the record's text as received. */
    public static final String ENCODING_UTF8 = "utf8";
    /** {@link #raw} is the base64 of the record's bytes, which were not valid UTF-8 (binary data). */
    public static final String ENCODING_BASE64 = "base64";

    // Reason codes: stable, short, one counter each. Documented here so the job's metrics have one reference.
    /** A Kafka tombstone (null value), an empty or a blank record. */
    public static final String EMPTY = "empty";
    /** Larger than the parser's byte limit; checked before any parsing. */
    public static final String TOO_LARGE = "too_large";
    /** Bytes that are not valid UTF-8 ({@link #raw} is then base64). */
    public static final String NOT_UTF8 = "not_utf8";
    /** Not one JSON object: a syntax error, another JSON type, or content after the object. */
    public static final String NOT_JSON = "not_json";
    /** A JSON object naming the same top-level field twice (which one would be meant is ambiguous). */
    public static final String DUPLICATE_FIELD = "duplicate_field";
    /** A CSV line that cannot be split into cells (unterminated quote) or has too few cells to be a record. */
    public static final String BAD_CSV = "bad_csv";
    /** No key, or an empty one. */
    public static final String MISSING_KEY = "missing_key";
    /** A key that is not a string, not valid Unicode (a lone surrogate) or longer than 1 KiB. */
    public static final String BAD_KEY = "bad_key";
    /** No timestamp. */
    public static final String MISSING_TS = "missing_ts";
    /**
     * A timestamp that is neither epoch milliseconds nor ISO-8601 nor {@code YYYY-MM-DD HH:MM:SS}, or one outside the
     * years 1 to 9999.
     */
    public static final String BAD_TS = "bad_ts";
    /**
     * A timestamp further ahead of the job's clock than {@code events.max_ahead} allows (Kafka mode, event time): it
     * would carry its partition's watermark into the future and make every later event of that partition late.
     */
    public static final String FUTURE_TS = "future_ts";
    /** No values. */
    public static final String MISSING_VALUES = "missing_values";
    /** A value that is not a number (a string, null, an empty CSV cell...). */
    public static final String BAD_VALUE = "bad_value";
    /** Not the number of values the model takes. */
    public static final String WRONG_VALUE_COUNT = "wrong_value_count";
    /** NaN, an infinity, or a number beyond float32's range. */
    public static final String NON_FINITE_VALUE = "non_finite_value";
    /**
     * Categorical ids that the model cannot embed: missing (the model has an embedding), not integers (a string, a
     * fraction such as {@code 3.5}, {@code 3.0}, an empty CSV cell), the wrong number of them, negative, or not below
     * the embedding's {@code num_embeddings}; or ids for a model without an embedding. Also the detector's reason for
     * an event whose ids its model cannot embed ({@code RejectedEvent.BAD_ID}).
     */
    public static final String BAD_ID = "bad_id";
    /** A reset flag that is not a boolean. */
    public static final String BAD_RESET = "bad_reset";
    /** The parser itself failed: a bug, reported rather than allowed to fail the job. */
    public static final String PARSER_ERROR = "parser_error";
    /**
     * Not a record but a published model that the running detector refused (another state shape, not a detection
     * model, unreadable, too large, or published before the model serving): {@link #detail} says why, {@link #source}
     * and {@link #raw} name the file. Written once per refusal (by subtask 0), not counted as a received record.
     */
    public static final String MODEL_REJECTED = "model_rejected";

    /** The record as received: its text, or base64 when {@link #rawEncoding} says so. */
    public String raw;
    /** {@link #ENCODING_UTF8} or {@link #ENCODING_BASE64}. */
    public String rawEncoding = ENCODING_UTF8;
    /**
     * Only the first bytes of the record are kept: records over the size limit (so the dead letter stays small), and
     * records whose dead letter would be over the dead-letter output's record limit ({@link DeadLetterJson#toBytes(
     * DeadLetter, int)}).
     */
    public boolean rawTruncated;
    /** A stable short code, one of the constants above. */
    public String reason;
    /** A sentence naming the field and the value. */
    public String detail;
    /** The topic or file the record came from, or null when unknown. */
    public String source;
    /** The Kafka partition, or -1 when unknown (files). */
    public int partition = -1;
    /** The Kafka offset, or the line number in a file (from 1), or -1 when unknown. */
    public long offset = -1;
    /** When the record was parsed, epoch milliseconds. */
    public long receivedAt;

    public DeadLetter() {}

    public DeadLetter(String reason, String detail, String source, int partition, long offset, long receivedAt) {
        this.reason = reason;
        this.detail = detail;
        this.source = source;
        this.partition = partition;
        this.offset = offset;
        this.receivedAt = receivedAt;
    }

    /** The record's bytes as received (or their first bytes when {@link #rawTruncated}), for replay. */
    public byte[] rawBytes() {
        if (raw == null) {
            return new byte[0];
        }
        return ENCODING_BASE64.equals(rawEncoding) ? Base64.getDecoder().decode(raw)
                : raw.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d && rawTruncated == d.rawTruncated && partition == d.partition
                && offset == d.offset && receivedAt == d.receivedAt && Objects.equals(raw, d.raw)
                && Objects.equals(rawEncoding, d.rawEncoding) && Objects.equals(reason, d.reason)
                && Objects.equals(detail, d.detail) && Objects.equals(source, d.source);
    }

    @Override
    public int hashCode() {
        return Objects.hash(raw, rawEncoding, rawTruncated, reason, detail, source, partition, offset, receivedAt);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + reason + ": " + detail + ", at " + source + "/" + partition + "@" + offset + ", raw("
                + rawEncoding + (rawTruncated ? ", truncated" : "") + ")=" + Snippets.quote(raw, 80) + "}";
    }
}
