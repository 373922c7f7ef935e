package dev.lstmflink.nab;

import java.util.List;
import java.util.Locale;

/**
 * The NAB scores of one detector's results (one column of its result files): for each profile, the threshold, the
 * raw, null and perfect scores, the normalised score, the detection counts and the same per category.
 *
 * <p>Normalised score (Lavin &amp; Ahmad 2015; NAB's {@code runner.py}): {@code 100 · (raw − null)/(perfect − null)},
 * where null is the raw score of a detector that never fires ({@code −fnWeight} for each window that has scored rows)
 * and perfect is {@code tpWeight} for each labelled window (every window detected at its first row, no false
 * positive). Per category the same formula uses the category's own null and perfect, with the raw score of the
 * category's series at the profile's corpus-wide threshold; a category without windows (e.g.
 * {@code artificialNoAnomaly}) has null = perfect = 0 and no normalised score (NaN; its raw score is what its false
 * positives cost).
 *
 * @param detector   what was scored (a detector name or the results folder), for the table's title
 * @param column     the results column scored ({@code anomaly_score}, or e.g. {@code anomaly} for 0/1 flags)
 * @param series     the number of series scored
 * @param windows    the number of labelled windows
 * @param profiles   one result per profile, in the corpus's profile order
 */
public record NabReport(String detector, String column, int series, int windows, List<ProfileResult> profiles) {

    public NabReport {
        profiles = List.copyOf(profiles);
    }

    /**
     * The counts at a threshold. {@code tp}, {@code fn}: windows with and without a detection (among the windows with
     * scored rows); {@code fp}: detections outside every window, each of which costs its weight. {@code tpRows},
     * {@code tnRows}, {@code fnRows} are NAB's row counts as its {@code *_scores.csv} give them (TP, TN, FN; its FP is
     * {@code fp}): scored rows in a window with a detection / outside windows without / in a window without.
     */
    public record Counts(int tp, int fp, int fn, long tpRows, long tnRows, long fnRows) {}

    /**
     * The scores of one category (the first component of the series paths) at its profile's corpus-wide threshold.
     */
    public record CategoryResult(String category, int series, int windows, double raw, double nullScore,
                                 double perfect, double normalised, Counts counts) {}

    /**
     * The scores of one profile.
     *
     * @param threshold  a row is a detection when its score is {@code >=} this; {@code +Infinity} = no detection
     * @param optimised  whether the threshold is the corpus-wide best of the exact sweep (else it was given)
     */
    public record ProfileResult(NabProfile profile, double threshold, boolean optimised, double raw, double nullScore,
                                double perfect, double normalised, Counts counts, List<CategoryResult> categories) {
        public ProfileResult {
            categories = List.copyOf(categories);
        }

        /** The result of the category with this name. */
        public CategoryResult category(String name) {
            return categories.stream().filter(c -> c.category().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no category " + name));
        }
    }

    /** NAB's normalisation {@code 100 · (raw − null)/(perfect − null)}; NaN when perfect equals null. */
    public static double normalise(double raw, double nullScore, double perfect) {
        return perfect == nullScore ? Double.NaN : 100.0 * (raw - nullScore) / (perfect - nullScore);
    }

    /** The result of the profile with this name ({@code standard}). */
    public ProfileResult profile(String name) {
        return profiles.stream().filter(p -> p.profile().name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no profile " + name + " in the report"));
    }

    /** A readable plain-text table: one line per profile, then the normalised scores per category. */
    public String table() {
        StringBuilder b = new StringBuilder();
        boolean allOptimised = profiles.stream().allMatch(ProfileResult::optimised);
        boolean noneOptimised = profiles.stream().noneMatch(ProfileResult::optimised);
        b.append(String.format(Locale.ROOT, "NAB v1.1 scores of %s (column %s): %d series, %d windows; %s%n",
                detector, column, series, windows, allOptimised ? "thresholds: the exact corpus-wide optimum"
                        : noneOptimised ? "thresholds: given" : "thresholds: optimised (*) or given"));
        b.append(String.format(Locale.ROOT, "%-20s %22s %10s %10s %10s %10s %5s %5s %7s%n", "profile", "threshold",
                "raw", "null", "perfect", "normalised", "TP", "FN", "FP"));
        for (ProfileResult p : profiles) {
            b.append(String.format(Locale.ROOT, "%-20s %22s %10.4f %10.4f %10.4f %10.2f %5d %5d %7d%n",
                    p.profile().name(), threshold(p.threshold()) + (allOptimised || noneOptimised ? ""
                            : p.optimised() ? "*" : " "), p.raw(), p.nullScore(), p.perfect(), p.normalised(),
                    p.counts().tp(), p.counts().fn(), p.counts().fp()));
        }
        b.append("TP, FN: windows detected and missed; FP: detections outside every window.\n");
        if (profiles.isEmpty()) {
            return b.toString();
        }
        b.append(String.format(Locale.ROOT, "%nnormalised score per category (its own null and perfect, at the "
                + "profile's threshold; raw score where it has no window):%n"));
        b.append(String.format(Locale.ROOT, "%-22s %6s %7s", "category", "series", "windows"));
        for (ProfileResult p : profiles) {
            b.append(String.format(Locale.ROOT, " %20s", p.profile().name()));
        }
        b.append('\n');
        for (CategoryResult c : profiles.get(0).categories()) {
            b.append(String.format(Locale.ROOT, "%-22s %6d %7d", c.category(), c.series(), c.windows()));
            for (ProfileResult p : profiles) {
                CategoryResult pc = p.category(c.category());
                b.append(Double.isNaN(pc.normalised())
                        ? String.format(Locale.ROOT, " %20s", String.format(Locale.ROOT, "raw %.4f", pc.raw()))
                        : String.format(Locale.ROOT, " %20.2f", pc.normalised()));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String threshold(double t) {
        return t == Double.POSITIVE_INFINITY ? "none (never fires)" : Double.toString(t);
    }
}
