package dev.lstmflink.nab;

import dev.lstmflink.nab.NabReport.CategoryResult;
import dev.lstmflink.nab.NabReport.Counts;
import dev.lstmflink.nab.NabReport.ProfileResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * NAB v1.1 scoring of a detector's anomaly scores over a {@link NabCorpus} (Lavin &amp; Ahmad 2015, "Evaluating
 * Real-time Anomaly Detection Algorithms – the Numenta Anomaly Benchmark"; Ahmad et al. 2017, Neurocomputing 262).
 * The semantics are those of NAB's reference code at commit {@code ea702d75} ({@code sweeper.py}, {@code optimizer.py},
 * {@code scorer.py}, {@code runner.py}):
 * <ul>
 *   <li><b>Probationary period</b>: the first {@code min(floor(0.15 · rows), 0.15 · 5000)} rows of a series (so at most
 *       750) are not scored: they are neither detections nor misses and are not counted. A window's rows in it are
 *       left out too (its other rows still weigh by their position in the whole window); a window with no scored row
 *       at all would count for nothing, except in perfect (NAB v1.1's corpus has no such window).</li>
 *   <li><b>Detection</b>: a scored row whose anomaly score is {@code >=} the threshold.</li>
 *   <li><b>Row weights</b> ({@link #rowWeights}): with the scaled sigmoid {@link #scaledSigmoid}
 *       {@code σ(x) = 2/(1 + e^{5x}) − 1}, a row {@code i} inside a window of {@code W} rows whose last row is
 *       {@code e} weighs {@code tpWeight · σ(−(e − i + 1)/W) / σ(−1)}: {@code tpWeight} at the window's first row,
 *       decreasing through the window to {@code tpWeight · σ(−1/W)/σ(−1)} (near 0 for a wide window) at its last. A row outside every window weighs
 *       {@code fpWeight · σ((i − e)/(W − 1))} where {@code e}, {@code W} are those of the last window before it
 *       (near 0 just after the window, {@code −fpWeight} from 3 window widths on), or {@code −fpWeight} when no
 *       window precedes it.</li>
 *   <li><b>Raw score</b>: each window (with a scored row) adds the largest weight among its detections, which is its
 *       earliest detection's since the weight decreases through the window: only the earliest detection in a window
 *       counts; or {@code −fnWeight} when it has no detection. Each detection outside every window adds its weight
 *       (a cost). The corpus's raw score is the sum over all series.</li>
 *   <li><b>Threshold</b> ({@link #sweep}, {@link #optimise}): one per profile for the whole corpus, the one with the
 *       highest raw score among "no detection" ({@code +Infinity}) and every distinct anomaly score of the scored
 *       rows, exactly as NAB's optimiser sweeps them; a tie goes to the higher threshold (NAB keeps the first of its
 *       descending sweep). NAB's published {@code config/thresholds.json} came from an older, approximate optimiser
 *       for several detectors; {@link #report(String, String, Map, Map)} scores at such given thresholds.</li>
 *   <li><b>Normalisation</b>: {@link NabReport#normalise}, null = never fire, perfect = {@code tpWeight} per labelled
 *       window; per category with the category's own null and perfect.</li>
 * </ul>
 * One deviation: after a one-row window NAB divides by zero ({@code W − 1 = 0}) and stops; here the rows after it are
 * simply far from it ({@code σ = −1}). NAB's corpus has no such window (its narrowest has 29 rows).
 *
 * <p>Scores are given per series as {@code double[]} in the data file's row order (one per data row), keyed by the
 * series' relative path; {@link NabResults} reads them from a folder of result files.
 */
public final class NabScorer {

    /** NAB's probationary fraction of each series. */
    public static final double PROBATIONARY_PERCENT = 0.15;

    private final NabCorpus corpus;

    public NabScorer(NabCorpus corpus) {
        this.corpus = Objects.requireNonNull(corpus, "corpus");
    }

    public NabCorpus corpus() {
        return corpus;
    }

    /**
     * The number of leading rows not scored in a series of {@code rows} rows: {@code min(floor(0.15 · rows), 750)},
     * computed in double arithmetic as NAB's {@code min(math.floor(0.15 * rows), 0.15 * 5000)}.
     */
    public static int probationaryRows(int rows) {
        return (int) Math.min(Math.floor(PROBATIONARY_PERCENT * rows), PROBATIONARY_PERCENT * 5000);
    }

    /**
     * NAB's scaled sigmoid of a relative position: {@code 2/(1 + e^{5x}) − 1}, and {@code −1} for {@code x > 3}.
     * {@code σ(−1) = 0.98661}, {@code σ(−0.5) = 0.84828}, {@code σ(0) = 0}, {@code σ(1) = −0.98661}.
     */
    public static double scaledSigmoid(double relativePosition) {
        if (relativePosition > 3.0) {
            return -1.0;
        }
        return 2 * (1 / (1 + Math.exp(5 * relativePosition))) - 1.0;
    }

    /**
     * The weight of every row of a series under a profile (NAB's per-row "S(t)"), probationary rows included
     * (they are computed but never scored): what the row adds to the raw score if it is a detection, the earliest
     * of its window for rows in a window. See the class comment for the formula.
     */
    public static double[] rowWeights(NabSeries series, NabProfile profile) {
        double maxTp = scaledSigmoid(-1.0);
        double[] out = new double[series.rows()];
        List<NabWindow> windows = series.windows();
        int next = 0;            // the next window not yet passed
        int previousLast = -1;   // the last row of the window before, -1 when none
        int previousWidth = 0;
        for (int i = 0; i < out.length; i++) {
            NabWindow w = next < windows.size() && windows.get(next).contains(i) ? windows.get(next) : null;
            if (w != null) {
                double position = -(double) (w.lastRow() - i + 1) / w.rows();
                out[i] = scaledSigmoid(position) * profile.tpWeight() / maxTp;
                if (i == w.lastRow()) {
                    previousLast = i;
                    previousWidth = w.rows();
                    next++;
                }
            } else if (previousLast < 0) {
                out[i] = -1.0 * profile.fpWeight();
            } else {
                double position = (i - previousLast) / (double) (previousWidth - 1);
                out[i] = scaledSigmoid(position) * profile.fpWeight();
            }
        }
        return out;
    }

    /** The raw score and counts at one threshold, as one entry of the {@link #sweep}. */
    public record ThresholdScore(double threshold, double raw, Counts counts) {}

    /** The raw score of the corpus under a profile at a threshold (detection: score {@code >=} threshold). */
    public double rawScore(Map<String, double[]> scores, NabProfile profile, double threshold) {
        return new Rows(corpus, scores, profile).tally(threshold).total().raw;
    }

    /**
     * NAB's exact threshold sweep over the corpus: the raw score and counts at "no detection"
     * ({@code +Infinity}, first) and at every distinct anomaly score of the scored rows, in descending order.
     */
    public List<ThresholdScore> sweep(Map<String, double[]> scores, NabProfile profile) {
        return new Rows(corpus, scores, profile).sweep();
    }

    /** The entry of the {@link #sweep} with the highest raw score (the highest threshold among equals). */
    public ThresholdScore optimise(Map<String, double[]> scores, NabProfile profile) {
        return best(new Rows(corpus, scores, profile).sweep());
    }

    /** Every profile at its corpus-wide optimal threshold. */
    public NabReport report(String detector, String column, Map<String, double[]> scores) {
        List<ProfileResult> out = new ArrayList<>();
        for (NabProfile p : corpus.profiles()) {
            Rows rows = new Rows(corpus, scores, p);
            out.add(rows.result(best(rows.sweep()).threshold(), true));
        }
        return new NabReport(detector, column, corpus.series().size(), corpus.windowCount(), out);
    }

    /**
     * Every profile at a given threshold, by profile name (e.g. NAB's {@code config/thresholds.json} for a detector,
     * {@link NabThresholds}); a profile the map lacks is an error.
     */
    public NabReport report(String detector, String column, Map<String, double[]> scores,
                            Map<String, Double> thresholds) {
        List<ProfileResult> out = new ArrayList<>();
        for (NabProfile p : corpus.profiles()) {
            Double t = thresholds.get(p.name());
            if (t == null || t.isNaN()) {
                throw new IllegalArgumentException("no threshold for profile " + p.name() + " (given for "
                        + thresholds.keySet() + ")");
            }
            out.add(new Rows(corpus, scores, p).result(t, false));
        }
        return new NabReport(detector, column, corpus.series().size(), corpus.windowCount(), out);
    }

    /** Every profile at the same threshold (e.g. 1 for a 0/1 {@code anomaly} column: a flag is a detection). */
    public NabReport reportAt(String detector, String column, Map<String, double[]> scores, double threshold) {
        Map<String, Double> all = new java.util.LinkedHashMap<>();
        corpus.profiles().forEach(p -> all.put(p.name(), threshold));
        return report(detector, column, scores, all);
    }

    /**
     * Reads column {@code column} of the result files in {@code dir} ({@link NabResults#read}; prefix null = detect
     * it) and scores it at each profile's optimal threshold.
     */
    public NabReport scoreColumn(Path dir, String prefix, String column) throws IOException {
        String p = prefix != null ? prefix : NabResults.detectPrefix(corpus, dir);
        return report(NabResults.label(dir, p), column, NabResults.read(corpus, dir, p, column));
    }

    /** As {@link #scoreColumn}, at one fixed threshold for every profile. */
    public NabReport scoreColumnAt(Path dir, String prefix, String column, double threshold) throws IOException {
        String p = prefix != null ? prefix : NabResults.detectPrefix(corpus, dir);
        return reportAt(NabResults.label(dir, p), column, NabResults.read(corpus, dir, p, column), threshold);
    }

    private static ThresholdScore best(List<ThresholdScore> sweep) {
        ThresholdScore best = sweep.get(0);
        for (ThresholdScore s : sweep) {
            if (s.raw() > best.raw()) {
                best = s;
            }
        }
        return best;
    }

    /** Sums of one tally: the raw score and the counts. */
    private static final class Sums {
        double fpCost;
        double windowScore;
        double raw;
        int tp;
        int fp;
        int fn;
        long tpRows;
        long tnRows;
        long fnRows;

        Counts counts() {
            return new Counts(tp, fp, fn, tpRows, tnRows, fnRows);
        }
    }

    /** The tally at one threshold: per category (in {@link NabCorpus#categories()} order) and in all. */
    private record Tally(Sums[] categories, Sums total) {}

    /**
     * The scored rows of the whole corpus under one profile, flattened: anomaly score, weight, window (an index over
     * the corpus's windows, -1 outside) and category of each.
     */
    private static final class Rows {
        final NabCorpus corpus;
        final NabProfile profile;
        final List<String> categories;
        final double[] score;
        final double[] weight;
        final int[] window;
        final int[] category;
        final int windowCount;
        final int[] windowCategory;
        /** Windows with at least one scored row: the ones that count as detected or missed. */
        final boolean[] scoredWindow;
        final int[] categoryWindows;

        Rows(NabCorpus corpus, Map<String, double[]> scores, NabProfile profile) {
            this.corpus = corpus;
            this.profile = profile;
            this.categories = corpus.categories();
            check(corpus, scores);
            int n = 0;
            int windows = 0;
            for (NabSeries s : corpus.series()) {
                n += s.rows() - Math.min(s.rows(), s.probationaryRows());
                windows += s.windows().size();
            }
            score = new double[n];
            weight = new double[n];
            window = new int[n];
            category = new int[n];
            windowCount = windows;
            windowCategory = new int[windows];
            scoredWindow = new boolean[windows];
            categoryWindows = new int[categories.size()];
            int k = 0;
            int firstWindow = 0;
            for (NabSeries s : corpus.series()) {
                double[] x = scores.get(s.relativePath());
                double[] w = rowWeights(s, profile);
                int c = categories.indexOf(s.category());
                categoryWindows[c] += s.windows().size();
                for (int j = 0; j < s.windows().size(); j++) {
                    windowCategory[firstWindow + j] = c;
                }
                int inWindow = 0;
                for (int i = s.probationaryRows(); i < s.rows(); i++) {
                    while (inWindow < s.windows().size() && s.windows().get(inWindow).lastRow() < i) {
                        inWindow++;
                    }
                    boolean in = inWindow < s.windows().size() && s.windows().get(inWindow).contains(i);
                    score[k] = x[i];
                    weight[k] = w[i];
                    window[k] = in ? firstWindow + inWindow : -1;
                    category[k] = c;
                    if (in) {
                        scoredWindow[firstWindow + inWindow] = true;
                    }
                    k++;
                }
                firstWindow += s.windows().size();
            }
        }

        /** Every series has a score per row, all finite; nothing else is given. */
        static void check(NabCorpus corpus, Map<String, double[]> scores) {
            Set<String> known = new HashSet<>();
            for (NabSeries s : corpus.series()) {
                known.add(s.relativePath());
                double[] x = scores.get(s.relativePath());
                if (x == null) {
                    throw new IllegalArgumentException("no scores for series " + s.relativePath());
                }
                if (x.length != s.rows()) {
                    throw new IllegalArgumentException(s.relativePath() + ": " + x.length + " scores for "
                            + s.rows() + " data rows");
                }
                for (int i = 0; i < x.length; i++) {
                    if (!Double.isFinite(x[i])) {
                        throw new IllegalArgumentException(s.relativePath() + ": the score of data row " + i
                                + " is " + x[i] + ", not a finite number");
                    }
                }
            }
            for (String key : scores.keySet()) {
                if (!known.contains(key)) {
                    throw new IllegalArgumentException("scores for " + key + ", which is not a series of the corpus");
                }
            }
        }

        /** The raw score and counts at a threshold, by category and in all. */
        Tally tally(double threshold) {
            Sums[] sums = new Sums[categories.size()];
            for (int c = 0; c < sums.length; c++) {
                sums[c] = new Sums();
            }
            double[] best = new double[windowCount];
            boolean[] detected = new boolean[windowCount];
            for (int k = 0; k < score.length; k++) {
                Sums s = sums[category[k]];
                boolean detection = score[k] >= threshold;
                int w = window[k];
                if (w >= 0) {
                    if (detection) {
                        s.tpRows++;
                        best[w] = detected[w] ? Math.max(best[w], weight[k]) : weight[k];
                        detected[w] = true;
                    } else {
                        s.fnRows++;
                    }
                } else if (detection) {
                    s.fp++;
                    s.fpCost += weight[k];
                } else {
                    s.tnRows++;
                }
            }
            for (int w = 0; w < windowCount; w++) {
                if (scoredWindow[w]) {
                    Sums s = sums[windowCategory[w]];
                    if (detected[w]) {
                        s.tp++;
                        s.windowScore += best[w];
                    } else {
                        s.fn++;
                        s.windowScore -= profile.fnWeight();
                    }
                }
            }
            Sums total = new Sums();
            for (Sums s : sums) {
                s.raw = s.fpCost + s.windowScore;
                total.fpCost += s.fpCost;
                total.windowScore += s.windowScore;
                total.tp += s.tp;
                total.fp += s.fp;
                total.fn += s.fn;
                total.tpRows += s.tpRows;
                total.tnRows += s.tnRows;
                total.fnRows += s.fnRows;
            }
            total.raw = total.fpCost + total.windowScore;
            return new Tally(sums, total);
        }

        /** The sweep: the state after "no detection", then after adding each group of equal scores, descending. */
        List<ThresholdScore> sweep() {
            int[] order = IntStream.range(0, score.length).boxed()
                    .sorted((a, b) -> Double.compare(score[b], score[a])).mapToInt(Integer::intValue).toArray();
            double[] part = new double[windowCount];
            Arrays.fill(part, -profile.fnWeight());
            boolean[] detected = new boolean[windowCount];
            long windowRows = Arrays.stream(window).filter(w -> w >= 0).count();
            long outsideRows = score.length - windowRows;
            int scored = 0;
            for (boolean b : scoredWindow) {
                scored += b ? 1 : 0;
            }
            double windowScore = windowScore(part);
            double fpCost = 0;
            int tp = 0;
            int fp = 0;
            long tpRows = 0;
            List<ThresholdScore> out = new ArrayList<>();
            out.add(new ThresholdScore(Double.POSITIVE_INFINITY, fpCost + windowScore,
                    new Counts(0, 0, scored, 0, outsideRows, windowRows)));
            int i = 0;
            while (i < order.length) {
                double t = score[order[i]];
                boolean windowsChanged = false;
                for (; i < order.length && score[order[i]] == t; i++) {
                    int k = order[i];
                    int w = window[k];
                    if (w < 0) {
                        fp++;
                        fpCost += weight[k];
                    } else {
                        tpRows++;
                        if (!detected[w]) {
                            detected[w] = true;
                            tp++;
                        }
                        if (weight[k] > part[w]) {
                            part[w] = weight[k];
                            windowsChanged = true;
                        }
                    }
                }
                if (windowsChanged) {
                    windowScore = windowScore(part);
                }
                out.add(new ThresholdScore(t, fpCost + windowScore,
                        new Counts(tp, fp, scored - tp, tpRows, outsideRows - fp, windowRows - tpRows)));
            }
            return out;
        }

        /** The windows' part of the raw score, summed in window order (so that equal states give equal sums). */
        private double windowScore(double[] part) {
            double s = 0;
            for (int w = 0; w < part.length; w++) {
                if (scoredWindow[w]) {
                    s += part[w];
                }
            }
            return s;
        }

        /** The report's result for this profile at a threshold. */
        ProfileResult result(double threshold, boolean optimised) {
            Tally t = tally(threshold);
            List<CategoryResult> cats = new ArrayList<>();
            int scoredTotal = 0;
            for (int c = 0; c < categories.size(); c++) {
                int scored = 0;
                for (int w = 0; w < windowCount; w++) {
                    if (scoredWindow[w] && windowCategory[w] == c) {
                        scored++;
                    }
                }
                scoredTotal += scored;
                String name = categories.get(c);
                int series = (int) corpus.series().stream().filter(s -> s.category().equals(name)).count();
                double nullScore = -profile.fnWeight() * scored;
                double perfect = profile.tpWeight() * categoryWindows[c];
                Sums s = t.categories()[c];
                cats.add(new CategoryResult(name, series, categoryWindows[c], s.raw, nullScore, perfect,
                        NabReport.normalise(s.raw, nullScore, perfect), s.counts()));
            }
            double nullScore = -profile.fnWeight() * scoredTotal;
            double perfect = profile.tpWeight() * windowCount;
            return new ProfileResult(profile, threshold, optimised, t.total().raw, nullScore, perfect,
                    NabReport.normalise(t.total().raw, nullScore, perfect), t.total().counts(), cats);
        }
    }
}
