package dev.lstmflink.anomaly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-key scorer on synthetic streams: false flags, detection delay, both modes, pruning, warm-up, state. */
class KeyScorerTest {

    private static final double NOISE = 0.1;   // σ of the prediction error on the clean signal

    /** A seasonal sensor value at event t. */
    private static float signal(int t) {
        return (float) (2 + Math.sin(2 * Math.PI * t / 96) + 0.3 * Math.sin(2 * Math.PI * t / 17));
    }

    /** Scores {@code actual[t]} against a prediction that is the clean signal plus Gaussian error. */
    private static List<KeyScorer.Result> run(KeyScorer k, ScoringState s, float[] actual, Random rnd) {
        List<KeyScorer.Result> out = new ArrayList<>(actual.length);
        for (int t = 0; t < actual.length; t++) {
            float predicted = (float) (signal(t) + NOISE * rnd.nextGaussian());
            out.add(k.score(new float[] {actual[t]}, new float[] {predicted}, s));
        }
        return out;
    }

    private static float[] clean(int n) {
        float[] x = new float[n];
        for (int t = 0; t < n; t++) {
            x[t] = signal(t);
        }
        return x;
    }

    @Test
    void cleanSignalWithGaussianResidualsIsRarelyFlagged() {
        // Expected: about 3 flags per 10,000 events (0.02-0.05% measured over seeds and spans while choosing the
        // defaults): the chosen ε is ~3σ of the smoothed errors and pruning drops most chance exceedances. Bound: 0.2%.
        // A plain μ + 2.5σ threshold without pruning would flag over 1%; ε = μ would flag ~40%.
        ScoringConfig c = ScoringConfig.dynamic();
        long flags = 0;
        long scored = 0;
        for (int seed = 0; seed < 10; seed++) {
            KeyScorer k = new KeyScorer(c);
            ScoringState s = k.newState();
            List<KeyScorer.Result> rs = run(k, s, clean(20_000), new Random(seed));
            for (int t = c.warmup(); t < rs.size(); t++) {
                scored++;
                flags += rs.get(t).anomaly() ? 1 : 0;
            }
        }
        double rate = (double) flags / scored;
        assertTrue(rate < 0.002, "false-flag rate " + rate + " (" + flags + " of " + scored + ")");
    }

    @Test
    void injectedSpikesAreFlaggedWithinThreeEvents() {
        // One-event spikes of 8σ of the prediction error, 1,100 events apart: more than the window (W = 1000), so each
        // is judged against clean history. (Measured while choosing the defaults: 8σ spikes 100/100 within 3 events,
        // 6σ about 80%, 5σ about half: the span-5 smoothing passes a third of a one-event spike.) (Closer together, a spike no taller than one still in the window can go
        // unflagged: the search puts ε just under the tallest recent anomaly, since the window includes it, as
        // telemanom's does. W should exceed the spacing of the anomalies one wants to catch at equal height.)
        ScoringConfig c = ScoringConfig.dynamic();
        int missed = 0;
        int spikes = 0;
        long otherFlags = 0;
        for (int seed = 0; seed < 10; seed++) {
            float[] x = clean(12_000);
            List<Integer> at = new ArrayList<>();
            for (int t = 1_000; t < x.length; t += 1_100) {
                x[t] += (float) (8 * NOISE);
                at.add(t);
            }
            KeyScorer k = new KeyScorer(c);
            List<KeyScorer.Result> rs = run(k, k.newState(), x, new Random(100 + seed));
            boolean[] near = new boolean[x.length];
            for (int t0 : at) {
                spikes++;
                boolean hit = false;
                for (int t = t0; t <= t0 + 3; t++) {
                    hit |= rs.get(t).anomaly();
                }
                missed += hit ? 0 : 1;
                for (int t = t0; t < Math.min(x.length, t0 + 20); t++) {
                    near[t] = true;
                }
            }
            for (int t = c.warmup(); t < x.length; t++) {
                otherFlags += !near[t] && rs.get(t).anomaly() ? 1 : 0;
            }
        }
        assertEquals(0, missed, missed + " of " + spikes + " spikes not flagged within 3 events");
        assertTrue(otherFlags < 20, otherFlags + " flags away from the spikes");
    }

