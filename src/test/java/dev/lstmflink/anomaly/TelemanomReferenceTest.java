package dev.lstmflink.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The window computations against direct transcriptions of telemanom's reference code, {@code telemanom/errors.py}
 * of github.com/khundman/telemanom at commit 2e6c5b6: {@code ErrorWindow.find_epsilon} (L269-322) for the threshold
 * search, and {@code compare_to_epsilon} (L324-384, first window: no ignored prefix, no earlier anomalies, without the
 * raw-value scale checks of L338-343) followed by {@code prune_anoms} (L386-435) for pruning. The transcriptions keep
 * the reference's data flow (index arrays with their buffers, {@code np.unique}, consecutive groups, masks) rather than
 * the implementation's one-pass form, so the two are independent. The literal expectations of
 * {@link #handCaseMatchesNumpy} were computed by running the same Python logic with numpy 2.4.6.
 */
class TelemanomReferenceTest {

    // ---- transcription of find_epsilon (errors.py L281-322), sd_lim = 12, z in np.arange(2.5, 12, 0.5) ----

    /** Returns {z, epsilon} as find_epsilon leaves them in {@code sd_threshold} and {@code epsilon}. */
    static double[] findEpsilon(double[] eS, int errorBuffer, double zMin, double sdLim, double zStep) {
        double meanES = mean(eS);
        double sdES = std(eS);
        double sdThreshold = sdLim;                            // L242
        double epsilonOut = meanES + sdLim * sdES;             // L252
        double maxScore = -10000000;                           // L283
        int count = (int) Math.ceil((sdLim - zMin) / zStep);   // np.arange(2.5, self.sd_lim, 0.5)  L285
        for (int k = 0; k < count; k++) {
            double z = zMin + k * zStep;
            double epsilon = meanES + (sdES * z);              // L286
            List<Double> pruned = new ArrayList<>();           // pruned_e_s = e_s[e_s < epsilon]  L288
            for (double v : eS) {
                if (v < epsilon) {
                    pruned.add(v);
                }
            }
            List<Integer> iAnom = new ArrayList<>();           // np.argwhere(e_s >= epsilon)  L290
            for (int i = 0; i < eS.length; i++) {
                if (eS[i] >= epsilon) {
                    iAnom.add(i);
                }
            }
            TreeSet<Integer> buffered = new TreeSet<>();       // buffer = np.arange(1, error_buffer), i±buffer,
            for (int i : iAnom) {                              // in range, sort, unique  L291-298
                buffered.add(i);
                for (int d = 1; d < errorBuffer; d++) {
                    buffered.add(i + d);
                    buffered.add(i - d);
                }
            }
            buffered.removeIf(i -> i >= eS.length || i < 0);
            if (!buffered.isEmpty()) {                         // L300
                List<int[]> groups = consecutiveGroups(buffered);
                int eSeq = 0;                                  // [(g[0], g[-1]) for g in groups if not g[0] == g[-1]]
                for (int[] g : groups) {
                    if (g[0] != g[1]) {
                        eSeq++;
                    }
                }
                double[] p = pruned.stream().mapToDouble(Double::doubleValue).toArray();
                double meanPercDecrease = (meanES - mean(p)) / meanES;   // L306
                double sdPercDecrease = (sdES - std(p)) / sdES;          // L308
                double score = (meanPercDecrease + sdPercDecrease) / ((double) eSeq * eSeq + buffered.size());
                if (score >= maxScore && eSeq <= 5 && buffered.size() < (eS.length * 0.5)) {   // L314
                    maxScore = score;
                    sdThreshold = z;
                    epsilonOut = meanES + z * sdES;
                }
            }
        }
        return new double[] {sdThreshold, epsilonOut};
    }

    // ---- transcription of compare_to_epsilon (L342-384, window 0) and prune_anoms (L395-435) ----

    /** The window indices still anomalous after pruning. */
    static TreeSet<Integer> compareAndPrune(double[] eS, double epsilon, int errorBuffer, double p) {
        TreeSet<Integer> iAnom = new TreeSet<>();
        for (int i = 0; i < eS.length; i++) {                 // np.argwhere(e_s >= epsilon)  L342
            if (eS[i] >= epsilon) {
                iAnom.add(i);
            }
        }
        if (iAnom.isEmpty()) {
            return iAnom;                                      // L345
        }
        for (int i : new ArrayList<>(iAnom)) {                 // buffer = np.arange(1, error_buffer + 1)  L347-353
            for (int d = 1; d <= errorBuffer; d++) {
                iAnom.add(i + d);
                iAnom.add(i - d);
            }
        }
        iAnom.removeIf(i -> i >= eS.length || i < 0);
        double nonAnomMax = Double.NEGATIVE_INFINITY;          // max of e_s outside i_anom  L365-371
        boolean any = false;
        for (int i = 0; i < eS.length; i++) {
            if (!iAnom.contains(i)) {
                nonAnomMax = any ? Math.max(nonAnomMax, eS[i]) : eS[i];
                any = true;
            }
        }
        if (!any) {
            nonAnomMax = 0;                                    // numpy would raise on an empty max
        }
        List<int[]> eSeq = new ArrayList<>();                  // L374-375
        for (int[] g : consecutiveGroups(iAnom)) {
            if (g[0] != g[1]) {
                eSeq.add(g);
            }
        }
        if (eSeq.isEmpty()) {
            return iAnom;                                      // prune_anoms returns early  L400
        }
        double[] eSeqMax = new double[eSeq.size()];            // L403
        for (int s = 0; s < eSeq.size(); s++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = eSeq.get(s)[0]; i <= eSeq.get(s)[1]; i++) {
                m = Math.max(m, eS[i]);
            }
            eSeqMax[s] = m;
        }
        double[] sorted = eSeqMax.clone();                     // np.sort(E_seq_max)[::-1], append non_anom_max
        java.util.Arrays.sort(sorted);
        double[] desc = new double[sorted.length + 1];
        for (int i = 0; i < sorted.length; i++) {
            desc[i] = sorted[sorted.length - 1 - i];
        }
        desc[sorted.length] = nonAnomMax;
        List<Integer> toRemove = new ArrayList<>();            // L407-414
        for (int i = 0; i < desc.length - 1; i++) {
            if ((desc[i] - desc[i + 1]) / desc[i] < p) {
                for (int s = 0; s < eSeqMax.length; s++) {
                    if (eSeqMax[s] == desc[i]) {
                        toRemove.add(s);
                    }
                }
            } else {
                toRemove.clear();
            }
        }
        TreeSet<Integer> keep = new TreeSet<>();               // indices_to_keep, mask  L417-432
        for (int s = 0; s < eSeq.size(); s++) {
            if (!toRemove.contains(s)) {
                for (int i = eSeq.get(s)[0]; i <= eSeq.get(s)[1]; i++) {
                    keep.add(i);
                }
            }
        }
        iAnom.retainAll(keep);
        return iAnom;
    }

    /** more_itertools.consecutive_groups over sorted unique indices, as (first, last) pairs. */
    private static List<int[]> consecutiveGroups(TreeSet<Integer> sorted) {
        List<int[]> groups = new ArrayList<>();
        int first = Integer.MIN_VALUE;
        int last = Integer.MIN_VALUE;
        for (int i : sorted) {
            if (first != Integer.MIN_VALUE && i == last + 1) {
                last = i;
            } else {
                if (first != Integer.MIN_VALUE) {
                    groups.add(new int[] {first, last});
                }
                first = i;
                last = i;
            }
        }
        if (first != Integer.MIN_VALUE) {
            groups.add(new int[] {first, last});
        }
        return groups;
    }

    /** np.mean (NaN when empty). */
    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** np.std, population (ddof = 0), NaN when empty. */
    private static double std(double[] x) {
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    // ---- the implementation on the same arrays ----

    /** A full ring holding {@code e} in chronological order, starting at slot {@code rotate} (to cross the wrap). */
    static ScoringState ring(float[] e, int rotate) {
        float[] w = new float[e.length];
        for (int j = 0; j < e.length; j++) {
            w[(rotate + j) % e.length] = e[j];
        }
        return new ScoringState(e.length, 0, 0, w, rotate % e.length, e.length, 0, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN);
    }

    private static ScoringConfig config(int errorBuffer) {
        return ScoringConfig.dynamic().withWindow(1000).withErrorBuffer(errorBuffer);
    }

    private static double[] widen(float[] e) {
        double[] d = new double[e.length];
        for (int i = 0; i < e.length; i++) {
            d[i] = e[i];
        }
        return d;
    }

    private static final float[] HAND = {0.10f, 0.12f, 0.11f, 0.09f, 0.13f, 0.10f, 0.12f, 0.11f, 0.10f, 0.12f, 0.11f,
        0.95f, 1.00f, 0.90f, 0.12f, 0.10f, 0.11f, 0.13f, 0.09f, 0.10f, 0.12f, 0.11f, 0.10f, 0.45f, 0.12f, 0.10f, 0.11f,
        0.12f, 0.10f, 0.11f};

    @Test
    void handCaseMatchesNumpy() {
        // error_buffer -> (z, epsilon) from numpy running find_epsilon's logic on HAND (as float32 widened to float64):
        // b = 1 flags only the 1.00 (one point, no sequence), b = 2 the 0.95, 1.00, 0.90 with their neighbours,
        // b = 100 covers more than half the window at every z, so the fallback sd_lim = 12 stands.
        Object[][] expected = {{1, 3.0, 0.9737164498213391}, {2, 2.5, 0.8455970411783673},
            {3, 2.5, 0.8455970411783673}, {100, 12.0, 3.279865805394832}};
        for (Object[] row : expected) {
            int b = (Integer) row[0];
            double[] ref = findEpsilon(widen(HAND), b, 2.5, 12.0, 0.5);
            assertEquals((Double) row[1], ref[0], 0.0, "transcription z, b=" + b);
            assertEquals((Double) row[2], ref[1], 1e-12, "transcription epsilon, b=" + b);
            for (int rot : new int[] {0, 7, 29}) {
                ScoringState s = ring(HAND, rot);
                DynamicThreshold.search(s, config(b), new DynamicThreshold.Scratch(HAND.length));
                assertEquals((Double) row[1], s.z(), 0.0, "implementation z, b=" + b + ", rotation " + rot);
                assertEquals((Double) row[2], s.epsilon(), 1e-12, "implementation epsilon, b=" + b);
            }
        }
    }

    @Test
    void searchEqualsFindEpsilonOnRandomWindows() {
        Random rnd = new Random(20180213);
        int[] buffers = {1, 2, 3, 10, 100};
        int distinctZ = 0;
        TreeSet<Double> zs = new TreeSet<>();
        for (int c = 0; c < 400; c++) {
            float[] e = randomErrors(rnd, 20 + rnd.nextInt(400));
            int b = buffers[c % buffers.length];
            double[] ref = findEpsilon(widen(e), b, 2.5, 12.0, 0.5);
            ScoringState s = ring(e, rnd.nextInt(e.length));
            DynamicThreshold.search(s, config(b), new DynamicThreshold.Scratch(e.length));
            assertEquals(ref[0], s.z(), 0.0, "case " + c + " (n=" + e.length + ", b=" + b + ")");
            assertEquals(ref[1], s.epsilon(), 1e-9 * Math.abs(ref[1]), "case " + c);
            zs.add(ref[0]);
        }
        distinctZ = zs.size();
        assertTrue(distinctZ >= 6, "the cases exercise many z values, got " + zs);
    }

    @Test
    void degenerateWindowsFallBackToSdLimLikeTheReference() {
        float[] zeros = new float[50];
        float[] constant = new float[50];
        java.util.Arrays.fill(constant, 0.25f);
        for (float[] e : new float[][] {zeros, constant}) {
            double[] ref = findEpsilon(widen(e), 1, 2.5, 12.0, 0.5);
            ScoringState s = ring(e, 3);
            DynamicThreshold.search(s, config(1), new DynamicThreshold.Scratch(e.length));
            assertEquals(12.0, ref[0], 0.0);
            assertEquals(ref[0], s.z(), 0.0);
            assertEquals(ref[1], s.epsilon(), 0.0);
        }
    }

    @Test
    void anErrorExactlyAtEpsilonIsFlaggedAndTiesGoToTheLargerZ() {
        // Nine zeros and a 10: μ = 1, σ = 3 exactly, so z = 3.0 puts ε exactly on the 10. z = 2.5 and z = 3.0 both flag
        // it alone (e_s >= epsilon, L290) with the same score 2, and a tie goes to the later, larger z (score >=
        // max_score, L314); z = 3.5 flags nothing.
        float[] e = {0, 0, 0, 0, 10, 0, 0, 0, 0, 0};
        double[] ref = findEpsilon(widen(e), 1, 2.5, 12.0, 0.5);
        assertEquals(3.0, ref[0], 0.0);
        assertEquals(10.0, ref[1], 0.0);
        ScoringState s = ring(e, 4);
        DynamicThreshold.search(s, config(1), new DynamicThreshold.Scratch(e.length));
        assertEquals(3.0, s.z(), 0.0);
        assertEquals(10.0, s.epsilon(), 0.0);
    }

    @Test
    void moreThanFiveSequencesFailTheGuardrail() {
        // k equal, well separated sequences (2 errors of 5.0 each) on a floor of 1.0 +- 0.05: any z flags all k or
        // none. For k <= 5 a z is chosen; for k = 6 no candidate passes (len(E_seq) <= 5, L314) and z stays sd_lim.
        for (int k = 1; k <= 7; k++) {
            float[] e = new float[400];
            for (int i = 0; i < e.length; i++) {
                e[i] = 1.0f + (i % 3 - 1) * 0.05f;
            }
            for (int q = 0; q < k; q++) {
                e[30 + 50 * q] = 5f;
                e[31 + 50 * q] = 5f;
            }
            double[] ref = findEpsilon(widen(e), 1, 2.5, 12.0, 0.5);
            ScoringState s = ring(e, 0);
            DynamicThreshold.search(s, config(1), new DynamicThreshold.Scratch(e.length));
            assertEquals(k <= 5, ref[0] < 12.0, "transcription, k=" + k + ": z=" + ref[0]);
            assertEquals(ref[0], s.z(), 0.0, "k=" + k);
            assertEquals(ref[1], s.epsilon(), 1e-12, "k=" + k);
        }
    }

    @Test
    void pruningEqualsComparePlusPruneAnomsOnRandomWindows() {
        Random rnd = new Random(13);
        int[] buffers = {1, 2, 5, 20};
        double[] ps = {0.0, 0.05, 0.13, 0.3};
        int survived = 0;
        int pruned = 0;
        for (int c = 0; c < 2000; c++) {
            float[] e = randomErrors(rnd, 20 + rnd.nextInt(300));
            int b = buffers[c % buffers.length];
            double p = ps[(c / buffers.length) % ps.length];
            // a threshold between the 80th and 99th percentile, and a newest error at or above it
            float[] sorted = e.clone();
            java.util.Arrays.sort(sorted);
            double eps = sorted[(int) (e.length * (0.8 + 0.19 * rnd.nextDouble()))];
            if (e[e.length - 1] < eps) {
                e[e.length - 1] = (float) (eps * (1 + 0.3 * rnd.nextDouble()));
            }
            boolean ref = compareAndPrune(widen(e), eps, b, p).contains(e.length - 1);
            ScoringState s = ring(e, rnd.nextInt(e.length));
            boolean ours = DynamicThreshold.newestSurvives(s, eps, b, p, new DynamicThreshold.Scratch(e.length));
            assertEquals(ref, ours, "case " + c + " (n=" + e.length + ", b=" + b + ", p=" + p + ")");
            if (ref) {
                survived++;
            } else {
                pruned++;
            }
        }
        assertTrue(survived > 200 && pruned > 200, "both outcomes are exercised: " + survived + " / " + pruned);
    }

    @Test
    void pruningRemovesAWeakSecondarySequence() {
        // A quiet window (errors 1.0, with one ordinary bump to 2.6) holding a strong sequence (max 8) and a weak one
        // (max 2.8) that ends at the newest error; epsilon = 2.7 flags both. Sorted maxima: 8, 2.8, then the largest
        // non-anomalous error 2.6: the step 8 -> 2.8 is a 65% decrease (>= p), the step 2.8 -> 2.6 only 7% (< p), so
        // the weak sequence is reclassified as nominal and the strong one stays.
        float[] e = new float[200];
        java.util.Arrays.fill(e, 1.0f);
        e[40] = 2.6f;
        e[100] = 5f;
        e[101] = 8f;
        e[102] = 6f;
        e[198] = 2.75f;
        e[199] = 2.8f;
        DynamicThreshold.Scratch sc = new DynamicThreshold.Scratch(e.length);
        assertFalse(DynamicThreshold.newestSurvives(ring(e, 0), 2.7, 5, 0.13, sc), "the weak sequence is pruned");
        assertFalse(compareAndPrune(widen(e), 2.7, 5, 0.13).contains(199), "and the reference prunes it too");
        assertTrue(compareAndPrune(widen(e), 2.7, 5, 0.13).contains(101), "the strong sequence stays");
        // Controls: without pruning, or with the ordinary bump lower (2.8 -> 2.0 is a 29% decrease), it stays.
        assertTrue(DynamicThreshold.newestSurvives(ring(e, 0), 2.7, 5, 0.0, sc));
        e[40] = 2.0f;
        assertTrue(DynamicThreshold.newestSurvives(ring(e, 0), 2.7, 5, 0.13, sc));
        // The strong sequence, when it is the newest, survives.
        float[] strongLast = java.util.Arrays.copyOf(e, 103);
        strongLast[40] = 2.6f;
        assertTrue(DynamicThreshold.newestSurvives(ring(strongLast, 0), 2.7, 5, 0.13, sc));
    }

    /**
     * Smoothed-error-like windows: a positive AR(1) floor, with 0 to 8 anomalous sequences of assorted height and
     * length, sometimes with repeated values (ties).
     */
    static float[] randomErrors(Random rnd, int n) {
        float[] e = new float[n];
        double level = 0.2 + rnd.nextDouble();
        double x = level;
        for (int i = 0; i < n; i++) {
            x = level + 0.8 * (x - level) + 0.1 * level * rnd.nextGaussian();
            e[i] = (float) Math.abs(x);
        }
        int seqs = rnd.nextInt(9);   // up to 8: around the guardrail of 5 sequences
        for (int s = 0; s < seqs; s++) {
            int at = rnd.nextInt(n);
            int len = 1 + rnd.nextInt(Math.max(1, n / 20));
            double h = level * (1.5 + 6 * rnd.nextDouble());
            for (int i = at; i < Math.min(n, at + len); i++) {
                e[i] += (float) (h * (0.7 + 0.3 * rnd.nextDouble()));
            }
        }
        if (rnd.nextInt(5) == 0) {
            for (int i = 0; i < n; i++) {
                e[i] = Math.round(e[i] * 20) / 20f;   // ties
            }
        }
        return e;
    }
}
