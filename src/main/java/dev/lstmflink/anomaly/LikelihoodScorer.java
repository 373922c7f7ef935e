package dev.lstmflink.anomaly;

/**
 * The default scoring ({@link ScoringConfig.Mode#LIKELIHOOD}): how surprising a key's recent prediction errors are
 * compared with its own error history, on a log scale in [0, 1], the same on every series and in every unit.
 *
 * <p>Per event of a key, with x the event's values (normalised by the model's training statistics) and e_t its
 * prediction error (the mean absolute error over the features, {@link KeyScorer#residual}), in order:
 * <ol>
 *   <li><b>Spatial check</b> (Numenta's NAB detector): after the warm-up, a value more than
 *       {@code spatialTolerance}·(max − min) outside the key's range [min, max] so far makes the score 1.</li>
 *   <li><b>Short-term error</b>: m_t = (1/K) Σ_{i<K} e_{t−i}, the mean of the last K errors.</li>
 *   <li><b>Anomaly likelihood</b> (Ahmad et al. 2017, Neurocomputing 262, eq. 5–7): m_t against the exponentially
 *       weighted mean μ and standard deviation σ of the earlier m (span L): z = (m_t − μ) / max(σ, floor·s), with s
 *       the key's own spread (mean over the features of the exponentially weighted standard deviation of x, span L).
 *       The tail probability Q(z) = ½·erfc(z/√2) becomes the score log(Q + 10⁻¹⁰) / log(10⁻¹⁰), which is Numenta's
 *       {@code computeLogLikelihood}: 0.03 for an ordinary error (z = 0), 0.5 at Q = 10⁻⁵ (z ≈ 4.3), 1 at
 *       Q ≤ 10⁻¹⁰. One-sided: errors smaller than usual are not anomalies (Numenta's reflects them).</li>
 *   <li><b>Level channel</b>: the same likelihood of the mean of the last K_level deviations |x − x̄| of the values
 *       from their exponentially weighted mean x̄ (span L); the score is the larger of the two channels'. A level
 *       that moves and stays is a burst of a few errors to a next-step predictor, which follows it; to this channel
 *       it is a lasting deviation.</li>
 *   <li><b>Rest</b>: an event scoring at or above the threshold is an alert; the next {@code rest} events of the key
 *       score {@code restScale} times their score, so that an anomaly lasting many steps is reported once.</li>
 * </ol>
 * The first {@code warmup} errors of a key only build μ, σ and the range; they score 0 and are never flagged. All
 * statistics are updated after the event is scored, so a score depends on the past and the present event only.
 * Everything is O(k + K + K_level) per event and allocation-free; the state is {@link LikelihoodState}.
 *
 * <p>Why each part: the ablation table in BENCHMARKS.md (NAB v1.1, all 58 series, one configuration).
 */
public final class LikelihoodScorer {

    /** log(10⁻¹⁰): the log score's scale (Numenta's {@code computeLogLikelihood}). */
    private static final double LOG_1E_10 = Math.log(1e-10);

    private final LikelihoodConfig config;
    private final double alpha;

    public LikelihoodScorer(LikelihoodConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.alpha = 1.0 / config.history();
    }

    public LikelihoodConfig config() {
        return config;
    }

    /** The state of a new key of {@code features} values per event. */
    public LikelihoodState newState(int features) {
        return new LikelihoodState(features, config.average(), levelCapacity());
    }

    /**
     * Whether {@code state} is one this scorer can advance for events of {@code features} values: a restored state of
     * other features or window sizes is not (its key's history starts again).
     */
    public boolean fits(LikelihoodState state, int features) {
        return state.features() == features && state.average() == config.average()
                && state.levelAverage() == levelCapacity();
    }

    /** The level channel's ring: one float when the channel is off, so that every state has the same layout. */
    private int levelCapacity() {
        return Math.max(1, config.levelAverage());
    }

    /**
     * Scores one event of the key whose state this is: {@link #score(double, float[], LikelihoodState)} of its
     * residual against the prediction.
     */
    public KeyScorer.Result score(float[] actual, float[] predicted, LikelihoodState state) {
        return score(KeyScorer.residual(actual, predicted), actual, state);
    }

    /**
     * Updates the key's value statistics with an event that has no prediction to score against (a key's first event,
     * or the first after a reset).
     */
    public void observe(float[] x, LikelihoodState state) {
        checkFeatures(x, state);
        observeValues(x, state);
    }

