package dev.lstmflink.nab;

import static dev.lstmflink.nab.NabFixtures.CUSTOM;
import static dev.lstmflink.nab.NabFixtures.STANDARD;
import static dev.lstmflink.nab.NabFixtures.scores;
import static dev.lstmflink.nab.NabFixtures.series;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.nab.NabReport.Counts;
import dev.lstmflink.nab.NabReport.ProfileResult;
import dev.lstmflink.nab.NabScorer.ThresholdScore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * NAB v1.1 scoring on hand-made series whose expected values are computed by hand below.
 *
 * <p>Hand arithmetic: NAB's scaled sigmoid {@code σ(x) = 2/(1 + e^{5x}) − 1} is {@code −tanh(2.5x)}, so
 * {@code σ(−1) = tanh(2.5) = 0.9866142981514303}. In a window of W rows ending at row e, row i weighs
 * {@code tp · tanh(2.5 (e − i + 1)/W) / tanh(2.5)}; after it, {@code −fp · tanh(2.5 (i − e)/(W − 1))} up to a
 * position of 3 and exactly {@code −fp} beyond; before the first window exactly {@code −fp}. The custom profile is
 * TP 1, FP 0.5, FN 2 (standard: 1, 0.11, 1). tanh values used: tanh(1.875) = 0.9540452601799487,
 * tanh(1.25) = 0.8482836399575129, tanh(0.625) = 0.5545997223493823, tanh(2) = 0.9640275800758169,
 * tanh(5/6) = 0.6822617902381698, tanh(5/3) = 0.9311096086675776, tanh(3.75) = 0.9988944427261528,
 * tanh(7.5) = 0.9999993881955461.
 */
class NabScorerTest {

    private static final double EPS = 1e-12;

    /** 40 rows (probation: floor(0.15 · 40) = 6 rows, 0..5), one window on rows 8..11 (W = 4). */
    private static final NabSeries S40 = series("alpha/a.csv", 40, new int[] {8, 11});

    private static double raw(NabSeries s, NabProfile p, double threshold, double... rowScore) {
        NabScorer scorer = new NabScorer(NabCorpus.of(List.of(s), List.of(p)));
        return scorer.rawScore(Map.of(s.relativePath(), scores(s.rows(), 0.0, rowScore)), p, threshold);
    }

    @Test
    void probationaryPeriodIsFifteenPercentCappedAt750() {
        assertEquals(0, NabScorer.probationaryRows(6));      // floor(0.9)
        assertEquals(1, NabScorer.probationaryRows(7));      // floor(1.05)
        assertEquals(3, NabScorer.probationaryRows(20));
        assertEquals(6, NabScorer.probationaryRows(40));
        assertEquals(604, NabScorer.probationaryRows(4032)); // floor(604.8), e.g. realKnownCause/ec2_request_latency
        assertEquals(750, NabScorer.probationaryRows(5000));
        assertEquals(750, NabScorer.probationaryRows(5001)); // floor(750.15) capped
        assertEquals(750, NabScorer.probationaryRows(22695));
    }

    @Test
    void scaledSigmoidHasNabsValues() {
        assertEquals(0.9866142981514303, NabScorer.scaledSigmoid(-1.0), EPS);   // tanh(2.5)
        assertEquals(0.8482836399575129, NabScorer.scaledSigmoid(-0.5), EPS);   // tanh(1.25), NAB's 0.84828
        assertEquals(0.0, NabScorer.scaledSigmoid(0.0), EPS);
        assertEquals(-0.9866142981514303, NabScorer.scaledSigmoid(1.0), EPS);
        assertEquals(-0.9999993881955461, NabScorer.scaledSigmoid(3.0), EPS);   // −tanh(7.5): not yet cut
        assertEquals(-1.0, NabScorer.scaledSigmoid(3.0001), 0.0);               // beyond 3: exactly −1
    }