    @Test
    void clipAnomaliesKeepsAFlaggedErrorInTheWindowAtTheThresholdItCrossed() {
        // The same events scored twice: with clipping, the window holds min(e_s, ε) for each flagged event and e_s for
        // every other; without, e_s for all. Flags and scores up to the first flag are the same.
        float[] x = clean(3_000);
        for (int t = 1_000; t < x.length; t += 400) {
            x[t] += (float) (10 * NOISE);
        }
        KeyScorer kept = new KeyScorer(ScoringConfig.dynamic());
        KeyScorer clipped = new KeyScorer(ScoringConfig.dynamic().withClipAnomalies(true));
        ScoringState a = kept.newState();
        ScoringState b = clipped.newState();
        List<KeyScorer.Result> ra = run(kept, a, x, new Random(5));
        List<KeyScorer.Result> rb = run(clipped, b, x, new Random(5));
        int firstFlag = -1;
        for (int t = 0; t < x.length && firstFlag < 0; t++) {
            firstFlag = ra.get(t).anomaly() ? t : -1;
        }
        assertTrue(firstFlag >= 1_000, "the first spike is flagged: " + firstFlag);
        assertEquals(ra.subList(0, firstFlag + 1), rb.subList(0, firstFlag + 1));
        // the ring holds event e at e mod W: clipped where the clipped run flagged, e_s elsewhere
        float[] wa = a.window();
        float[] wb = b.window();
        int n = wb.length;
        int flaggedInWindow = 0;
        for (int e = x.length - n; e < x.length; e++) {
            KeyScorer.Result r = rb.get(e);
            float expected = r.anomaly() ? (float) Math.min(r.smoothedError(), r.threshold()) : (float) r.smoothedError();
            assertEquals(expected, wb[e % n], "clipped window, event " + e);
            flaggedInWindow += r.anomaly() ? 1 : 0;
            KeyScorer.Result k = ra.get(e);
            assertEquals((float) k.smoothedError(), wa[e % n], "kept whole, event " + e);
        }
        assertTrue(flaggedInWindow > 0, "the window holds flagged events");
    }

    @Test
    void levelShiftIsFlaggedWithinFiveEvents() {
        ScoringConfig c = ScoringConfig.dynamic();
        for (int seed = 0; seed < 10; seed++) {
            float[] x = clean(4_000);
            int t0 = 3_000 + 37 * seed;
            for (int t = t0; t < x.length; t++) {
                x[t] += (float) (3 * NOISE);   // the sensor's level moves by 3σ of the prediction error and stays
            }
            KeyScorer k = new KeyScorer(c);
            List<KeyScorer.Result> rs = run(k, k.newState(), x, new Random(200 + seed));
            int first = -1;
            for (int t = t0; t < x.length && first < 0; t++) {
                first = rs.get(t).anomaly() ? t : -1;
            }
            assertTrue(first >= t0 && first <= t0 + 5, "seed " + seed + ": shift at " + t0 + ", first flag at " + first);
        }
    }

