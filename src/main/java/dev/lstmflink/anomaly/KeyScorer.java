package dev.lstmflink.anomaly;

/**
 * Scores one key's events from the model's predictions: residual, smoothed error, a score in [0, 1], the threshold and
 * the anomaly flag, advancing that key's {@link ScoringState}. All the memory is in the state, so one scorer serves
 * every key of a task; the scorer itself only holds the config and work arrays, so it is not thread-safe (one per
 * operator instance, like {@code LstmStepper}). The per-event path allocates nothing but the {@link Result}.
 *
 * <p>Per event, in order:
 * <ol>
 *   <li><b>residual</b> e_t = (1/k) Σ_j |x_j − x̂_j|, the mean absolute error over the k features (k = 1: |x − x̂|). The
 *       mean, not the sum or the max, keeps one scale whatever k is; the features should be on comparable scales
 *       (the model's normalised units);</li>
 *   <li><b>smoothed error</b> e_s = Σ_i (1−α)^i e_{t−i} / Σ_i (1−α)^i with α = 2/(span + 1): pandas'
 *       {@code ewm(span).mean()} as telemanom calls it, kept as a running numerator and denominator. Telemanom's span
 *       is 5% of its 2100-error window (105) because it judges batches after the fact; a stream wants a flag within a
 *       few events of the onset, and a span-105 EWMA lets a one-event spike through at 2% of its height, so the span
 *       is a setting and the default is short (5);</li>
 *   <li><b>score</b>: the fraction of the key's previous smoothed errors in the window (up to W) that are strictly
 *       below e_s, i.e. their empirical CDF just below e_s; 0 for the first event. It is in [0, 1], non-decreasing in
 *       the residual (e_s is increasing in e_t for a given state, and the count is non-decreasing in e_s),
 *       distribution-free like the threshold, unaffected by how far outliers inflate μ and σ, and calibrated: on a
 *       stationary key P(score ≥ t) ≈ 1 − t, which gives the fixed mode a meaning (t = 0.99: about 1% of events). It
 *       saturates at 1 for anything above the whole window, which is why the dynamic mode flags from e_s and ε;</li>
 *   <li>e_s enters the ring (evicting the oldest when W are held);</li>
 *   <li><b>threshold</b> ({@link ScoringConfig.Mode#DYNAMIC}): ε is searched on the window
 *       ({@link DynamicThreshold#search}) when the warm-up completes, then every R events, and also on any event whose
 *       e_s is at or above μ + zMin·σ of the last search, the lowest threshold any candidate z could give. Between
 *       searches the last ε stands. Searching on every event would cost O(W·|z|) per event in telemanom's form
 *       (1000 × 19 passes at the defaults) for a threshold that moves by about one error in W per event on quiet data.
 *       The extra search on a suspicious event is what telemanom does for each new batch: the window the threshold is
 *       searched on includes the errors being judged. Without it, a quiet window often leaves no candidate z passing
 *       the guardrails, ε falls back to μ + 12σ, and a spike would be judged against that until the next scheduled
 *       search. Such events are rare on quiet data (about 1% of events), and an anomaly triggers it only until it
 *       makes up about 1/(1 + zMin²) of the window, so the cost stays bounded;</li>
 *   <li><b>flag</b> (dynamic): after the warm-up, e_s ≥ ε, e_s > μ (which only matters when σ = 0), and the sequence
 *       of flagged errors ending at this event survives pruning against the other sequences of the window and the
 *       largest non-anomalous error ({@link DynamicThreshold#newestSurvives}; paper §3.3). Unlike telemanom, a
 *       stream cannot flag the buffer around a sequence or the past: each event's flag is decided when it arrives,
 *       from the window up to it. (fixed): after the warm-up, score ≥ t.</li>
 * </ol>
 *
 * <p>Cost per event at W = 1000, measured on the 2-core dev machine: about 0.4 µs, nearly all of it the O(W) count of
 * the score (0.36 ns per error); a search (O(W + |z|·|C|), see {@link DynamicThreshold#search}) takes about 2.5 µs and
 * runs on about 3% of quiet events (every R = 50th, plus the suspicious ones); pruning is one O(W) pass on events at
 * or above ε.
 *
 * <p>What is left out of telemanom: the inverted errors (flagging errors that drop far below the mean,
 * {@code e_s_inv}), its absolute-scale sanity checks that depend on the raw values' range ({@code compare_to_epsilon}
 * L338-343), the restriction of new sequences to the last batch and the exclusion of earlier windows' anomalies from
 * the non-anomalous maximum (the stream keeps no flag history), and the severity score of a whole sequence.
 */
public final class KeyScorer {

