package dev.lstmflink.connect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