    @Test
    void fixedModeFlagsTheTopOfTheScoreDistribution() {
        ScoringConfig c = ScoringConfig.fixed(0.99);
        KeyScorer k = new KeyScorer(c);
        ScoringState s = k.newState();
        float[] x = clean(30_000);
        x[25_000] += (float) (8 * NOISE);
        List<KeyScorer.Result> rs = run(k, s, x, new Random(5));
        long flags = 0;
        for (int t = 0; t < rs.size(); t++) {
            KeyScorer.Result r = rs.get(t);
            assertEquals(0.99, r.threshold(), 0.0, "the threshold of the fixed mode is t, in score units");
            assertEquals(t >= c.warmup() && r.score() >= 0.99, r.anomaly(), "event " + t);
            flags += r.anomaly() ? 1 : 0;
        }
        // The score is the empirical CDF of the recent smoothed errors, so score >= 0.99 holds for about 1% of a
        // stationary stream's events (autocorrelation from the smoothing widens the spread, not the mean).
        double rate = (double) flags / (rs.size() - c.warmup());
        assertTrue(rate > 0.005 && rate < 0.02, "flag rate " + rate);
        assertEquals(1.0, rs.get(25_000).score(), 0.0, "the spike is above the whole window");
        assertTrue(rs.get(25_000).anomaly());
        // a stricter t flags a subset
        KeyScorer strict = new KeyScorer(ScoringConfig.fixed(0.999));
        List<KeyScorer.Result> rs2 = run(strict, strict.newState(), x, new Random(5));
        long flags2 = rs2.stream().filter(KeyScorer.Result::anomaly).count();
        assertTrue(flags2 < flags / 3 && flags2 >= 1, flags2 + " vs " + flags);
        for (int t = 0; t < rs.size(); t++) {
            assertTrue(!rs2.get(t).anomaly() || rs.get(t).anomaly(), "event " + t);
        }
    }

    @Test
    void pruningInTheStreamDropsAWeakSecondSequence() {
        // No smoothing (span 1), so e_s is the error itself; quiet errors uniform in [0.9, 1.1]; a strong sequence
        // (3.0 x 3) at t = 300, an ordinary error of 1.38 at t = 450, a weak sequence (1.50, 1.52) at t = 550. One
        // candidate z (2.5; fallback 3.0): with the full range the search would put ε above the weak sequence
        // (flagging the strong one alone gains more per flagged error), and the weak one would go unflagged whatever
        // pruning did. At t = 550, μ + 2.5σ ≈ 1.44: both sequences are above it, 1.38 is the largest error below it,
        // and 1.52 -> 1.38 is a 9% decrease < p = 0.13: the weak sequence is pruned.
        ScoringConfig base = ScoringConfig.dynamic().withWindow(500).withEwmaSpan(1).withZRange(2.5, 3.0, 0.5);
        double[] errors = new double[600];
        Random rnd = new Random(3);
        for (int t = 0; t < errors.length; t++) {
            errors[t] = 0.9 + 0.2 * rnd.nextDouble();
        }
        errors[300] = 3.0;
        errors[301] = 3.0;
        errors[302] = 3.0;
        errors[450] = 1.38;
        errors[550] = 1.50;
        errors[551] = 1.52;

        KeyScorer.Result[] rs = results(base, errors);
        assertTrue(rs[300].anomaly() && rs[301].anomaly() && rs[302].anomaly(), "the strong sequence is flagged");
        for (int t : new int[] {550, 551}) {
            assertTrue(rs[t].threshold() > 1.38 && rs[t].threshold() <= rs[t].smoothedError(),
                    "precondition at " + t + ": 1.38 < ε = " + rs[t].threshold() + " <= e_s = " + rs[t].smoothedError());
            assertFalse(rs[t].anomaly(), "the weak sequence is pruned, event " + t);
        }
        // Controls: the same stream without pruning, or with the ordinary error at 1.0, flags it.
        KeyScorer.Result[] noPruning = results(base.withPruneP(0), errors);
        assertTrue(noPruning[550].anomaly() && noPruning[551].anomaly(), "p = 0 keeps every sequence above ε");
        errors[450] = 1.0;
        KeyScorer.Result[] noBump = results(base, errors);
        assertTrue(noBump[550].anomaly() && noBump[551].anomaly(), "1.52 -> ~1.1 is a large decrease");
        for (int t = 0; t < errors.length; t++) {
            if (t < 300 || (t > 302 && t < 550)) {
                assertFalse(rs[t].anomaly() || noPruning[t].anomaly() || noBump[t].anomaly(), "event " + t);
            }
        }
    }

