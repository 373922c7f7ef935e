package dev.lstmflink.jobs.detect;

import dev.lstmflink.connect.SyntheticSensors.Anomaly;
import dev.lstmflink.connect.SyntheticSensors.Kind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Detections scored against injected truth, window-wise as the Numenta Anomaly Benchmark and telemanom do rather
 * than point-wise (an anomaly lasting 48 readings is found once, not 48 times):
 * <ul>
 *   <li>a key's flagged events form <em>detected sequences</em>: flags at most {@code mergeGap} apart are one;</li>
 *   <li>an injected anomaly [start, end) is <em>found</em> when a detected sequence overlaps
 *       [start, end + tolerance): a next-step predictor can only react once the anomaly has begun, and some react
 *       when it ends (a stuck sensor is often noticed when it comes back);</li>
 *   <li>a detected sequence overlapping no such window is a <em>false positive</em>.</li>
 * </ul>
 * recall = found / injected; precision = true sequences / all sequences; F1 their harmonic mean. Per kind, recall is
 * over that kind's anomalies and precision counts that kind's true sequences against every false positive (a false
 * alarm has no kind), so the per-kind figures are conservative.
 */
public final class Evaluation {

    /** The figures of one kind, or of all (kind null). */
    public record Figures(Kind kind, int injected, int found, int trueSequences, int falseSequences) {

        public double recall() {
            return injected == 0 ? Double.NaN : (double) found / injected;
        }

        public double precision() {
            int all = trueSequences + falseSequences;
            return all == 0 ? Double.NaN : (double) trueSequences / all;
        }

        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 || Double.isNaN(p) || Double.isNaN(r) ? 0 : 2 * p * r / (p + r);
        }
    }

    /** Per kind in declaration order, then the total. */
    public record Result(List<Figures> byKind, Figures total) {

        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "%-12s %8s %6s %9s %7s %6s%n", "kind", "injected", "found",
                    "precision", "recall", "F1"));
            for (Figures f : byKind) {
                sb.append(row(f.kind().label(), f));
            }
            sb.append(row("all", total));
            sb.append(String.format(Locale.ROOT, "(%d detected sequences: %d on injected anomalies, %d false alarms; "
                    + "a kind's precision counts every false alarm against it)",
                    total.trueSequences() + total.falseSequences(), total.trueSequences(), total.falseSequences()));
            return sb.toString();
        }

        private static String row(String name, Figures f) {
            return String.format(Locale.ROOT, "%-12s %8d %6d %9s %7s %6.3f%n", name, f.injected(), f.found(),
                    pct(f.precision()), pct(f.recall()), f.f1());
        }

        private static String pct(double v) {
            return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
        }
    }

    private Evaluation() {}

    /**
     * @param flagged   per key, the timestamps of flagged events, ascending
     * @param tolerance how long after an anomaly's end a detection still counts for it, ms
     * @param mergeGap  flags at most this far apart form one detected sequence, ms
     */
    public static Result evaluate(List<Anomaly> truth, Map<String, long[]> flagged, long tolerance, long mergeGap) {
        Map<String, List<Anomaly>> byKey = new HashMap<>();
        for (Anomaly a : truth) {
            byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
        }
        Map<Anomaly, Boolean> found = new HashMap<>();
        Map<Kind, Integer> trueByKind = new EnumMap<>(Kind.class);
        int falseSequences = 0;
        for (Map.Entry<String, long[]> e : new TreeMap<>(flagged).entrySet()) {
            List<Anomaly> windows = byKey.getOrDefault(e.getKey(), List.of());
            for (long[] seq : sequences(e.getValue(), mergeGap)) {
                Anomaly hit = null;
                for (Anomaly a : windows) {
                    if (seq[0] < a.endTs() + tolerance && seq[1] >= a.startTs()) {
                        found.put(a, true);
                        hit = hit == null ? a : hit;
                    }
                }
                if (hit == null) {
                    falseSequences++;
                } else {
                    trueByKind.merge(hit.kind(), 1, Integer::sum);
                }
            }
        }
        List<Figures> byKind = new ArrayList<>();
        int injected = 0;
        int foundAll = 0;
        int trueAll = 0;
        for (Kind k : Kind.values()) {
            int n = 0;
            int f = 0;
            for (Anomaly a : truth) {
                if (a.kind() == k) {
                    n++;
                    f += found.containsKey(a) ? 1 : 0;
                }
            }
            int t = trueByKind.getOrDefault(k, 0);
            byKind.add(new Figures(k, n, f, t, falseSequences));
            injected += n;
            foundAll += f;
            trueAll += t;
        }
        return new Result(byKind, new Figures(null, injected, foundAll, trueAll, falseSequences));
    }

    /** Runs of flags at most {@code mergeGap} apart, as [first, last] timestamps. */
    static List<long[]> sequences(long[] ts, long mergeGap) {
        List<long[]> out = new ArrayList<>();
        for (long t : ts) {
            if (!out.isEmpty() && t - out.get(out.size() - 1)[1] <= mergeGap) {
                out.get(out.size() - 1)[1] = t;
            } else {
                out.add(new long[] {t, t});
            }
        }
        return out;
    }
}
