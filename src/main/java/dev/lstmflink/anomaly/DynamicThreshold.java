package dev.lstmflink.anomaly;

/**
 * The two window computations of Hundman et al.'s nonparametric dynamic threshold, on one key's ring of smoothed
 * errors, allocation-free. Line numbers refer to {@code telemanom/errors.py} of github.com/khundman/telemanom (commit
 * 2e6c5b6).
 *
 * <p>{@link #search}: ε = μ + zσ over the window, z maximising (Δμ/μ + Δσ/σ) / (|E_a| + |E_seq|²) (paper §3.2;
 * {@code ErrorWindow.find_epsilon}, L281-322). O(W) per candidate z.
 *
 * <p>{@link #newestSurvives}: whether the sequence of flagged errors that ends at the newest error survives pruning
 * (paper §3.3; {@code compare_to_epsilon} L342-375 for the sequences and the largest non-anomalous error,
 * {@code prune_anoms} L403-415 for the pruning). O(W) plus a sort of the sequence maxima; only needed when the newest
 * error is at or above ε.
 *
 * <p>Where telemanom's {@code ErrorWindow} looks at a window of 2100 errors once per batch of 70, these run on one key's
 * ring of its last W errors: the search every R events, the pruning on each event at or above ε.
 */
final class DynamicThreshold {

    /** {@code find_epsilon}'s guardrails (L314-315): at most 5 sequences ... */
    static final int MAX_SEQUENCES = 5;
    /** ... and fewer than half of the window's errors flagged (buffer included). */
    static final double MAX_FLAGGED_FRACTION = 0.5;
    /** {@code find_epsilon}'s initial best score (L283). */
    static final double INITIAL_BEST = -10_000_000;

    private DynamicThreshold() {
    }

    /**
     * Searches ε on the state's window and stores μ, σ (population), the chosen z and ε in the state. No candidate
     * passing the guardrails (or σ = 0, or μ = 0, where the score is NaN as in numpy) leaves z = zMax, telemanom's
     * {@code sd_lim} (L241-243, L252).
     *
     * <p>Cost: two passes for μ and σ, one to collect the errors at or above the lowest candidate μ + zMin·σ (at most
     * 1/(1 + zMin²) of the window, by Cantelli's inequality: 14% at zMin = 2.5), then one pass over those per
     * candidate z; the statistics of the errors below ε are the window's minus those of the errors above it. So
     * O(W + |z|·|C|) rather than {@code find_epsilon}'s O(W·|z|), with the same result up to rounding.
     */
    static void search(ScoringState s, ScoringConfig c, Scratch sc) {
        final float[] w = s.window;
        final int n = s.size;
        final int cap = w.length;
        final int start = Math.floorMod(s.head - n, cap);
        double sum = 0;
        for (int j = 0, i = start; j < n; j++, i = next(i, cap)) {
            sum += w[i];
        }
        final double mean = sum / n;
        double s1All = 0;
        double s2All = 0;
        for (int j = 0, i = start; j < n; j++, i = next(i, cap)) {
            double d = w[i] - mean;
            s1All += d;
            s2All += d * d;
        }
        final double std = Math.sqrt(s2All / n);
        // the errors that any candidate can flag, in chronological order
        final double lowest = mean + std * c.zMin();
        int m = 0;
        for (int j = 0, i = start; j < n; j++, i = next(i, cap)) {
            if (w[i] >= lowest) {
                sc.pos[m] = j;
                sc.val[m] = w[i];
                m++;
            }
        }
        final int r = c.errorBuffer() - 1;   // np.arange(1, error_buffer): neighbours at distance 1 .. b-1 (L291)
        final int candidates = c.zCandidates();
        double bestScore = INITIAL_BEST;
        double bestZ = c.zMax();
        for (int k = 0; k < candidates; k++) {
            final double z = c.zMin() + k * c.zStep();   // np.arange(2.5, sd_lim, 0.5) (L285)
            final double eps = mean + std * z;           // L286
            // i_anom = indices >= epsilon, each with its buffer, unique (L290-298); groups of consecutive indices (L302)
            int above = 0;
            double a1 = 0;
            double a2 = 0;
            int covered = 0;
            int sequences = 0;
            int gLo = -1;
            int gHi = -1;
            for (int q = 0; q < m; q++) {
                final double v = sc.val[q];
                if (v < eps) {
                    continue;
                }
                above++;
                double d = v - mean;
                a1 += d;
                a2 += d * d;
                final int j = sc.pos[q];
                int lo = Math.max(0, j - r);
                int hi = Math.min(n - 1, j + r);
                if (gLo < 0) {
                    gLo = lo;
                } else if (lo > gHi + 1) {
                    covered += gHi - gLo + 1;
                    if (gHi > gLo) {
                        sequences++;   // E_seq leaves out one-index groups (L304)
                    }
                    gLo = lo;
                }
                gHi = hi;
            }
            if (gLo < 0) {
                continue;   // if len(i_anom) > 0 (L300)
            }
            covered += gHi - gLo + 1;
            if (gHi > gLo) {
                sequences++;
            }
            // pruned_e_s = e_s[e_s < epsilon] (L288): mean and spread of the rest, from sums shifted by μ
            final int below = n - above;
            final double b1 = (s1All - a1) / below;
            final double prunedMean = mean + b1;
            final double prunedStd = Math.sqrt(Math.max(0, (s2All - a2) / below - b1 * b1));
            final double score = ((mean - prunedMean) / mean + (std - prunedStd) / std)
                    / ((double) sequences * sequences + covered);   // L306-311
            if (score >= bestScore && sequences <= MAX_SEQUENCES && covered < n * MAX_FLAGGED_FRACTION) {   // L314
                bestScore = score;
                bestZ = z;
            }
        }
        s.mean = mean;
        s.std = std;
        s.z = bestZ;
        s.epsilon = mean + bestZ * std;   // L319
    }