    private static KeyScorer.Result[] results(ScoringConfig c, double[] errors) {
        KeyScorer k = new KeyScorer(c);
        ScoringState s = k.newState();
        KeyScorer.Result[] r = new KeyScorer.Result[errors.length];
        for (int t = 0; t < errors.length; t++) {
            r[t] = k.scoreResidual(errors[t], s);
        }
        return r;
    }

    @Test
    void scoreIsTheWindowsEmpiricalCdfInZeroOneAndMonotoneInTheResidual() {
        ScoringConfig c = ScoringConfig.dynamic().withWindow(300);
        KeyScorer k = new KeyScorer(c);
        ScoringState s = k.newState();
        Random rnd = new Random(9);
        for (int t = 0; t < 2_000; t++) {
            ScoringState before = s.copy();
            KeyScorer.Result r = k.scoreResidual(Math.abs(rnd.nextGaussian()) * (t % 500 == 0 ? 20 : 1), s);
            assertTrue(r.score() >= 0 && r.score() <= 1, "score " + r.score());
            int below = 0;
            for (int j = 0; j < before.size(); j++) {
                below += before.smoothedError(j) < (float) r.smoothedError() ? 1 : 0;
            }
            assertEquals(before.size() == 0 ? 0 : (double) below / before.size(), r.score(), 0.0, "event " + t);
        }
        // From one state, a larger residual never gives a lower score, and gives a larger smoothed error.
        double lastScore = -1;
        double lastSmoothed = -1;
        for (double residual = 0; residual <= 6; residual += 0.005) {
            KeyScorer.Result r = k.scoreResidual(residual, s.copy());
            assertTrue(r.score() >= lastScore, "score fell at residual " + residual);
            assertTrue(r.smoothedError() >= lastSmoothed, "smoothed error fell at residual " + residual);
            lastScore = r.score();
            lastSmoothed = r.smoothedError();
        }
        assertEquals(1.0, lastScore, 0.0, "a residual far above the window scores 1");
        // Ties count as not below: a key whose errors were all equal scores 0 for that error again, 1 above it.
        KeyScorer raw = new KeyScorer(c.withEwmaSpan(1));
        ScoringState flat = raw.newState();
        for (int t = 0; t < 50; t++) {
            raw.scoreResidual(0.5, flat);
        }
        assertEquals(0.0, raw.scoreResidual(0.5, flat.copy()).score(), 0.0);
        assertEquals(0.0, raw.scoreResidual(0.25, flat.copy()).score(), 0.0);
        assertEquals(1.0, raw.scoreResidual(0.5001, flat.copy()).score(), 0.0);
    }

    @Test
    void thresholdIsSearchedAtTheEndOfTheWarmupEveryREventsAndOnSuspiciousEvents() {
        ScoringConfig c = ScoringConfig.dynamic().withWindow(100).withWarmup(20).withRecomputeEvery(7);
        KeyScorer k = new KeyScorer(c);
        ScoringState s = k.newState();
        Random rnd = new Random(4);
        int sinceSearch = 0;
        int suspicious = 0;
        int quiet = 0;
        for (int n = 1; n <= 2_000; n++) {
            ScoringState before = s.copy();
            KeyScorer.Result r = k.scoreResidual(Math.abs(rnd.nextGaussian()), s);
            sinceSearch++;
            if (n < 20) {
                assertTrue(Double.isNaN(r.threshold()), "no threshold during the warm-up, event " + n);
                continue;
            }
            boolean scheduled = n == 20 || sinceSearch == 7;
            boolean suspect = n > 20 && r.smoothedError() >= before.mean() + c.zMin() * before.std();
            if (scheduled || suspect) {
                assertNotEquals(before.mean(), s.mean(), "searched at event " + n);
                sinceSearch = 0;
                suspicious += suspect && !scheduled ? 1 : 0;
            } else {
                assertEquals(before.epsilon(), r.threshold(), 0.0, "unchanged between searches, event " + n);
                assertEquals(before.mean(), s.mean(), 0.0);
                quiet++;
            }
        }
        assertTrue(suspicious >= 5 && quiet > 1_000, suspicious + " suspicious, " + quiet + " quiet events");
    }

