package dev.lstmflink.anomaly;

import java.io.Serializable;

/**
 * How {@link KeyScorer} turns each key's prediction residuals into a score and an anomaly flag. Every setting is checked
 * when the config is built, and an error names the setting and the value.
 *
 * <p>The dynamic threshold is the nonparametric one of Hundman et al. 2018 ("Detecting Spacecraft Anomalies Using LSTMs
 * and Nonparametric Dynamic Thresholding", KDD 2018, arXiv:1802.04431, §3.2 and §3.3), made streaming and per key; its
 * reference implementation is {@code telemanom/errors.py} of github.com/khundman/telemanom, whose names are given below
 * where a setting is one of its parameters.
 *
 * @param mode            {@link Mode#DYNAMIC}: flag when the smoothed error is at or above the key's dynamic threshold
 *                        ε and its sequence survives pruning; {@link Mode#FIXED}: flag when the score is at or above
 *                        {@code fixedThreshold}
 * @param window          W, the number of most recent smoothed errors per key that the threshold and the score are
 *                        computed from (telemanom: {@code batch_size · window_size} = 70 · 30 = 2100); the state holds
 *                        them, so it is 72 + 4·W bytes per key (see {@link ScoringState})
 * @param recomputeEvery  R: ε is searched again every R events, and on any event whose smoothed error reaches
 *                        μ + zMin·σ (see {@link KeyScorer}); telemanom re-evaluates once per batch of
 *                        {@code batch_size} = 70 values
 * @param warmup          the first {@code warmup} events of a key are never flagged; the first threshold is computed
 *                        on the event that completes the warm-up, so a flag always has at least {@code warmup} errors
 *                        of history behind it
 * @param ewmaSpan        span s of the exponentially weighted moving average that smooths the residuals, in events:
 *                        α = 2 / (s + 1), with the start-up bias correction of pandas' {@code ewm(span=s).mean()}
 *                        ({@code adjust=True}), which is what telemanom calls; s = 1 turns smoothing off
 * @param zMin            the smallest number of standard deviations tried (telemanom: 2.5)
 * @param zMax            the candidates are zMin, zMin + zStep, ... below zMax, as {@code np.arange(2.5, sd_lim, 0.5)};
 *                        zMax itself ({@code sd_lim} = 12) is the fallback when no candidate passes the guardrails
 * @param zStep           the step between candidate z values (telemanom: 0.5)
 * @param pruneP          p, the minimum percent decrease between sorted sequence maxima for a sequence to stay an
 *                        anomaly (telemanom: {@code p} = 0.13); 0 disables pruning
 * @param errorBuffer     telemanom's {@code error_buffer}: each error above a candidate threshold counts with its
 *                        b − 1 neighbours on either side in the search (as {@code find_epsilon} does), and flagged errors at
 *                        most 2b + 1 apart form one sequence whose ±b neighbours are not "non-anomalous" for pruning
 *                        (as {@code compare_to_epsilon} does); 1 gives the paper's formula exactly. Telemanom uses 100
 *                        on a 2100-error window
 * @param fixedThreshold  t in (0, 1], {@link Mode#FIXED} only: flag when score ≥ t; the score is the empirical CDF of
 *                        the key's recent smoothed errors, so t = 0.99 flags about 1% of a stationary key's events
 * @param clipAnomalies   a flagged event's smoothed error is kept in the window clipped to the ε it was flagged
 *                        against, so that one anomaly does not widen the spread (σ) every later threshold of the next
 *                        W events is measured in and hide the next anomaly; false keeps it whole, as telemanom does
 *                        (its windows are judged in batches, after the fact)
 * @param likelihood      the settings of {@link Mode#LIKELIHOOD} ({@link LikelihoodScorer})
 */