    /**
     * Scores one event given its prediction error, advancing {@code state}.
     *
     * @param error the prediction error e_t, finite and ≥ 0
     * @param x     the event's values (normalised), one per feature of the state
     * @throws IllegalArgumentException if the error is negative or not finite, or x does not fit the state; the state
     *                                  is left unchanged
     */
    public KeyScorer.Result score(double error, float[] x, LikelihoodState state) {
        if (!(error >= 0) || Double.isInfinite(error)) {
            throw new IllegalArgumentException("error must be a finite number >= 0, got " + error);
        }
        checkFeatures(x, state);
        final boolean warm = state.count >= config.warmup();
        final boolean spatial = warm && config.spatialTolerance() > 0 && outsideRange(x, state);
        final double spread = spread(state);
        final double deviation = levelDeviation(x, state);   // against the level before this event
        observeValues(x, state);

        final double m = state.error.push(error);
        final double mLevel = config.levelAverage() > 0 ? state.level.push(deviation) : 0;
        double score = 0;
        if (warm) {
            double minSd = config.floor() * spread;
            score = logScore(state.error.z(m, minSd));
            if (config.levelAverage() > 0) {
                score = Math.max(score, logScore(state.level.z(mLevel, minSd)));
            }
            if (spatial) {
                score = 1;
            }
        }
        state.count++;
        double a = Math.max(alpha, 1.0 / state.count);
        state.error.update(m, a);
        if (config.levelAverage() > 0) {
            state.level.update(mLevel, a);
        }

        if (state.rest > 0) {
            score *= config.restScale();
            state.rest--;
        }
        boolean anomaly = warm && score >= config.threshold();
        if (anomaly) {
            state.rest = config.rest();
        }
        return new KeyScorer.Result(error, m, score, config.threshold(), anomaly);
    }

    /** log(Q(z) + 10⁻¹⁰) / log(10⁻¹⁰), clamped to [0, 1]. */
    static double logScore(double z) {
        double q = z == Double.POSITIVE_INFINITY ? 0 : 0.5 * erfc(z / Math.sqrt(2));
        return Math.min(1, Math.max(0, Math.log(q + 1e-10) / LOG_1E_10));
    }

    /**
     * The complementary error function, by the Chebyshev fit of Numerical Recipes (Press et al., 2nd ed., §6.2,
     * {@code erfcc}): fractional error below 1.2·10⁻⁷ everywhere, far below what the log score resolves.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** Some feature of x lies more than the tolerance times the range outside the key's range so far. */
    private boolean outsideRange(float[] x, LikelihoodState s) {
        for (int j = 0; j < x.length; j++) {
            double range = (double) s.max[j] - s.min[j];
            double tol = config.spatialTolerance() * range;
            if (range > 0 && (x[j] > s.max[j] + tol || x[j] < s.min[j] - tol)) {
                return true;
            }
        }
        return false;
    }

    /** The mean over the features of |x_j − x̄_j|, x̄ the key's long-term level (0 for its first event). */
    private static double levelDeviation(float[] x, LikelihoodState s) {
        if (s.values == 0) {
            return 0;
        }
        double sum = 0;
        for (int j = 0; j < x.length; j++) {
            sum += Math.abs((double) x[j] - s.valueMean[j]);
        }
        return sum / x.length;
    }

    /** The mean over the features of the exponentially weighted standard deviation of the values. */
    private static double spread(LikelihoodState s) {
        double sum = 0;
        for (int j = 0; j < s.valueVar.length; j++) {
            sum += Math.sqrt(s.valueVar[j]);
        }
        return sum / s.valueVar.length;
    }

    private void observeValues(float[] x, LikelihoodState s) {
        s.values++;
        double a = Math.max(alpha, 1.0 / s.values);
        for (int j = 0; j < x.length; j++) {
            float v = x[j];
            if (s.values == 1) {
                s.min[j] = v;
                s.max[j] = v;
            } else {
                s.min[j] = Math.min(s.min[j], v);
                s.max[j] = Math.max(s.max[j], v);
            }
            double diff = v - s.valueMean[j];
            double incr = a * diff;
            s.valueMean[j] = (float) (s.valueMean[j] + incr);
            s.valueVar[j] = (float) ((1 - a) * (s.valueVar[j] + diff * incr));
        }
    }

    private static void checkFeatures(float[] x, LikelihoodState s) {
        if (x == null || x.length != s.features()) {
            throw new IllegalArgumentException("the event has " + (x == null ? "no" : x.length) + " values, the "
                    + "state was made for " + s.features());
        }
        for (int j = 0; j < x.length; j++) {
            if (!Float.isFinite(x[j])) {
                throw new IllegalArgumentException("values[" + j + "] = " + x[j] + " is not finite");
            }
        }
    }
}