    @Test
    void nothingIsFlaggedDuringTheWarmup() {
        for (ScoringConfig c : new ScoringConfig[] {ScoringConfig.dynamic().withWarmup(200),
            ScoringConfig.fixed(0.99).withWarmup(200)}) {
            float[] x = clean(600);
            x[150] += 50;   // far above anything: flagged if it came after the warm-up
            x[199] += 50;   // the 200th event, the last of the warm-up
            x[400] += 50;
            KeyScorer k = new KeyScorer(c);
            List<KeyScorer.Result> rs = run(k, k.newState(), x, new Random(1));
            for (int t = 0; t < 200; t++) {
                assertFalse(rs.get(t).anomaly(), c.mode() + " event " + (t + 1));
            }
            assertEquals(1.0, rs.get(199).score(), 0.0);
            assertEquals(1.0, rs.get(150).score(), 0.0, "scored, just not flagged");
            assertTrue(rs.get(400).anomaly(), c.mode() + ": the same spike after the warm-up");
        }
    }

    @Test
    void smoothedErrorIsPandasEwmWithAdjust() {
        // pandas: ewm(span=s, adjust=True).mean()[t] = sum_i (1-a)^i x[t-i] / sum_i (1-a)^i, a = 2/(s+1)
        double span = 4;
        double a = 2 / (span + 1);
        KeyScorer k = new KeyScorer(ScoringConfig.dynamic().withEwmaSpan(span));
        ScoringState s = k.newState();
        Random rnd = new Random(2);
        double[] x = new double[300];
        for (int t = 0; t < x.length; t++) {
            x[t] = rnd.nextDouble() * (t == 150 ? 30 : 1);
            double num = 0;
            double den = 0;
            for (int i = 0; i <= t; i++) {
                num += Math.pow(1 - a, i) * x[t - i];
                den += Math.pow(1 - a, i);
            }
            assertEquals((float) (num / den), k.scoreResidual(x[t], s).smoothedError(), 1e-6 * (num / den), "t=" + t);
        }
        ScoringState raw = new KeyScorer(ScoringConfig.dynamic().withEwmaSpan(1)).newState();
        assertEquals(0.75f, new KeyScorer(ScoringConfig.dynamic().withEwmaSpan(1)).scoreResidual(0.75, raw)
                .smoothedError(), 0.0, "span 1 is no smoothing");
    }

    @Test
    void residualIsTheMeanAbsoluteErrorOverFeatures() {
        assertEquals((0.5 + 2 + 0.25) / 3, KeyScorer.residual(new float[] {1, 2, 3}, new float[] {1.5f, 0, 3.25f}),
                1e-12);
        assertEquals(0.5, KeyScorer.residual(new float[] {-1}, new float[] {-0.5f}), 0.0);
        KeyScorer k = new KeyScorer(ScoringConfig.dynamic());
        ScoringState s = k.newState();
        k.scoreResidual(0.3, s);
        ScoringState before = s.copy();
        assertThrows(IllegalArgumentException.class, () -> k.score(new float[] {1, 2}, new float[] {1}, s));
        assertThrows(IllegalArgumentException.class, () -> k.score(new float[0], new float[0], s));
        assertThrows(IllegalArgumentException.class, () -> k.score(new float[] {Float.NaN}, new float[] {1}, s));
        assertThrows(IllegalArgumentException.class, () -> k.score(new float[] {1}, new float[] {Float.POSITIVE_INFINITY}, s));
        assertThrows(IllegalArgumentException.class, () -> k.scoreResidual(-1, s));
        assertThrows(IllegalArgumentException.class, () -> k.scoreResidual(Double.NaN, s));
        assertThrows(IllegalArgumentException.class, () -> k.scoreResidual(1, new ScoringState(50)));
        assertEquals(before, s, "a rejected event leaves the state as it was");
        assertEquals(2.0 / 3, k.score(new float[] {1, 1, 1}, new float[] {2, 1, 0}, s).residual(), 1e-12);
        // a residual beyond float range is kept finite in the window
        KeyScorer raw = new KeyScorer(ScoringConfig.dynamic().withEwmaSpan(1).withWarmup(2));
        ScoringState rs = raw.newState();
        raw.scoreResidual(0.3, rs);
        KeyScorer.Result huge = raw.score(new float[] {Float.MAX_VALUE}, new float[] {-Float.MAX_VALUE}, rs);
        assertEquals(2.0 * Float.MAX_VALUE, huge.residual(), 0.0);
        assertEquals(Float.MAX_VALUE, huge.smoothedError(), 0.0);
        assertTrue(Double.isFinite(rs.epsilon()) && Double.isFinite(raw.scoreResidual(0.3, rs).threshold()));
    }