    /**
     * Whether the newest error of the window, assumed at or above {@code epsilon}, belongs to a sequence that survives
     * pruning. The sequences are the flagged errors (≥ ε) of the whole window, each widened by ±{@code buffer} and
     * merged when they touch (L347-353, L374-375); the largest non-anomalous error is the largest one outside them
     * (L363-371; 0 if there is none, where numpy would raise); the maxima of the sequences, sorted descending, with
     * that error appended, are stepped through and the sequences after the last step whose percent decrease is not
     * below p are reclassified as nominal (L403-415).
     */
    static boolean newestSurvives(ScoringState s, double epsilon, int buffer, double p, Scratch sc) {
        final float[] w = s.window;
        final int n = s.size;
        final int cap = w.length;
        final int start = Math.floorMod(s.head - n, cap);
        int g = 0;
        for (int j = 0, i = start; j < n; j++, i = next(i, cap)) {
            final float v = w[i];
            if (v >= epsilon) {
                int lo = Math.max(0, j - buffer);
                int hi = Math.min(n - 1, j + buffer);
                if (g == 0 || lo > sc.hi[g - 1] + 1) {
                    sc.lo[g] = lo;
                    sc.hi[g] = hi;
                    sc.max[g] = v;
                    g++;
                } else {
                    sc.hi[g - 1] = hi;
                    if (v > sc.max[g - 1]) {
                        sc.max[g - 1] = v;
                    }
                }
            }
        }
        if (g == 0) {
            return false;
        }
        // the largest error outside every widened sequence
        float nonAnomMax = 0;
        int k = 0;
        for (int j = 0, i = start; j < n; j++, i = next(i, cap)) {
            while (k < g && sc.hi[k] < j) {
                k++;
            }
            if ((k == g || j < sc.lo[k]) && w[i] > nonAnomMax) {
                nonAnomMax = w[i];
            }
        }
        final float newest = sc.max[g - 1];   // the last sequence holds the newest error
        // E_seq_max sorted descending (insertion sort: no allocation; the sequences are few)
        for (int a = 1; a < g; a++) {
            float x = sc.max[a];
            int b = a - 1;
            while (b >= 0 && sc.max[b] < x) {
                sc.max[b + 1] = sc.max[b];
                b--;
            }
            sc.max[b + 1] = x;
        }
        double cutoff = Double.POSITIVE_INFINITY;   // nothing survives unless some step's decrease is >= p
        for (int a = 0; a < g; a++) {
            double cur = sc.max[a];
            double nxt = a + 1 < g ? sc.max[a + 1] : nonAnomMax;
            if (!((cur - nxt) / cur < p)) {   // the else branch of L409-414, NaN included, as in Python
                cutoff = cur;
            }
        }
        return newest >= cutoff;
    }

    private static int next(int i, int cap) {
        return i + 1 == cap ? 0 : i + 1;
    }

    /** Work arrays of one scorer (not per key): the search's candidate errors and the pruning's sequences. */
    static final class Scratch {
        final int[] pos;
        final float[] val;
        final int[] lo;
        final int[] hi;
        final float[] max;

        Scratch(int windowCapacity) {
            pos = new int[windowCapacity];
            val = new float[windowCapacity];
            int most = windowCapacity / 2 + 1;   // sequences are >= 2 long (buffer >= 1) and apart
            lo = new int[most];
            hi = new int[most];
            max = new float[most];
        }
    }
}