    @Test
    void rowWeightsFollowTheScaledSigmoidOfTheRelativePosition() {
        double[] w = NabScorer.rowWeights(S40, CUSTOM);
        assertEquals(-0.5, w[0], EPS);                   // before any window: −fp (probationary rows too)
        assertEquals(-0.5, w[7], EPS);
        assertEquals(1.0, w[8], EPS);                    // window start: position −4/4 → tp exactly
        assertEquals(0.9669890878000608, w[9], EPS);     // −3/4: tanh(1.875)/tanh(2.5)
        assertEquals(0.8597925669097837, w[10], EPS);    // −2/4: tanh(1.25)/tanh(2.5)
        assertEquals(0.5621241486044829, w[11], EPS);    // −1/4: tanh(0.625)/tanh(2.5)
        assertEquals(-0.3411308951190849, w[12], EPS);   // (12−11)/(4−1) = 1/3: −0.5 tanh(5/6)
        assertEquals(-0.4655548043337888, w[13], EPS);   // 2/3: −0.5 tanh(5/3)
        assertEquals(-0.49330714907571516, w[14], EPS);  // 1: −0.5 tanh(2.5)
        assertEquals(-0.49999969409777306, w[20], EPS);  // 9/3 = 3: −0.5 tanh(7.5)
        assertEquals(-0.5, w[21], 0.0);                  // 10/3 > 3: exactly −fp
        assertEquals(-0.5, w[39], 0.0);
    }

    @Test
    void aMissedWindowCostsTheFalseNegativeWeight() {
        assertEquals(-2.0, raw(S40, CUSTOM, 0.5), EPS);                // nothing detected: −fn
        assertEquals(-1.0, raw(S40, STANDARD, 0.5), EPS);
    }

    @Test
    void probationaryRowsAreNotScored() {
        assertEquals(-2.0, raw(S40, CUSTOM, 0.5, 2, 0.9), EPS);        // row 2: in probation, no FP
        assertEquals(-2.0, raw(S40, CUSTOM, 0.5, 5, 0.9), EPS);        // row 5: the last probationary row
        assertEquals(-2.5, raw(S40, CUSTOM, 0.5, 6, 0.9), EPS);        // row 6: the first scored row, an FP −0.5
    }

    @Test
    void onlyTheEarliestDetectionInAWindowCountsWithItsSigmoidWeight() {
        // rows 9 and 10 detected: the window earns w[9] = tanh(1.875)/tanh(2.5) alone, not w[9] + w[10] = 1.8268
        assertEquals(0.9669890878000608, raw(S40, CUSTOM, 0.5, 9, 0.9, 10, 0.6), EPS);
        assertEquals(0.9669890878000608, raw(S40, CUSTOM, 0.5, 10, 0.9, 9, 0.6), EPS);
        assertEquals(1.0, raw(S40, CUSTOM, 0.5, 8, 0.9, 9, 0.9, 10, 0.9, 11, 0.9), EPS);   // start: tp
        assertEquals(0.5621241486044829, raw(S40, CUSTOM, 0.5, 11, 0.9), EPS);             // last row: still > 0
    }

    @Test
    void falsePositivesCostLessJustAfterAWindowThanFarFromIt() {
        assertEquals(-2.0 - 0.3411308951190849, raw(S40, CUSTOM, 0.5, 12, 0.9), EPS);   // right after the window
        assertEquals(-2.0 - 0.4655548043337888, raw(S40, CUSTOM, 0.5, 13, 0.9), EPS);
        assertEquals(-2.5, raw(S40, CUSTOM, 0.5, 30, 0.9), EPS);                         // far after: −fp
        assertEquals(-2.5, raw(S40, CUSTOM, 0.5, 7, 0.9), EPS);                          // before the window: −fp
        // one TP and two FPs: 1 − 0.5 − 0.3411308951190849
        assertEquals(0.15886910488091508, raw(S40, CUSTOM, 0.5, 7, 0.9, 8, 0.9, 12, 0.9), EPS);
    }

    @Test
    void aWindowPartlyInTheProbationaryPeriodKeepsItsPositions() {
        // 20 rows: probation rows 0..2; window rows 1..4 (W = 4), scored rows 3 and 4
        NabSeries s = series("alpha/p.csv", 20, new int[] {1, 4});
        assertEquals(-2.0, raw(s, CUSTOM, 0.5, 1, 0.9, 2, 0.9), EPS);         // detections in probation only: missed
        assertEquals(0.8597925669097837, raw(s, CUSTOM, 0.5, 3, 0.9), EPS);   // row 3 at −2/4, not the window's tp
    }