    @Test
    void aCopiedStateIsIndependent() {
        KeyScorer k = new KeyScorer(ScoringConfig.dynamic().withWindow(64).withWarmup(10).withRecomputeEvery(5));
        ScoringState s = k.newState();
        Random rnd = new Random(8);
        for (int t = 0; t < 100; t++) {
            k.scoreResidual(rnd.nextDouble(), s);
        }
        ScoringState copy = s.copy();
        ScoringState snapshot = s.copy();
        assertEquals(s, copy);
        double[] next = rnd.doubles(80).toArray();
        List<KeyScorer.Result> original = new ArrayList<>();
        for (double r : next) {
            original.add(k.scoreResidual(r, s));
        }
        assertEquals(snapshot, copy, "advancing the original left the copy alone");
        assertNotEquals(s, copy);
        for (int i = 0; i < next.length; i++) {
            assertEquals(original.get(i), k.scoreResidual(next[i], copy), "the copy replays the same results");
        }
        assertEquals(s, copy);
        copy.window()[0] += 1;
        assertNotEquals(s, copy, "the copy's window is its own array");
    }

    @Test
    void thePerEventPathAllocatesNothingButTheResult() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported(), "this JVM cannot measure allocation");
        mx.setThreadAllocatedMemoryEnabled(true);
        for (ScoringConfig c : new ScoringConfig[] {ScoringConfig.dynamic().withRecomputeEvery(10),
            ScoringConfig.fixed(0.99)}) {
            KeyScorer k = new KeyScorer(c);
            ScoringState s = k.newState();
            Random rnd = new Random(6);
            float[] actual = new float[3];
            float[] predicted = new float[3];
            double[] noise = rnd.doubles(4096).toArray();
            int events = 10_000;
            long tid = Thread.currentThread().getId();
            KeyScorer.Result[] kept = new KeyScorer.Result[1024];   // the results escape, so each is allocated
            long best = Long.MAX_VALUE;
            int flagged = 0;
            for (int round = 0; round < 30; round++) {
                long before = mx.getThreadAllocatedBytes(tid);
                for (int i = 0; i < events; i++) {
                    double e = noise[i & 4095] * ((i % 997) == 0 ? 40 : 1);   // some events above ε: pruning runs
                    actual[i % 3] = (float) e;
                    kept[i & 1023] = k.score(actual, predicted, s);
                    flagged += kept[i & 1023].anomaly() ? 1 : 0;
                }
                best = Math.min(best, mx.getThreadAllocatedBytes(tid) - before);
            }
            assertTrue(flagged > 0, "the pruning path ran");
            // one Result (a 5-field record: 12 + 4*8 + 1 bytes, 48 with alignment) per event and nothing else
            assertTrue(best <= 48L * events + 256, c.mode() + ": " + best + " bytes over " + events + " events");
        }
    }
}
