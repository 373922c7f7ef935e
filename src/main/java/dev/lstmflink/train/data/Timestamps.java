package dev.lstmflink.train.data;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.regex.Pattern;

/**
 * Timestamp cells to epoch milliseconds (UTC). Accepted forms:
 *
 * <ul>
 *   <li>epoch milliseconds: an integer, e.g. {@code 1404172800000};
 *   <li>ISO-8601 date-time: {@code 2014-07-01T00:00:00Z}, {@code 2014-07-01T02:00:00+02:00},
 *       {@code 2014-07-01T00:00:00.250}; without a zone or offset it is UTC;
 *   <li>NAB's {@code YYYY-MM-DD HH:MM:SS} (a space for the {@code T}), UTC.
 * </ul>
 *
 * A zone is never taken from the machine, so the same file gives the same times everywhere. Sub-millisecond digits
 * are dropped (rounded towards the past).
 */
public final class Timestamps {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
    private static final Pattern SPACE_FORM = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}.*");

    private Timestamps() {}

    /**
     * Parses one cell.
     *
     * @throws IllegalArgumentException when the text is none of the accepted forms (the message says which forms)
     */
    public static long parseMillis(String text) {
        String s = text.trim();
        if (INTEGER.matcher(s).matches()) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("epoch milliseconds out of range");
            }
        }
        String iso = SPACE_FORM.matcher(s).matches() ? s.substring(0, 10) + 'T' + s.substring(11) : s;
        try {
            TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(
                    iso, ZonedDateTime::from, OffsetDateTime::from, LocalDateTime::from);
            Instant instant;
            if (t instanceof ZonedDateTime z) {
                instant = z.toInstant();
            } else if (t instanceof OffsetDateTime o) {
                instant = o.toInstant();
            } else {
                instant = ((LocalDateTime) t).toInstant(ZoneOffset.UTC);
            }
            return instant.toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "expected epoch milliseconds, ISO-8601 (2014-07-01T00:00:00Z) or 'YYYY-MM-DD HH:MM:SS'");
        }
    }
}
