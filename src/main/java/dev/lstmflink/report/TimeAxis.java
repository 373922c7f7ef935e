package dev.lstmflink.report;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The time axis under a detection chart, and how the report writes times (always UTC). Its own class because it
 * decides three things the drawing should not: the tick step (a round clock step, from 1 ms to years, giving at most
 * {@link #MAX_TICKS} ticks), each tick's label (a date for steps of a day or more, else the time of day to the
 * precision of the step) and where the date goes under a time label (under the first tick of each day).
 */
final class TimeAxis {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MINUTES = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final long SECOND = 1000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long YEAR = 365 * DAY;
    /** Steps in milliseconds; the smallest giving at most {@link #MAX_TICKS} ticks is used. */
    private static final long[] STEPS = {1, 2, 5, 10, 20, 50, 100, 200, 500, SECOND, 2 * SECOND, 5 * SECOND,
        10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
        HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY,
        182 * DAY, YEAR};
    static final int MAX_TICKS = 8;

    final long step;
    /** The multiples of {@link #step} in [t0, t1]. */
    final long[] ticks;

    /** The axis over [t0, t1], t0 < t1. */
    TimeAxis(long t0, long t1) {
        step = step(t1 - t0);
        long first = Math.floorDiv(t0 + step - 1, step) * step;
        int n = first > t1 ? 0 : (int) ((t1 - first) / step + 1);
        ticks = new long[n];
        for (int i = 0; i < n; i++) {
            ticks[i] = first + i * step;
        }
    }

    static long step(long span) {
        for (long s : STEPS) {
            if (span / s <= MAX_TICKS) {
                return s;
            }
        }
        return (span / MAX_TICKS / YEAR + 1) * YEAR;
    }

    /** Tick {@code i}'s label: its date for steps of a day or more, else its time of day. */
    String label(int i) {
        Instant t = Instant.ofEpochMilli(ticks[i]);
        return (step >= DAY ? DATE : step >= MINUTE ? MINUTES : step >= SECOND ? SECONDS : MILLIS).format(t);
    }

    /** The date under tick {@code i}'s time, on the first tick of each day; null elsewhere and for date labels. */
    String dateUnder(int i) {
        if (step >= DAY) {
            return null;
        }
        String date = DATE.format(Instant.ofEpochMilli(ticks[i]));
        return i > 0 && date.equals(DATE.format(Instant.ofEpochMilli(ticks[i - 1]))) ? null : date;
    }

    /** A timestamp for people: date and time to the second, and milliseconds when there are any. */
    static String stamp(long ts) {
        Instant t = Instant.ofEpochMilli(ts);
        return DATE.format(t) + ' ' + (Math.floorMod(ts, SECOND) == 0 ? SECONDS : MILLIS).format(t);
    }
}