    @Test
    void aWindowWhollyInTheProbationaryPeriodCountsOnlyInPerfect() {
        // 40 rows: probation rows 0..5; window rows 1..3 (W = 3)
        NabSeries s = series("alpha/q.csv", 40, new int[] {1, 3});
        assertEquals(0.0, raw(s, CUSTOM, 0.5), EPS);                          // not missed: not scored at all
        assertEquals(0.0, raw(s, CUSTOM, 0.5, 2, 0.9, 4, 0.9), EPS);          // detections in probation ignored
        // row 6: after the window, (6 − 3)/(3 − 1) = 1.5: −0.5 tanh(3.75)
        assertEquals(-0.4994472213630764, raw(s, CUSTOM, 0.5, 6, 0.9), EPS);
        NabScorer scorer = new NabScorer(NabCorpus.of(List.of(s), List.of(CUSTOM)));
        ProfileResult r = scorer.reportAt("d", "c", Map.of(s.relativePath(), scores(40, 0.0)), 0.5).profiles().get(0);
        assertEquals(0.0, r.nullScore(), EPS);   // no scored window: nothing to miss
        assertEquals(1.0, r.perfect(), EPS);     // NAB's perfect counts every labelled window
        assertEquals(new Counts(0, 0, 0, 0, 34, 0), r.counts());
    }

    /**
     * Three series in two categories, scores 0.1 except as listed (custom profile TP 1, FP 0.5, FN 2):
     * <ul>
     *   <li>alpha/a.csv: 40 rows (probation 0..5), window rows 10..19 (W = 10); row 2 = 1.0 (probationary), row 12 =
     *       0.8 (in the window at −8/10: tanh(2)/tanh(2.5) = 0.9771068409226047), row 25 = 0.9 (after it at
     *       (25 − 19)/9 = 2/3: −0.5 tanh(5/3) = −0.4655548043337888);</li>
     *   <li>beta/b.csv: 20 rows (probation 0..2), window rows 12..15 (W = 4); row 5 = 0.7 (before: −0.5), row 12 = 0.6
     *       (the window's start: 1);</li>
     *   <li>beta/c.csv: 20 rows, no window; row 10 = 0.6 (−0.5).</li>
     * </ul>
     */
    private static final NabCorpus SWEEP = NabCorpus.of(List.of(
            series("alpha/a.csv", 40, new int[] {10, 19}),
            series("beta/b.csv", 20, new int[] {12, 15}),
            series("beta/c.csv", 20)), List.of(STANDARD, CUSTOM));

    static Map<String, double[]> sweepScores() {
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put("alpha/a.csv", scores(40, 0.1, 2, 1.0, 12, 0.8, 25, 0.9));
        m.put("beta/b.csv", scores(20, 0.1, 5, 0.7, 12, 0.6));
        m.put("beta/c.csv", scores(20, 0.1, 10, 0.6));
        return m;
    }

    @Test
    void theSweepTriesEveryDistinctScoreOfTheScoredRows() {
        List<ThresholdScore> sweep = new NabScorer(SWEEP).sweep(sweepScores(), CUSTOM);
        // 1.0 is only in probation: not a candidate. Thresholds: none, 0.9, 0.8, 0.7, 0.6, 0.1
        assertEquals(List.of(Double.POSITIVE_INFINITY, 0.9, 0.8, 0.7, 0.6, 0.1),
                sweep.stream().map(ThresholdScore::threshold).toList());
        assertEquals(-4.0, sweep.get(0).raw(), EPS);                          // two windows missed
        assertEquals(-4.465554804333789, sweep.get(1).raw(), EPS);            // + a/25: −0.4655548043337888
        assertEquals(-1.4884479634111842, sweep.get(2).raw(), EPS);           // a's window: −2 → 0.9771068409226047
        assertEquals(-1.9884479634111842, sweep.get(3).raw(), EPS);           // + b/5: −0.5
        assertEquals(0.511552036588816, sweep.get(4).raw(), EPS);             // b's window −2 → 1, c/10 −0.5
        // 0.1: every scored row; the windows earn their first rows (1 + 1), the 54 other scored rows cost
        // a: rows 6..9 4 × −0.5, rows 20..39 −0.5 tanh(2.5k/9) for k = 1..20; b: rows 3..11 9 × −0.5,
        // rows 16..19 −0.5 tanh(2.5k/3) for k = 1..4; c: rows 3..19 17 × −0.5
        double fp = -0.5 * (4 + 9 + 17);
        for (int k = 1; k <= 20; k++) {
            fp -= 0.5 * Math.tanh(2.5 * k / 9);
        }
        for (int k = 1; k <= 4; k++) {
            fp -= 0.5 * Math.tanh(2.5 * k / 3);
        }
        assertEquals(2 + fp, sweep.get(5).raw(), 1e-9);
        assertEquals(-23.789472728922757, sweep.get(5).raw(), 1e-9);
        assertEquals(new Counts(2, 54, 0, 14, 0, 0), sweep.get(5).counts());
        assertEquals(new Counts(0, 0, 2, 0, 54, 14), sweep.get(0).counts());
    }

