package dev.lstmflink.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lstmflink.csv.Snippets;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Dead letters as JSON, one object per record, for the dead-letter topic (the bytes are the Kafka value) or file (one
 * object per line): {@code {"reason":"bad_ts","detail":"...","source":"sensors","partition":3,"offset":1042,
 * "receivedAt":...,"rawEncoding":"utf8","rawTruncated":false,"raw":"..."}}. Reading ignores unknown fields, so
 * files written by a later version still load.
 */
public final class DeadLetterJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** {@link #toBytes(DeadLetter, int)}'s floor. */
    public static final int MIN_LIMIT = 16 * 1024;
    /** The longest detail {@link #toBytes(DeadLetter, int)} keeps when it cuts; details are a sentence or two. */
    static final int MAX_DETAIL = 1000;

    private DeadLetterJson() {}

    /**
     * UTF-8 JSON, without a line break (so a file can hold one per line). Characters that cannot be UTF-8 (a lone
     * surrogate from a broken String) are written as {@code \\uXXXX} escapes rather than replaced.
     */
    public static byte[] toBytes(DeadLetter d) {
        try {
            return MAPPER.writeValueAsBytes(d);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write dead letter " + d, e);
        }
    }

    /**
     * As {@link #toBytes(DeadLetter)}, at most {@code maxBytes} long. A Kafka producer refuses a record over its
     * {@code max.request.size}, and a sink that cannot write a dead letter fails the job, on the same record after
     * every restart. The record limit alone does not bound a dead letter: escaping inflates the raw record (each
     * control character becomes a 6-byte escape, so 200 KB of them make a 1.2 MB dead letter) and base64 adds a third.
     * When the JSON would be longer, the raw record is cut to fit (at a character boundary; base64 at a multiple of 4
     * characters, so that it still decodes), {@link DeadLetter#rawTruncated} is set and the detail says so; the dead
     * letter given is not changed.
     *
     * @param maxBytes at least {@value #MIN_LIMIT}: room for the detail, cut to {@value #MAX_DETAIL} characters here,
     *                 and the origin
     */
    public static byte[] toBytes(DeadLetter d, int maxBytes) {
        if (maxBytes < MIN_LIMIT) {
            throw new IllegalArgumentException("a dead letter needs at least " + MIN_LIMIT + " bytes, got " + maxBytes);
        }
        byte[] full = toBytes(d);
        if (full.length <= maxBytes) {
            return full;
        }
        DeadLetter cut = new DeadLetter(d.reason, Snippets.cut(d.detail, MAX_DETAIL)
                + " (raw cut to fit the dead-letter record limit of " + maxBytes + " bytes)", d.source, d.partition,
                d.offset, d.receivedAt);
        cut.rawEncoding = d.rawEncoding;
        cut.rawTruncated = true;
        cut.raw = "";
        String raw = d.raw == null ? "" : d.raw;
        boolean base64 = DeadLetter.ENCODING_BASE64.equals(d.rawEncoding);
        int room = Math.max(0, maxBytes - toBytes(cut).length);
        int keep = base64 ? Math.min(raw.length(), room) / 4 * 4 : prefixFitting(raw, room);
        while (true) {
            cut.raw = raw.substring(0, keep);
            byte[] out = toBytes(cut);
            if (out.length <= maxBytes || keep == 0) {
                return out;
            }
            // the estimate of escaped sizes fell short (it should not): halve until it fits
            keep = base64 ? keep / 8 * 4 : prefixFitting(raw, Math.min(room, keep) / 2);
        }
    }

    /**
     * The length of the longest prefix of {@code s} whose JSON string form, as Jackson writes it into UTF-8, takes at
     * most {@code room} bytes, never ending between the two halves of a surrogate pair. Counted per character: a
     * quote, a backslash and the five control characters with a short escape (b, t, n, f, r) 2 bytes, other control
     * characters 6 (a u escape), other ASCII 1, up to U+07FF 2, surrogates 6 each (Jackson escapes them unless told to
     * combine pairs), the rest 3.
     */
    static int prefixFitting(String s, int room) {
        long used = 0;
        int i = 0;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            int cost;
            if (c == '"' || c == '\\' || c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
                cost = 2;
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                cost = 6;
            } else if (c < 0x80) {
                cost = 1;
            } else if (c < 0x800) {
                cost = 2;
            } else {
                cost = 3;
            }
            if (used + cost > room) {
                break;
            }
            used += cost;
        }
        if (i > 0 && i < s.length() && Character.isHighSurrogate(s.charAt(i - 1))
                && Character.isLowSurrogate(s.charAt(i))) {
            i--;
        }
        return i;
    }

    /** As {@link #toBytes}, as a String. */
    public static String toJson(DeadLetter d) {
        try {
            return MAPPER.writeValueAsString(d);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write dead letter " + d, e);
        }
    }

    /** @throws UncheckedIOException when {@code json} is not a dead letter object */
    public static DeadLetter fromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, DeadLetter.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a dead letter: " + e.getMessage(), e);
        }
    }

    /** @throws UncheckedIOException when {@code json} is not a dead letter object */
    public static DeadLetter fromJson(String json) {
        try {
            return MAPPER.readValue(json, DeadLetter.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a dead letter: " + e.getMessage(), e);
        }
    }
}
