package dev.lstmflink.anomaly;

import java.io.Serializable;

/**
 * The settings of {@link LikelihoodScorer}, the default scoring: the anomaly likelihood of Ahmad et al. 2017
 * ("Unsupervised real-time anomaly detection for streaming data", Neurocomputing 262, §3.3) over the LSTM's prediction
 * errors, with a second channel on the values' level, a spatial check on new extremes, an error floor relative to the series' own spread and a rest period
 * after each alert. Every setting is checked when the config is built; an error names the setting and the value.
 *
 * @param average    K: the short-term mean m_t is taken over the last K errors (Ahmad et al.: W' = 10)
 * @param levelAverage K_level: the level channel's short-term mean is taken over the last K_level deviations of the
 *                   values from their long-term mean (the exponentially weighted mean of span L), |x_t − x̄|; its
 *                   likelihood is taken as the error's is, and the score is the larger of the two; 0 turns the
 *                   channel off. It finds a level that moves away and stays, which a next-step predictor follows
 *                   after a step or two
 * @param history    L: the span, in events, of the exponentially weighted mean μ and variance σ² of m that m_t is
 *                   compared with (the "long window" W of the paper, 8640 in NAB's runs); the first L events weigh
 *                   equally (a plain running mean), later ones with α = 1/L
 * @param warmup     the first {@code warmup} scored events of a key build μ, σ² and the value range and get score 0;
 *                   a flag always has at least this much history behind it
 * @param floor      σ is never taken below {@code floor} times the key's own spread (the exponentially weighted
 *                   standard deviation of its values over the same span L, mean over the features); this keeps a
 *                   near-perfect prediction of a noise-free series from turning tiny errors into huge surprises, and
 *                   is what makes the score independent of the data's units
 * @param spatialTolerance a value more than this fraction of the key's range (max − min of all its values so far)
 *                   beyond that range scores 1 (the "spatial anomaly" of Numenta's NAB detector, 0.05 there); 0 turns
 *                   the check off
 * @param rest       after an alert (score ≥ threshold), the key's next {@code rest} events score at most
 *                   {@code restScale} times their score: one event is reported once, not on every step it lasts
 *                   (contextOSE's rest period in NAB); 0 turns it off
 * @param restScale  the factor in [0, 1) applied to scores during a rest period
 * @param threshold  the alert: an event is flagged when its score is at or above this, in (0, 1]
 */
public record LikelihoodConfig(int average, int levelAverage, int history, int warmup, double floor,
                               double spatialTolerance, int rest, double restScale, double threshold)
        implements Serializable {

    /** The largest short-term window accepted. */
    public static final int MAX_AVERAGE = 1000;

    public LikelihoodConfig {
        if (average < 1 || average > MAX_AVERAGE) {
            throw new IllegalArgumentException("average must be in [1, " + MAX_AVERAGE + "], got " + average);
        }
        if (levelAverage < 0 || levelAverage > MAX_AVERAGE) {
            throw new IllegalArgumentException("level_average must be in [0, " + MAX_AVERAGE + "], got "
                    + levelAverage);
        }
        if (history < 2) {
            throw new IllegalArgumentException("history must be an integer >= 2, got " + history);
        }
        if (warmup < 2) {
            throw new IllegalArgumentException("warmup must be >= 2 (a spread needs two errors), got " + warmup);
        }
        if (!(floor >= 0) || Double.isInfinite(floor)) {
            throw new IllegalArgumentException("floor must be a finite number >= 0, got " + floor);
        }
        if (!(spatialTolerance >= 0) || Double.isInfinite(spatialTolerance)) {
            throw new IllegalArgumentException("spatial_tolerance must be a finite number >= 0, got "
                    + spatialTolerance);
        }
        if (rest < 0) {
            throw new IllegalArgumentException("rest must be an integer >= 0, got " + rest);
        }
        if (!(restScale >= 0 && restScale < 1)) {
            throw new IllegalArgumentException("rest_scale must be in [0, 1), got " + restScale);
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
    }

    /** The shipped defaults (see config/detect.yaml and BENCHMARKS.md's NAB ablation for how they were chosen). */
    public static LikelihoodConfig defaults() {
        return new LikelihoodConfig(20, 50, 4000, 100, 0.05, 0.05, 100, 0.0, 0.5);
    }
}