    @Test
    void theOptimumIsTheBestOfTheSweepAndIsNormalised() {
        NabScorer scorer = new NabScorer(SWEEP);
        ThresholdScore best = scorer.optimise(sweepScores(), CUSTOM);
        assertEquals(0.6, best.threshold(), 0.0);
        assertEquals(0.511552036588816, best.raw(), EPS);

        NabReport report = scorer.report("fixture", "anomaly_score", sweepScores());
        ProfileResult custom = report.profile("custom");
        assertTrue(custom.optimised());
        assertEquals(0.6, custom.threshold(), 0.0);
        assertEquals(0.511552036588816, custom.raw(), EPS);
        assertEquals(-4.0, custom.nullScore(), EPS);          // −fn per window
        assertEquals(2.0, custom.perfect(), EPS);             // tp per window
        assertEquals(75.19253394314693, custom.normalised(), 1e-9);   // 100 · 4.511552036588816 / 6
        // at 0.6: windows a and b detected; FPs a/25, b/5, c/10; window rows detected a/12 and b/12 of 14; the
        // scored rows outside windows: 24 + 13 + 17 = 54, 3 of them detections
        assertEquals(new Counts(2, 3, 0, 2, 51, 12), custom.counts());

        // per category, each with its own null and perfect (−2 and 1: one window each)
        assertEquals(0.5115520365888159, custom.category("alpha").raw(), EPS);   // 0.9771068409 − 0.4655548043
        assertEquals(83.7184012196272, custom.category("alpha").normalised(), 1e-9);   // 100 · 2.5115520366 / 3
        assertEquals(0.0, custom.category("beta").raw(), EPS);                   // 1 − 0.5 − 0.5
        assertEquals(66.66666666666667, custom.category("beta").normalised(), 1e-9);   // 100 · 2 / 3
        assertEquals(2, custom.category("beta").series());

        // standard (FP 0.11, FN 1): none −2, 0.9 −2.1024220569534338, 0.8 −0.12531521603082884,
        // 0.7 −0.23531521603082884, 0.6 −0.2353152160 + 2 − 0.11 = 1.6546847839691712 (best), 0.1 far below
        ProfileResult standard = report.profile("standard");
        assertEquals(0.6, standard.threshold(), 0.0);
        assertEquals(1.6546847839691712, standard.raw(), EPS);
        assertEquals(91.36711959922928, standard.normalised(), 1e-9);   // 100 · 3.6546847839691712 / 4
    }

    @Test
    void aTieGoesToTheHigherThreshold() {
        // 20 rows (probation 0..2), window 10..13: row 10 = 0.8 (the start: 1), row 11 = 0.7 (same window: adds
        // nothing), the rest 0
        NabSeries s = series("alpha/t.csv", 20, new int[] {10, 13});
        NabScorer scorer = new NabScorer(NabCorpus.of(List.of(s), List.of(CUSTOM)));
        Map<String, double[]> x = Map.of(s.relativePath(), scores(20, 0.0, 10, 0.8, 11, 0.7));
        List<ThresholdScore> sweep = scorer.sweep(x, CUSTOM);
        assertEquals(1.0, sweep.get(1).raw(), EPS);
        assertEquals(sweep.get(1).raw(), sweep.get(2).raw(), 0.0);   // 0.7: the same raw score exactly
        ThresholdScore best = scorer.optimise(x, CUSTOM);
        assertEquals(0.8, best.threshold(), 0.0);
        assertEquals(1.0, best.raw(), EPS);
    }

