package dev.lstmflink.jobs.detect;

import dev.lstmflink.train.data.WindowSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the detector's model is trained on the rows there are, decided before training from each series' row count,
 * so that a short series trains with what it has instead of failing ({@link WindowSet} needs T+1 rows for one window,
 * in the training part and, with validation, in the validation part too):
 * <ol>
 *   <li>{@link Kind#FULL}: every series holds a window of T in both parts: window T, validation fraction f, the best
 *       epoch by validation loss kept (as before);</li>
 *   <li>{@link Kind#NO_VALIDATION}: a series' validation part (or training part) cannot hold one window of T+1
 *       rows, but all of its rows can: window T on all the rows, no validation, every epoch run and the last
 *       kept;</li>
 *   <li>{@link Kind#SHORTER_WINDOW}: not even all the rows hold T+1: window T' = rows − 1 (one window over all of
 *       them), no validation, the last epoch kept, when T' is at least {@link #MIN_SHORTER_WINDOW};</li>
 *   <li>{@link Kind#NO_MODEL}: fewer rows than that: there is nothing to learn from, the series gets no model.</li>
 * </ol>
 * Several series (a keyed CSV file, the embedded sensors) share one model: the series that hold a window of T train
 * it; shorter ones are {@linkplain #leftOut() left out} of training and scored with it; when none holds T, the
 * longest ones train with T' = their rows − 1. Validation is used only when every training series can hold it.
 *
 * @param kind        what is done
 * @param window      the window trained with (T, or T' for {@link Kind#SHORTER_WINDOW}; 0 for no model)
 * @param validationFraction f, or 0 without validation
 * @param keys        the series that train, in the order given
 * @param leftOut     the series that do not, with the reason
 * @param reason      why it is not {@link Kind#FULL} (empty when it is)
 */
public record TrainingPlan(Kind kind, int window, double validationFraction, List<String> keys,
                           Map<String, String> leftOut, String reason) {

    /** What is done with the rows. */
    public enum Kind {
        FULL("trained"),
        NO_VALIDATION("trained without validation"),
        SHORTER_WINDOW("trained with a shorter window"),
        NO_MODEL("no model");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** Words for the summary: "trained without validation". */
        public String label() {
            return label;
        }
    }

    /**
     * The shortest window worth training, T' = 15 (16 rows): fewer gives fewer than 15 next-step targets to fit the
     * model's weights (1,233 at k = 1, H = 16) and a normalisation whose standard deviation comes from fewer than 16
     * values (about ±18 % standard error at 16, ±25 % at 9): too little to expect a better prediction than the last
     * value's. The configured window itself is never refused: a series with at least T+1 rows trains with T.
     */
    public static final int MIN_SHORTER_WINDOW = 15;

    public TrainingPlan {
        keys = List.copyOf(keys);
        leftOut = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(leftOut));
    }

    /** True when a model is trained. */
    public boolean trains() {
        return kind != Kind.NO_MODEL;
    }

    /**
     * @param rows   the training rows of each series (after train_fraction and max_rows), in a stable order
     * @param window T, the configured window (>= 2)
     * @param f      the configured validation fraction, in (0, 1)
     */
    public static TrainingPlan of(Map<String, Integer> rows, int window, double f) {
        int need = window + 1;
        List<String> withWindow = new ArrayList<>();
        Map<String, String> leftOut = new LinkedHashMap<>();
        rows.forEach((key, n) -> {
            if (n >= need) {
                withWindow.add(key);
            }
        });
        if (!withWindow.isEmpty()) {
            rows.forEach((key, n) -> {
                if (n < need) {
                    leftOut.put(key, String.format(Locale.ROOT, "%,d training row(s), one window needs T+1 = %d; "
                            + "scored with the model the other series trained", n, need));
                }
            });
            List<String> noValidation = new ArrayList<>();
            for (String key : withWindow) {
                int n = rows.get(key);
                int train = WindowSet.trainRows(n, f);
                if (train < need || n - train < need) {
                    noValidation.add(String.format(Locale.ROOT, "%,d training rows give %,d training and %,d "
                            + "validation rows with validation_fraction %s, but one window needs T+1 = %d rows "
                            + "(T = %d) in each part%s", n, train, n - train, f, need, window,
                            rows.size() > 1 ? " (series " + key + ")" : ""));
                }
            }
            if (noValidation.isEmpty()) {
                return new TrainingPlan(Kind.FULL, window, f, withWindow, leftOut, "");
            }
            return new TrainingPlan(Kind.NO_VALIDATION, window, 0, withWindow, leftOut,
                    String.join("; ", noValidation) + ": all of them train with T = " + window
                            + ", without validation");
        }
        int longest = rows.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int shorter = longest - 1;
        if (shorter < MIN_SHORTER_WINDOW) {
            return new TrainingPlan(Kind.NO_MODEL, 0, 0, List.of(), Map.of(), String.format(Locale.ROOT,
                    "%,d training row(s)%s, but one window of T = %d needs T+1 = %d rows and the shortest window "
                            + "trained instead, T' = %d, needs %d", Math.max(longest, 0),
                    rows.size() > 1 ? " in the longest series" : "", window, need, MIN_SHORTER_WINDOW,
                    MIN_SHORTER_WINDOW + 1));
        }
        List<String> trained = new ArrayList<>();
        rows.forEach((key, n) -> {
            if (n == longest) {
                trained.add(key);
            } else {
                leftOut.put(key, String.format(Locale.ROOT, "%,d training row(s), fewer than the %,d of the "
                        + "longest series; scored with the model they trained", n, longest));
            }
        });
        return new TrainingPlan(Kind.SHORTER_WINDOW, shorter, 0, trained, leftOut, String.format(Locale.ROOT,
                "%,d training rows, but one window of T = %d needs T+1 = %d: trained with T' = %d on all of them "
                        + "(one window), without validation", longest, window, need, shorter));
    }
}