public record ScoringConfig(
        Mode mode, int window, int recomputeEvery, int warmup, double ewmaSpan, double zMin, double zMax, double zStep,
        double pruneP, int errorBuffer, double fixedThreshold, boolean clipAnomalies, LikelihoodConfig likelihood)
        implements Serializable {

    /** The largest window accepted: 4 MiB of state per key. */
    public static final int MAX_WINDOW = 1 << 20;
    /** The most candidate z values accepted, which bounds the cost of one threshold search to 1000 passes over W. */
    public static final int MAX_Z_CANDIDATES = 1000;

    /** How an event is flagged. */
    public enum Mode {
        /** {@link LikelihoodScorer}: the anomaly likelihood of the prediction errors, flagged at its threshold. */
        LIKELIHOOD,
        /** Hundman et al.'s nonparametric dynamic threshold on the smoothed error, with pruning. */
        DYNAMIC,
        /** A fixed threshold on the score. */
        FIXED
    }

    public ScoringConfig {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be LIKELIHOOD, DYNAMIC or FIXED, got null");
        }
        if (likelihood == null) {
            throw new IllegalArgumentException("likelihood settings must not be null");
        }
        if (window < 10 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be in [10, " + MAX_WINDOW + "], got " + window);
        }
        if (recomputeEvery < 1) {
            throw new IllegalArgumentException("recompute-every must be >= 1, got " + recomputeEvery);
        }
        if (warmup < 2) {
            throw new IllegalArgumentException("warmup must be >= 2 (a threshold needs a spread), got " + warmup);
        }
        if (!(ewmaSpan >= 1) || Double.isInfinite(ewmaSpan)) {
            throw new IllegalArgumentException("ewma-span must be a finite number >= 1, got " + ewmaSpan);
        }
        if (!(zMin > 0) || Double.isInfinite(zMin)) {
            throw new IllegalArgumentException("z-min must be a finite number > 0, got " + zMin);
        }
        if (!(zStep > 0) || Double.isInfinite(zStep)) {
            throw new IllegalArgumentException("z-step must be a finite number > 0, got " + zStep);
        }
        if (!(zMax > zMin) || Double.isInfinite(zMax)) {
            throw new IllegalArgumentException("z-max must be a finite number > z-min (" + zMin + "), got " + zMax);
        }
        if (Math.ceil((zMax - zMin) / zStep) > MAX_Z_CANDIDATES) {
            throw new IllegalArgumentException("(z-max - z-min) / z-step must give at most " + MAX_Z_CANDIDATES
                    + " candidates, got " + Math.ceil((zMax - zMin) / zStep));
        }
        if (!(pruneP >= 0 && pruneP < 1)) {
            throw new IllegalArgumentException("prune-p must be in [0, 1), got " + pruneP);
        }
        if (errorBuffer < 1 || errorBuffer >= window) {
            throw new IllegalArgumentException("error-buffer must be in [1, window), got " + errorBuffer);
        }
        if (!(fixedThreshold > 0 && fixedThreshold <= 1)) {
            throw new IllegalArgumentException("fixed-threshold must be in (0, 1], got " + fixedThreshold);
        }
    }

    /**
     * The dynamic threshold with telemanom's z range (2.5 to 11.5 by 0.5, fallback 12) and p = 0.13, on a window of
     * 1000 errors recomputed every 50 events, a span-5 EWMA, an error buffer of 5 and 100 warm-up events.
     */
    public static ScoringConfig dynamic() {
        return new ScoringConfig(Mode.DYNAMIC, 1000, 50, 100, 5, 2.5, 12.0, 0.5, 0.13, 5, 0.99, false,
                LikelihoodConfig.defaults());
    }

    /** The fixed mode: flag when score ≥ t; the other settings as {@link #dynamic()}. */
    public static ScoringConfig fixed(double t) {
        return dynamic().withMode(Mode.FIXED).withFixedThreshold(t);
    }

    /** The number of candidate z values: zMin + i·zStep for i in [0, count), as {@code np.arange(zMin, zMax, zStep)}. */
    public int zCandidates() {
        return (int) Math.ceil((zMax - zMin) / zStep);
    }

    public ScoringConfig withMode(Mode m) {
        return new ScoringConfig(m, window, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, pruneP, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withWindow(int w) {
        return new ScoringConfig(mode, w, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, pruneP, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withRecomputeEvery(int r) {
        return new ScoringConfig(mode, window, r, warmup, ewmaSpan, zMin, zMax, zStep, pruneP, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withWarmup(int n) {
        return new ScoringConfig(mode, window, recomputeEvery, n, ewmaSpan, zMin, zMax, zStep, pruneP, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withEwmaSpan(double s) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, s, zMin, zMax, zStep, pruneP, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withZRange(double min, double max, double step) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, ewmaSpan, min, max, step, pruneP, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withPruneP(double p) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, p, errorBuffer,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withErrorBuffer(int b) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, pruneP, b,
                fixedThreshold, clipAnomalies, likelihood);
    }

    public ScoringConfig withClipAnomalies(boolean clip) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, pruneP,
                errorBuffer, fixedThreshold, clip, likelihood);
    }

    public ScoringConfig withLikelihood(LikelihoodConfig l) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, pruneP,
                errorBuffer, fixedThreshold, clipAnomalies, l);
    }

    /** The default scoring: {@link Mode#LIKELIHOOD} with {@link LikelihoodConfig#defaults()}. */
    public static ScoringConfig likelihoodDefaults() {
        return dynamic().withMode(Mode.LIKELIHOOD);
    }

    public ScoringConfig withFixedThreshold(double t) {
        return new ScoringConfig(mode, window, recomputeEvery, warmup, ewmaSpan, zMin, zMax, zStep, pruneP,
                errorBuffer, t, clipAnomalies, likelihood);
    }
}
