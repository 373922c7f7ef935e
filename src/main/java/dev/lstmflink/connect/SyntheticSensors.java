package dev.lstmflink.connect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The embedded default's data: a few simulated sensors with a daily cycle, a slow trend and noise, and anomalies of
 * known kind and position injected after an anomaly-free start (the part the model is trained on). Deterministic for
 * a seed, so a run can be compared with the last one.
 *
 * <p>Sensor s at reading t (period P readings per day, amplitude A_s, phase φ_s, level L_s):
 * {@code x = L_s + A_s·sin(2πt/P + φ_s) + 0.3·A_s·sin(4πt/P + 2φ_s) + 0.5·A_s·t/n + ε, ε ~ N(0, (0.05·A_s)²)}.
 * The injected anomalies, each a window [start, end) of readings:
 * <ul>
 *   <li>{@link Kind#SPIKE}: one reading off by ±2.5·A;</li>
 *   <li>{@link Kind#LEVEL_SHIFT}: ±1.2·A added for P/2 readings;</li>
 *   <li>{@link Kind#DRIFT}: an offset growing linearly to ±3·A over P/3 readings, then the sensor is recalibrated
 *       (back to normal);</li>
 *   <li>{@link Kind#STUCK}: the reading frozen at its value at the start for P/2 readings, noise-free, starting where
 *       the true signal moves most over that time (within half a day of a random start);</li>
 *   <li>{@link Kind#NOISE_BURST}: the noise 8 times larger for P/3 readings.</li>
 * </ul>
 * Every sensor gets every kind in turn; anomalies are spread evenly (with jitter) over the part after the training
 * readings and a warm-up of P readings. Malformed records of assorted kinds are mixed into the stream too, to show
 * the dead-letter output.
 */
public final class SyntheticSensors {

    /** The kinds of injected anomaly. */
    public enum Kind {
        SPIKE, LEVEL_SHIFT, DRIFT, STUCK, NOISE_BURST;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    /** One injected anomaly: readings [start, end) of sensor {@code key}, times [startTs, endTs). */
    public record Anomaly(String key, Kind kind, int start, int end, long startTs, long endTs) {}

    /**
     * @param sensors            number of sensors (keys {@code sensor-01}, ...)
     * @param points             readings per sensor
     * @param trainPoints        the anomaly-free start of every sensor
     * @param period             readings per simulated day
     * @param anomaliesPerSensor injected after trainPoints
     * @param badRecords         malformed records mixed in
     * @param seed               everything random follows from it
     */
    public record Spec(int sensors, int points, int trainPoints, int period, int anomaliesPerSensor, int badRecords,
                       long seed) {}

    /**
     * The data: per sensor its readings ({@code values[s][t]}, time {@code ts(t)}), the injected anomalies, and the
     * stream as the job receives it (JSON records in time order, sensors interleaved, malformed ones mixed in).
     */
    public record Data(Spec spec, List<String> keys, float[][] values, List<Anomaly> anomalies,
                       List<RawRecord> records, long startMillis, long intervalMillis) {

        public long ts(int t) {
            return startMillis + t * intervalMillis;
        }
    }

    /** 2026-01-05T00:00:00Z, a Monday. */
    static final long START_MILLIS = Instant.parse("2026-01-05T00:00:00Z").toEpochMilli();
    /** The source name in dead letters of the embedded stream. */
    public static final String SOURCE = "embedded";

    private SyntheticSensors() {}

    public static Data generate(Spec spec) {
        if (spec.trainPoints() + spec.period() * (1 + 2L * spec.anomaliesPerSensor()) > spec.points()) {
            throw new IllegalArgumentException("embedded.points (" + spec.points() + ") leaves no room for "
                    + spec.anomaliesPerSensor() + " anomalies per sensor after train_points (" + spec.trainPoints()
                    + ") with period " + spec.period() + "; need at least "
                    + (spec.trainPoints() + spec.period() * (1 + 2L * spec.anomaliesPerSensor())));
        }
        SplittableRandom rnd = new SplittableRandom(spec.seed());
        long interval = 86_400_000L / spec.period();
        List<String> keys = new ArrayList<>();
        float[][] values = new float[spec.sensors()][];
        List<Anomaly> anomalies = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int s = 0; s < spec.sensors(); s++) {
            String key = String.format(Locale.ROOT, "sensor-%02d", s + 1);
            keys.add(key);
            double level = 20 + 4 * s + 2 * rnd.nextDouble();
            double amp = 3 + (s % 3) + rnd.nextDouble();
            double phase = 2 * Math.PI * rnd.nextDouble();
            double[] clean = new double[spec.points()];
            double[] noise = new double[spec.points()];
            for (int t = 0; t < spec.points(); t++) {
                double w = 2 * Math.PI * t / spec.period();
                clean[t] = level + amp * Math.sin(w + phase) + 0.3 * amp * Math.sin(2 * w + 2 * phase)
                        + 0.5 * amp * t / spec.points();
                noise[t] = 0.05 * amp * gaussian(rnd);
            }
            double[] x = new double[spec.points()];
            for (int t = 0; t < spec.points(); t++) {
                x[t] = clean[t] + noise[t];
            }
            int first = spec.trainPoints() + spec.period();
            int slot = (spec.points() - first) / Math.max(1, spec.anomaliesPerSensor());
            for (int j = 0; j < spec.anomaliesPerSensor(); j++) {
                Kind kind = kinds[(s + j) % kinds.length];
                int len = length(kind, spec.period());
                int room = Math.max(1, slot - len - spec.period() / 2);
                int start = first + j * slot + rnd.nextInt(room);
                if (kind == Kind.STUCK) {
                    start = steepest(clean, start, Math.min(start + spec.period() / 2, first + (j + 1) * slot - len),
                            len);
                }
                int end = Math.min(spec.points(), start + len);
                double sign = rnd.nextBoolean() ? 1 : -1;
                inject(kind, x, clean, noise, start, end, amp, sign);
                anomalies.add(new Anomaly(key, kind, start, end, START_MILLIS + start * interval,
                        START_MILLIS + end * interval));
            }
            values[s] = new float[spec.points()];
            for (int t = 0; t < spec.points(); t++) {
                values[s][t] = (float) x[t];
            }
        }
        List<RawRecord> records = records(spec, keys, values, interval, rnd);
        return new Data(spec, List.copyOf(keys), values, List.copyOf(anomalies), records, START_MILLIS, interval);
    }

    /**
     * The start in [from, to) where the clean signal moves most over {@code len} readings: a sensor stuck while the
     * quantity it measures stays put is not an anomaly anyone can see, so the simulated one sticks while it changes.
     */
    static int steepest(double[] clean, int from, int to, int len) {
        int best = from;
        double most = -1;
        for (int t = from; t < Math.max(from + 1, to) && t + len < clean.length; t++) {
            double moved = Math.abs(clean[t + len] - clean[t]);
            if (moved > most) {
                most = moved;
                best = t;
            }
        }
        return best;
    }

    static int length(Kind kind, int period) {
        return switch (kind) {
            case SPIKE -> 1;
            case LEVEL_SHIFT, STUCK -> period / 2;
            case DRIFT, NOISE_BURST -> period / 3;
        };
    }

    private static void inject(Kind kind, double[] x, double[] clean, double[] noise, int start, int end, double amp,
            double sign) {
        switch (kind) {
            case SPIKE -> x[start] += sign * 2.5 * amp;
            case LEVEL_SHIFT -> {
                for (int t = start; t < end; t++) {
                    x[t] += sign * 1.2 * amp;
                }
            }
            case DRIFT -> {
                for (int t = start; t < end; t++) {
                    x[t] += sign * 3.0 * amp * (t - start + 1) / (end - start);
                }
            }
            case STUCK -> {
                double frozen = x[start];
                for (int t = start; t < end; t++) {
                    x[t] = frozen;
                }
            }
            case NOISE_BURST -> {
                for (int t = start; t < end; t++) {
                    x[t] = clean[t] + 8 * noise[t];
                }
            }
        }
    }

    /** The stream: readings in time order, sensors interleaved, malformed records at random places after training. */
    private static List<RawRecord> records(Spec spec, List<String> keys, float[][] values, long interval,
            SplittableRandom rnd) {
        int n = spec.sensors() * spec.points();
        boolean[] badAfter = new boolean[n];
        int from = spec.sensors() * spec.trainPoints();
        for (int b = 0; b < spec.badRecords() && from < n; b++) {
            badAfter[from + rnd.nextInt(n - from)] = true;
        }
        List<RawRecord> out = new ArrayList<>(n + spec.badRecords());
        long line = 0;
        int bad = 0;
        for (int t = 0; t < spec.points(); t++) {
            long ts = START_MILLIS + t * interval;
            for (int s = 0; s < spec.sensors(); s++) {
                String json = "{\"key\":\"" + keys.get(s) + "\",\"ts\":" + ts + ",\"values\":[" + values[s][t] + "]}";
                out.add(RawRecord.line(SOURCE, ++line, json));
                if (badAfter[t * spec.sensors() + s]) {
                    out.add(RawRecord.line(SOURCE, ++line, malformed(bad++, keys.get(s), ts)));
                }
            }
        }
        // collisions in badAfter leave fewer bad records than asked: top up at the end
        while (bad < spec.badRecords()) {
            out.add(RawRecord.line(SOURCE, ++line, malformed(bad++, keys.get(0), START_MILLIS)));
        }
        return out;
    }

    /** Assorted malformed records, as a misbehaving producer sends them. */
    static String malformed(int i, String key, long ts) {
        return switch (i % 8) {
            case 0 -> "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[NaN]}";
            case 1 -> "{\"ts\":" + ts + ",\"values\":[21.5]}";
            case 2 -> "{\"key\":\"" + key + "\",\"ts\":\"yesterday\",\"values\":[21.5]}";
            case 3 -> "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[21.5, 22.0]}";
            case 4 -> "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[\"warm\"]}";
            case 5 -> key + "," + ts + ",21.5";
            case 6 -> "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[1e39]}";
            default -> "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[21.5]";
        };
    }

    /** A standard normal deviate (Box-Muller; SplittableRandom has no nextGaussian on JDK 17). */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