    /**
     * One scored event.
     *
     * @param residual       e_t, the mean absolute error over the features
     * @param smoothedError  e_s, the EWMA of the residuals (as stored, in float precision)
     * @param score          in [0, 1], the empirical CDF of the key's recent smoothed errors just below e_s
     * @param threshold      dynamic: ε in the units of e_s, NaN until the warm-up completes; fixed: t, in score units
     * @param anomaly        the flag
     */
    public record Result(double residual, double smoothedError, double score, double threshold, boolean anomaly) {
    }

    private final ScoringConfig config;
    private final double decay;
    private final DynamicThreshold.Scratch scratch;

    public KeyScorer(ScoringConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        this.config = config;
        this.decay = 1 - 2 / (config.ewmaSpan() + 1);
        this.scratch = new DynamicThreshold.Scratch(config.window());
    }

    public ScoringConfig config() {
        return config;
    }

    /** The state of a new key. */
    public ScoringState newState() {
        return new ScoringState(config.window());
    }

    /**
     * The mean absolute error over the features, (1/k) Σ |actual_j − predicted_j|.
     *
     * @throws IllegalArgumentException if the arrays are null, empty, of different lengths, or give a non-finite value
     */
    public static double residual(float[] actual, float[] predicted) {
        if (actual == null || predicted == null || actual.length == 0 || actual.length != predicted.length) {
            throw new IllegalArgumentException("actual and predicted must be non-empty and of one length, got "
                    + (actual == null ? "null" : actual.length) + " and "
                    + (predicted == null ? "null" : predicted.length));
        }
        double sum = 0;
        for (int j = 0; j < actual.length; j++) {
            sum += Math.abs((double) actual[j] - predicted[j]);
        }
        double r = sum / actual.length;
        if (!Double.isFinite(r)) {
            throw new IllegalArgumentException("the residual is not finite: an actual or predicted value is NaN or "
                    + "infinite");
        }
        return r;
    }

    /** Scores one event of the key whose state this is: {@link #scoreResidual} of {@link #residual}. */
    public Result score(float[] actual, float[] predicted, ScoringState state) {
        return scoreResidual(residual(actual, predicted), state);
    }

    /**
     * Scores one event given its residual, advancing {@code state}.
     *
     * @throws IllegalArgumentException if the residual is negative or not finite, or the state's window is not this
     *                                  config's; the state is left unchanged
     */
    public Result scoreResidual(double residual, ScoringState state) {
        if (!(residual >= 0) || Double.isInfinite(residual)) {
            throw new IllegalArgumentException("residual must be a finite number >= 0, got " + residual);
        }
        final float[] w = state.window;
        final int cap = w.length;
        if (cap != config.window()) {
            throw new IllegalArgumentException("the state holds a window of " + cap + " errors, the config "
                    + config.window());
        }
        // smoothed error: pandas ewm(span).mean(), adjust=True
        state.ewmaNum = residual + decay * state.ewmaNum;
        state.ewmaDen = 1 + decay * state.ewmaDen;
        final float es = (float) Math.min(state.ewmaNum / state.ewmaDen, Float.MAX_VALUE);   // finite in the ring
        // score: the empirical CDF of the previous errors in the window, just below e_s
        int below = 0;
        for (int i = 0; i < state.size; i++) {   // order does not matter: the filled part is w[0..size) or all of w
            below += w[i] < es ? 1 : 0;           // branch-free: about 0.5 ns per error
        }
        final double score = state.size == 0 ? 0 : (double) below / state.size;
        // into the ring
        w[state.head] = es;
        state.head = state.head + 1 == cap ? 0 : state.head + 1;
        if (state.size < cap) {
            state.size++;
        }
        state.count++;
        final boolean warm = state.count > config.warmup();
        if (config.mode() == ScoringConfig.Mode.FIXED) {
            return new Result(residual, es, score, config.fixedThreshold(), warm && score >= config.fixedThreshold());
        }
        if (state.count >= config.warmup()) {
            state.sinceRecompute++;
            if (state.count == config.warmup() || Double.isNaN(state.epsilon)
                    || state.sinceRecompute >= config.recomputeEvery()
                    || es >= state.mean + config.zMin() * state.std) {
                DynamicThreshold.search(state, config, scratch);
                state.sinceRecompute = 0;
            }
        }
        final double eps = state.epsilon;
        final boolean anomaly = warm && es >= eps && es > state.mean
                && DynamicThreshold.newestSurvives(state, eps, config.errorBuffer(), config.pruneP(), scratch);
        if (anomaly && config.clipAnomalies()) {
            int newest = (state.head == 0 ? cap : state.head) - 1;
            w[newest] = (float) Math.min(w[newest], eps);
        }
        return new Result(residual, es, score, eps, anomaly);
    }
}