    @Test
    void neverFiringCanBeTheOptimum() {
        // only an FP (row 5, before the window) is high: none −2 beats 0.9 −2.5 and 0 (everything detected)
        NabSeries s = series("alpha/t.csv", 20, new int[] {10, 13});
        NabScorer scorer = new NabScorer(NabCorpus.of(List.of(s), List.of(CUSTOM)));
        NabReport r = scorer.report("d", "c", Map.of(s.relativePath(), scores(20, 0.0, 5, 0.9)));
        assertEquals(Double.POSITIVE_INFINITY, r.profiles().get(0).threshold(), 0.0);
        assertEquals(-2.0, r.profiles().get(0).raw(), EPS);
        assertEquals(0.0, r.profiles().get(0).normalised(), EPS);
        assertTrue(r.table().contains("none (never fires)"), r.table());
    }

    @Test
    void aGivenThresholdDetectsScoresAtOrAboveIt() {
        NabScorer scorer = new NabScorer(SWEEP);
        assertEquals(-1.4884479634111842, scorer.rawScore(sweepScores(), CUSTOM, 0.8), EPS);       // 0.8 included
        assertEquals(-1.4884479634111842, scorer.rawScore(sweepScores(), CUSTOM, 0.75), EPS);      // = the 0.8 entry
        assertEquals(-4.465554804333789, scorer.rawScore(sweepScores(), CUSTOM, 0.8000001), EPS);
        assertEquals(-4.0, scorer.rawScore(sweepScores(), CUSTOM, 1.0), EPS);                      // 1.0 probationary
        NabReport r = scorer.report("fixture", "anomaly_score", sweepScores(),
                Map.of("custom", 0.7, "standard", 0.9));
        assertEquals(-1.9884479634111842, r.profile("custom").raw(), EPS);
        assertEquals(100 * (4 - 1.9884479634111842) / 6, r.profile("custom").normalised(), 1e-9);
        assertEquals(-2.1024220569534338, r.profile("standard").raw(), EPS);
        assertEquals(false, r.profile("custom").optimised());
        assertThrows(IllegalArgumentException.class,
                () -> scorer.report("f", "c", sweepScores(), Map.of("custom", 0.7)));   // no threshold for standard
    }

    @Test
    void normalisationIsRelativeToNullAndPerfect() {
        assertEquals(75.19253394314693, NabReport.normalise(0.511552036588816, -4, 2), 1e-9);
        assertEquals(0.0, NabReport.normalise(-4, -4, 2), 0.0);
        assertEquals(100.0, NabReport.normalise(2, -4, 2), 0.0);
        assertEquals(70.10105611943965, NabReport.normalise(46.6344501971, -116, 116), 1e-8);   // NAB's numenta
        assertTrue(Double.isNaN(NabReport.normalise(-0.22, 0, 0)));   // a category without windows
    }

    @Test
    void scoresThatDoNotFitTheSeriesAreRejectedByName() {
        NabScorer scorer = new NabScorer(SWEEP);
        Map<String, double[]> m = sweepScores();
        m.put("alpha/a.csv", new double[39]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scorer.rawScore(m, CUSTOM, 0.5));
        assertEquals("alpha/a.csv: 39 scores for 40 data rows", e.getMessage());

        Map<String, double[]> nan = sweepScores();
        nan.get("beta/c.csv")[7] = Double.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> scorer.rawScore(nan, CUSTOM, 0.5));
        assertEquals("beta/c.csv: the score of data row 7 is NaN, not a finite number", e.getMessage());

        Map<String, double[]> missing = sweepScores();
        missing.remove("beta/b.csv");
        e = assertThrows(IllegalArgumentException.class, () -> scorer.rawScore(missing, CUSTOM, 0.5));
        assertEquals("no scores for series beta/b.csv", e.getMessage());

        Map<String, double[]> extra = sweepScores();
        extra.put("beta/zzz.csv", new double[3]);
        e = assertThrows(IllegalArgumentException.class, () -> scorer.rawScore(extra, CUSTOM, 0.5));
        assertTrue(e.getMessage().contains("beta/zzz.csv"), e.getMessage());
    }

    @Test
    void windowsMustBeInOrderAndDisjoint() {
        List<java.time.LocalDateTime> t = NabFixtures.timestamps(20);
        NabWindow a = NabWindow.locate(t, t.get(5), t.get(8), "x");
        NabWindow b = NabWindow.locate(t, t.get(8), t.get(10), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NabSeries("c/x.csv", t, List.of(a, b)));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new NabSeries("c/x.csv", t, List.of(b, a)));
        assertThrows(IllegalArgumentException.class, () -> NabWindow.locate(t, t.get(8), t.get(5), "x"));
    }
}
