package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.LikelihoodScorer;
import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.anomaly.ScoringState;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.keyed.KeyState;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.flink.keyed.ModelShape;
import dev.lstmflink.flink.keyed.ShapeGuard;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.Normalization;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anomaly detection per key (issue 5, "Scoring"): the model predicts each key's next values from the key's LSTM state,
 * and each event is scored against the prediction made for it at the key's previous event.
 *
 * <p>Per event x_t of a key (raw units):
 * <ol>
 *   <li>x_t is checked (value count = the model's numeric inputs, all finite) and otherwise goes to
 *       {@link LstmStreams#REJECTED} with reason {@link RejectedEvent#INVALID}; with an embedding its ids are checked
 *       too (count = ids_per_step, each in {@code [0, num_embeddings)}), otherwise reason {@link RejectedEvent#BAD_ID};
 *       either way nothing of the key's state changes;</li>
 *   <li>x_norm = (x_t − mean) / std with the model's {@code normalization} metadata (identity when it has none);</li>
 *   <li>if the key has a prediction x̂_t from its previous event, the scorer of the configured mode gives residual,
 *       score, threshold and flag (residual in normalised units): {@link LikelihoodScorer#score}(x_norm, x̂_t)
 *       advancing the key's {@link LikelihoodState} (the default), or {@link KeyScorer#score}(x_norm, x̂_t) advancing
 *       its {@link ScoringState} (dynamic and fixed modes); without a prediction the likelihood mode still records
 *       x_norm in the key's value statistics;</li>
 *   <li>the LSTM steps with [x_norm ; E[ids]] (the embedding's rows appended, {@link Embedding#input}; x_norm alone
 *       without an embedding) and x̂_{t+1} = head(h_t) is stored for the next event;</li>
 *   <li>one {@link Detection} is emitted, its prediction x̂_t in raw units (x̂·std + mean), null on a key's first
 *       event.</li>
 * </ol>
 * An event with {@code reset} starts the key's LSTM again from zero and has no prediction (so no score); the key's
 * scoring state (its recent error distribution) is kept.
 *
 * <p>State per key, all Flink keyed state: {@code lstm-state} ({@link KeyState}: h, c, step count, last event time),
 * {@code prediction} (x̂ for the next event, normalised, k floats) and the scoring mode's: {@code likelihood}
 * ({@link LikelihoodState}, by {@link LikelihoodStateSerializer}; likelihood mode) or {@code scoring}
 * ({@link ScoringState}, 72 + 4·W bytes, by {@link ScoringStateSerializer}; dynamic and fixed modes); in event-time
 * mode also {@code detect-buffer} (the events waiting for the watermark) and their timers. A key restored from a
 * savepoint of the other scoring mode (e.g. one written by the dynamic mode, the default before the likelihood mode)
 * continues its LSTM state, prediction and step count; its scoring history starts again at its next scored event
 * (the warm-up runs again: one mode's history cannot be turned into the other's), and the other mode's state is
 * dropped then.
 *
 * <p>Validation, order, the LSTM's step in keyed state, idle expiry and the restore rule are the per-key engine's
 * ({@link KeyedLstmEngine}, shared with the plain LSTM operator); this class adds what is the detector's own, as the
 * engine's hook: normalisation, scoring, prediction and the {@link Detection}.
 *
 * <p>Order ({@link DetectOptions#eventTime}): in processing-time mode events are scored on arrival. In event-time mode
 * each key's events wait in keyed state until the watermark passes them and are scored in timestamp order, ties in
 * arrival order; an event more than the allowed lateness behind the watermark goes to {@link LstmStreams#REJECTED}
 * with reason {@link RejectedEvent#LATE} and changes nothing; one at or behind the watermark but within the allowed
 * lateness is scored at once, after what its key has already scored. A key whose waiting events get no newer event for
 * {@link DetectOptions#quietRelease} (processing time) has them scored without the watermark: a sensor that goes quiet,
 * or an input that stops, still gets its last readings scored. An event of that key that then arrives with an older
 * timestamp (still ahead of the watermark) is scored after them.
 *
 * <p>Idle expiry ({@link DetectOptions#idleTimeout} &gt; 0): a key that had no event for the timeout starts again as a
 * new key (no prediction on its next event, an empty error history). Processing time: a {@code StateTtlConfig} on the
 * three value states (Flink's TTL runs on processing time only). Event time: a key whose next event comes the timeout
 * or more after its last one starts again, whenever the watermark gets there; and one event-time timer per key, at the
 * last event time + the timeout rounded up to a second, clears the state of keys that never come back.
 *
 * <p>Restored state and the model ({@link DetectOptions#onStateMismatch}, {@link ShapeGuard}): every checkpoint also
 * stores, as operator state {@value ShapeGuard#STATE_NAME}, the shape of the model that wrote the keyed state ({@link ModelShape}: input size,
 * hidden size, layers, projection). A restore compares it with the model given before any key is touched. When they
 * differ, {@link OnStateMismatch#FAIL} refuses to start with a message naming both shapes, wrapped in a
 * {@link SuppressRestartsException} (a restart would fail the same way); {@link OnStateMismatch#RESET}
 * starts, and each key whose stored h/c or prediction has other lengths than the model's starts again as a new key on
 * its next event. State without a stored shape (a savepoint of a build before the shape was stored) is checked key by
 * key only, by the lengths of its h/c and prediction, with the same policy; so is a key that a reset-mode run has not
 * reached yet when the next savepoint is taken (that savepoint stores the new shape).
 *
 * <p>Metrics: {@link DetectMetrics} (scored, anomalies, the model version, processing time per event, keys in state);
 * on the operator's group the engine's counters {@value #METRIC_KEYS_STARTED} (first events of keys, including keys
 * restarted after idle expiry or a state reset; not {@code reset} events) and {@value #METRIC_STATE_RESETS} (keys
 * whose restored state did not fit the model and was cleared), the last also an accumulator of that name
 * ({@link RunCounts#stateResets}).
 *
 * <p>The model needs a head with k outputs, k its numeric inputs (input_size less the embedded ids' width): it
 * predicts the next step's numeric values, and the residual and score are over those (the ids are inputs only);
 * {@link #open} fails with a message naming the model otherwise. The model's bytes travel with the function and are
 * parsed once per task; the step's input and the normalised values are written into buffers allocated then.
 */
public class DetectFunction extends KeyedProcessFunction<String, SensorEvent, Detection>
        implements CheckpointedFunction, KeyedLstmEngine.Hook<Detection>, KeyedLstmEngine.Owner<Detection> {

    private static final long serialVersionUID = 1L;

    /** The model version of the detector without a model, in every {@link Detection} and message. */
    public static final String NO_MODEL = "none (last value)";
    /** The metadata entry with the training data's normalization, {@code {"mean": [...], "std": [...]}}. */
    public static final String NORMALIZATION_KEY = "normalization";
    /** Counter: keys started, first seen or restarted after idle expiry or a state reset (the engine's). */
    public static final String METRIC_KEYS_STARTED = KeyedLstmEngine.METRIC_KEYS_STARTED;
    /** Counter and accumulator: keys whose restored state did not fit the model and started again (reset mode). */
    public static final String METRIC_STATE_RESETS = KeyedLstmEngine.METRIC_STATE_RESETS;
    /** Operator state (union list): the {@link ModelShape} of the model that wrote the keyed state, one per subtask. */
    static final String SHAPE_STATE = ShapeGuard.STATE_NAME;
    /** The event-time buffer's state names: {@code detect-buffer}, {@code detect-release-timer}. */
    static final String BUFFER_PREFIX = "detect";

    private static final Logger LOG = LoggerFactory.getLogger(DetectFunction.class);

    private final ScoringConfig scoringConfig;
    private final DetectOptions options;
    private final byte[] modelBytes;
    private final String modelSource;
    /** Without a model (modelBytes null): the numeric values per event; else 0. */
    private final int valuesWithoutModel;

    private transient LstmModel model;
    private transient LinearHead head;
    private transient Normalization normalization;
    private transient KeyScorer scorer;
    /** The likelihood mode's scorer, or null in the dynamic and fixed modes. */
    private transient LikelihoodScorer likelihood;
    /** The numeric values per event (the model's numeric inputs), also the head's outputs. */
    private transient int k;
    private transient DetectState state;
    private transient KeyedLstmEngine<Detection> engine;
    /** Processing-time idle expiry: the value states expire by TTL. */
    private transient boolean ttl;
    /** Per place in the engine's wave: the prediction for that key's event, read by {@link #load}; null if none. */
    private transient float[][] predictions;
    private transient DetectMetrics metrics;
    /** This model's shape, written into the operator state on every checkpoint. */
    private transient ModelShape shape;
    private transient ShapeGuard shapes;
    /** Set by {@link #serveRestored}: the model to serve instead of the given one, or null. */
    private transient LstmModel restored;
    /** Whether this subtask has logged a key restored from a savepoint of the other scoring mode. */
    private transient boolean loggedModeSwitch;

    /**
     * @param scoring     how residuals become scores and flags
     * @param options     event order and idle-key expiry
     * @param modelBytes  a model file (safetensors) with an LSTM and a head of one output per numeric input
     * @param modelSource its name, for error messages
     */
    public DetectFunction(ScoringConfig scoring, DetectOptions options, byte[] modelBytes, String modelSource) {
        if (scoring == null) {
            throw new IllegalArgumentException("scoring config must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("detect options must not be null");
        }
        this.scoringConfig = scoring;
        this.options = options;
        this.modelBytes = modelBytes.clone();
        this.modelSource = modelSource;
        this.valuesWithoutModel = 0;
    }

    private DetectFunction(ScoringConfig scoring, DetectOptions options, int values) {
        if (scoring == null || options == null) {
            throw new IllegalArgumentException("scoring config and detect options must not be null");
        }
        if (values < 1) {
            throw new IllegalArgumentException("values per event must be >= 1, got " + values);
        }
        this.scoringConfig = scoring;
        this.options = options;
        this.modelBytes = null;
        this.modelSource = NO_MODEL;
        this.valuesWithoutModel = values;
    }

    /**
     * The detector without a model, for a series with nothing to learn from: each event's prediction is the key's
     * previous values (x̂_t = x_{t−1}, in the data's units, no normalisation), scored as with a model; the likelihood
     * mode's scale and spatial check do not depend on the units. Its shape in savepoints is {@code hidden_size=0}, so
     * a restore with a model (or a model's savepoint without one) is a shape mismatch.
     */
    public static DetectFunction withoutModel(ScoringConfig scoring, DetectOptions options, int values) {
        return new DetectFunction(scoring, options, values);
    }

    /**
     * Called before {@link #open}: reads the model and, on a restore, compares the shape stored with the keyed state
     * with the model's (see the class comment).
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        loadModel();
        shapes = ShapeGuard.restore(context, shape, options.onStateMismatch(), modelSource, true);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        shapes.snapshot(shape);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (shape == null) {
            loadModel();   // not run by a checkpointing operator
        }
        this.scorer = new KeyScorer(scoringConfig);
        this.likelihood = scoringConfig.mode() == ScoringConfig.Mode.LIKELIHOOD
                ? new LikelihoodScorer(scoringConfig.likelihood()) : null;
        StateTtlConfig ttlConfig = KeyedLstmEngine.ttl(options.keyed());   // the engine's lstm-state has the same
        this.ttl = ttlConfig != null;
        this.state = new DetectState(getRuntimeContext(), ttlConfig);
        this.engine = new KeyedLstmEngine<>(options.keyed(), getRuntimeContext(), BUFFER_PREFIX, null, this);
        if (model == null) {
            engine.setModelFree(k, NO_MODEL);
        } else {
            engine.setModel(model);
        }
        this.metrics = new DetectMetrics(getRuntimeContext().getMetricGroup(), modelVersion());
    }

    /**
     * The model of a model file's bytes ({@link LstmModelFile#read}); tests override it to run models built in memory
     * (an embedding, say) without writing them to a file.
     */
    protected LstmModel readModel(byte[] bytes, String source) throws SafetensorsFormatException {
        return LstmModelFile.read(bytes, source);
    }

    /** A model checked for detection, and the number of values it predicts per event. */
    private record Checked(LstmModel model, Normalization normalization, int k) {}

    /** Reads and checks the model that serves from the start: the one restored by {@link #serveRestored}, else the given one. */
    private void loadModel() throws Exception {
        if (restored != null) {
            install(checked(restored, restored.version()));
            return;
        }
        if (modelBytes == null) {
            this.k = valuesWithoutModel;
            this.shape = ModelShape.modelFree(k, NO_MODEL);
            return;
        }
        install(checked(readModel(modelBytes, modelSource), modelSource));
    }

    /**
     * Checks a model for detection: at least one numeric input, a head of one output per numeric input, normalization
     * of as many features.
     *
     * @throws IllegalArgumentException naming the model and what does not fit
     */
    private static Checked checked(LstmModel m, String source) {
        int inputSize = m.numericInputs();
        String inputs = m.embedding() == null ? "input_size = " + inputSize
                : "numeric inputs = input_size " + m.lstm().config().inputSize() + " - " + m.idsPerStep()
                        + " ids x embedding_dim " + m.embedding().config().embeddingDim() + " = " + inputSize;
        if (inputSize < 1) {
            throw new IllegalArgumentException("model " + source + " (" + m.version() + ") takes no numeric "
                    + "values (" + inputs + "); anomaly detection predicts and scores the next step's numeric values");
        }
        if (m.head() == null) {
            throw new IllegalArgumentException("model " + source + " (" + m.version() + ") has no head "
                    + "(head.weight); anomaly detection needs a head predicting the next step's " + inputSize
                    + " values");
        }
        if (m.head().outFeatures() != inputSize) {
            throw new IllegalArgumentException("model " + source + " (" + m.version() + ") has a head of "
                    + m.head().outFeatures() + " outputs; anomaly detection needs one predicting the next step's "
                    + "values, " + inputs + " outputs");
        }
        String norm = m.metadata().get(NORMALIZATION_KEY);
        Normalization n = null;
        if (norm != null) {
            try {
                n = Normalization.fromJson(norm);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + source + ": " + e.getMessage(), e);
            }
            if (n.featureCount() != inputSize) {
                throw new IllegalArgumentException("model " + source + ": normalization has "
                        + n.featureCount() + " features, the model takes " + inputs + " numeric values");
            }
        }
        return new Checked(m, n, inputSize);
    }

    private void install(Checked c) {
        this.model = c.model();
        this.head = c.model().head();
        this.normalization = c.normalization();
        this.k = c.k();
        this.shape = ModelShape.of(c.model());
    }

    /**
     * The model to serve instead of the one given, called before {@link #initializeState}: the accepted model a
     * swappable detector restores from its broadcast state ({@link SwappableDetectFunction}).
     */
    void serveRestored(LstmModel m) {
        this.restored = m;
    }

    /** Visits every key's prediction: the broadcast context's {@code applyToKeyedState}. */
    @FunctionalInterface
    interface KeyVisitor {
        void apply(ValueStateDescriptor<float[]> state, KeyedStateFunction<String, ValueState<float[]>> f)
                throws Exception;
    }

    /**
     * Swaps to {@code next} while the job runs, with no event waiting in the engine's batch (the operator flushed), or
     * says why not: it must be a detection model ({@link #checked}) whose state shape is the running one's
     * ({@link ModelShape#swapRefusal}); the detector without a model cannot take one. Accepted, every key keeps its
     * h and c, step count and scoring history, and its pending prediction (made by the old model for its next event)
     * is made again by the new model's head from the key's h, in the new model's normalised units: so a key's next
     * detection is the new model's in full, and a change of normalisation (a model retrained on newer data) does not
     * compare numbers of two scales.
     *
     * @return null when swapped, else the reason, naming both models
     */
    String swap(LstmModel next, String source, KeyVisitor keys) throws Exception {
        if (model == null) {
            return "the detector runs without a model (" + NO_MODEL + ", hidden_size 0): it cannot take model "
                    + next.version() + " while it runs; restart it from a savepoint with --model";
        }
        Checked c;
        try {
            c = checked(next, source);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        String refusal = ModelShape.swapRefusal(model, next);
        if (refusal != null) {
            return refusal;
        }
        engine.setModel(next);
        install(c);
        keys.apply(state.predictionDescriptor, (key, prediction) -> predictAgain(prediction));
        metrics.swapped(next.version());
        return null;
    }

    /** {@link #swap}: the current key's prediction, made again from its h by the model now serving. */
    private void predictAgain(ValueState<float[]> prediction) throws Exception {
        KeyState s = engine.currentState();
        if (s == null || s.hc == null || s.hc.length != engine.stateSize() || prediction.value() == null) {
            return;   // no state, or state a restore in reset mode has not reached: the engine starts the key again
        }
        float[] next = new float[k];
        head.apply(s.hc, engine.outputOffset(), next, 0);
        prediction.update(next);
    }

    /** The detector's metrics, for the swappable detector's rejections; valid after {@link #open}. */
    DetectMetrics metrics() {
        return metrics;
    }

    @Override
    public KeyedLstmEngine<Detection> engine() {
        return engine;
    }

    /** The model's version, as carried by every {@link Detection}; valid after {@link #open}. */
    public String modelVersion() {
        return model == null ? NO_MODEL : model.version();
    }

    @Override
    public void processElement(SensorEvent e, Context ctx, Collector<Detection> out) throws Exception {
        engine.onEvent(e, ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    /** Event time only: the watermark passed waiting events, a key's quiet-release time, or its idle-expiry time. */
    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Detection> out) throws Exception {
        engine.onTimer(time, ctx.timeDomain(), ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    /**
     * The engine's hook: x_norm of an event whose values fit the model, into {@code xn}; a value that does not
     * normalise to a finite number is refused, naming it.
     */
    @Override
    public String numericInput(SensorEvent e, float[] xn) {
        System.arraycopy(e.values, 0, xn, 0, k);
        if (normalization == null) {
            return null;
        }
        normalization.apply(xn);
        for (int i = 0; i < k; i++) {
            if (!Float.isFinite(xn[i])) {
                return "values[" + i + "] = " + e.values[i] + " normalises to " + xn[i];
            }
        }
        return null;
    }

    /** The engine's hook: the key's prediction for this event, which must have the model's k values. */
    @Override
    public String load(int slot) throws Exception {
        float[] p = state.prediction.value();
        slot(slot)[slot] = p;
        if (p == null || p.length == k) {
            return null;
        }
        return "a prediction of " + p.length + " values, model " + modelSource + " (" + modelVersion()
                + ", shape " + shape.describe() + ") needs " + k;
    }

    /** The engine's hook: a new key, or one started again, has no prediction and no error history. */
    @Override
    public void start(int slot, KeyedLstmEngine.Start why) {
        metrics.keyStarted(why);
        slot(slot)[slot] = null;
        state.scoring.clear();   // event time: the expiry timer may not have fired yet
        state.likelihood.clear();
    }

    /** The engine's hook: the key's expiry timer found it idle. */
    @Override
    public void expire() {
        metrics.keyExpired();
        state.clear();
    }

    /**
     * The engine's hook, after the LSTM stepped with the event's x_norm: scores it against the key's prediction,
     * stores the next prediction, emits a Detection.
     */
    @Override
    public void stepped(int slot, String key, SensorEvent e, float[] xn, KeyState s, KeyedLstmEngine.Start start,
                        Collector<Detection> out) throws Exception {
        float[] predicted = slot(slot)[slot];
        predictions[slot] = null;
        if (e.reset) {
            predicted = null;
            if (start == null && ttl && likelihood == null) {
                // A reset event writes no scoring state: rewrite it so that it expires together with the LSTM state.
                ScoringState kept = state.scoring.value();
                if (kept != null) {
                    state.scoring.update(kept);
                }
            }
        }
        KeyScorer.Result r = null;
        if (likelihood != null) {
            LikelihoodState ls = state.likelihood.value();
            if (ls == null && start == null) {
                dropOtherModesState(key, state.scoring);
            }
            if (ls == null || !likelihood.fits(ls, k)) {
                ls = likelihood.newState(k);   // new key, or a restore with other settings: start its history again
            }
            if (predicted != null) {
                r = likelihood.score(xn, predicted, ls);
            } else {
                likelihood.observe(xn, ls);
            }
            state.likelihood.update(ls);
        } else if (predicted != null) {
            ScoringState sc = state.scoring.value();
            if (sc == null && start == null) {
                dropOtherModesState(key, state.likelihood);
            }
            if (sc == null || sc.window().length != scoringConfig.window()) {
                sc = scorer.newState();   // new key, or a restore with another window size: start its history again
            }
            r = scorer.score(xn, predicted, sc);
            state.scoring.update(sc);
        }

        float[] next = new float[k];
        if (head == null) {
            System.arraycopy(xn, 0, next, 0, k);   // no model: the next values are predicted to be these
        } else {
            head.apply(s.hc, engine.outputOffset(), next, 0);
        }
        state.prediction.update(next);

        float[] predictionRaw = null;
        if (predicted != null) {
            predictionRaw = predicted.clone();
            if (normalization != null) {
                normalization.invert(predictionRaw);
            }
        }
        boolean anomaly = r != null && r.anomaly();
        out.collect(new Detection(key, e.ts, e.values.clone(), predictionRaw,
                r == null ? Double.NaN : r.residual(), r == null ? Double.NaN : r.score(),
                r == null ? Double.NaN : r.threshold(), anomaly, s.step, modelVersion()));
        metrics.scored(anomaly, System.nanoTime() - engine.takenNanos(slot));
    }

    /** The per-slot predictions, grown to the engine's batch size (known once the operator has set it). */
    private float[][] slot(int slot) {
        if (predictions == null) {
            predictions = new float[slot + 1][];
        } else if (predictions.length <= slot) {
            predictions = Arrays.copyOf(predictions, Math.max(slot + 1, 2 * predictions.length));
        }
        return predictions;
    }

    /**
     * A key that has a past but no state of this scoring mode was restored from a savepoint of the other mode (the
     * likelihood mode's {@code likelihood} against the dynamic and fixed modes' {@code scoring}): this mode's history
     * starts now, and the other mode's state is dropped, so that it is not carried in every later checkpoint nor taken
     * up again, stale, by a later switch back. Called at most once per key and switch (a key's next events find this
     * mode's state).
     */
    private void dropOtherModesState(String key, ValueState<?> other) throws Exception {
        if (other.value() == null) {
            return;
        }
        other.clear();
        if (!loggedModeSwitch) {
            loggedModeSwitch = true;
            LOG.info("Key {} (and others, not logged) has restored state of another scoring mode than {}: its {} "
                    + "history starts at its next event (the warm-up runs again) and the other mode's state is "
                    + "dropped", key, scoringConfig.mode(), scoringConfig.mode());
        }
    }
}
