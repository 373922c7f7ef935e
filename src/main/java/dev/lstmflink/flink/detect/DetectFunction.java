package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.anomaly.ScoringState;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.KeyState;
import dev.lstmflink.flink.KeyStateSerializer;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.RejectedEvent;
import dev.lstmflink.flink.SensorEvent;
import dev.lstmflink.train.data.Normalization;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Anomaly detection per key (issue 5, "Scoring"): the model predicts each key's next values from the key's LSTM state,
 * and each event is scored against the prediction made for it at the key's previous event.
 *
 * <p>Per event x_t of a key (raw units):
 * <ol>
 *   <li>x_t is checked (value count = the model's input size, all finite) and otherwise goes to
 *       {@link LstmStreams#REJECTED} with reason {@link RejectedEvent#INVALID}; nothing of the key's state changes;</li>
 *   <li>x_norm = (x_t − mean) / std with the model's {@code normalization} metadata (identity when it has none);</li>
 *   <li>if the key has a prediction x̂_t from its previous event, {@link KeyScorer#score}(x_norm, x̂_t) gives residual,
 *       score, threshold and flag (residual in normalised units), advancing the key's {@link ScoringState};</li>
 *   <li>the LSTM steps with x_norm and x̂_{t+1} = head(h_t) is stored for the next event;</li>
 *   <li>one {@link Detection} is emitted, its prediction x̂_t in raw units (x̂·std + mean), null on a key's first
 *       event.</li>
 * </ol>
 * An event with {@code reset} starts the key's LSTM again from zero and has no prediction (so no score); the key's
 * scoring state (its recent error distribution) is kept.
 *
 * <p>State per key, all Flink keyed state: {@code lstm-state} ({@link KeyState}: h, c, step count, last event time),
 * {@code prediction} (x̂ for the next event, normalised, k floats) and {@code scoring} ({@link ScoringState}, 72 + 4·W
 * bytes, by {@link ScoringStateSerializer}).
 *
 * <p>Events are processed in arrival order (processing time). Event-time ordering (buffer until the watermark,
 * allowed lateness, idle expiry) is what {@code LstmKeyedLogic} does for the plain LSTM operator and can be reused here
 * later; so can its state TTL.
 *
 * <p>The model needs a head with k = input_size outputs (it predicts the next step's values); {@link #open} fails
 * with a message naming the model otherwise. The model's bytes travel with the function and are parsed once per task.
 */
public class DetectFunction extends KeyedProcessFunction<String, SensorEvent, Detection> {

    private static final long serialVersionUID = 1L;

    /** The metadata entry with the training data's normalization, {@code {"mean": [...], "std": [...]}}. */
    public static final String NORMALIZATION_KEY = "normalization";

    private final ScoringConfig scoringConfig;
    private final DetectOptions options;
    private final byte[] modelBytes;
    private final String modelSource;

    private transient LstmModel model;
    private transient LstmStepper<float[]> stepper;
    private transient LinearHead head;
    private transient Normalization normalization;
    private transient KeyScorer scorer;
    private transient int k;
    private transient ValueState<KeyState> lstmState;
    private transient ValueState<float[]> predictionState;
    private transient ValueState<ScoringState> scoringState;

    /**
     * @param scoring     how residuals become scores and flags
     * @param options     event order and idle-key expiry
     * @param modelBytes  a model file (safetensors) with an LSTM and a head of input_size outputs
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
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        LstmModel m = LstmModelFile.read(modelBytes, modelSource);
        int inputSize = m.lstm().config().inputSize();
        if (m.head() == null) {
            throw new IllegalArgumentException("model " + modelSource + " (" + m.version() + ") has no head "
                    + "(head.weight); anomaly detection needs a head predicting the next step's " + inputSize
                    + " values");
        }
        if (m.head().outFeatures() != inputSize) {
            throw new IllegalArgumentException("model " + modelSource + " (" + m.version() + ") has a head of "
                    + m.head().outFeatures() + " outputs; anomaly detection needs one predicting the next step's "
                    + "values, input_size = " + inputSize + " outputs");
        }
        String norm = m.metadata().get(NORMALIZATION_KEY);
        Normalization n = null;
        if (norm != null) {
            try {
                n = Normalization.fromJson(norm);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model " + modelSource + ": " + e.getMessage(), e);
            }
            if (n.featureCount() != inputSize) {
                throw new IllegalArgumentException("model " + modelSource + ": normalization has "
                        + n.featureCount() + " features, the model takes input_size " + inputSize);
            }
        }
        this.model = m;
        this.stepper = m.lstm().stepper();
        this.head = m.head();
        this.normalization = n;
        this.k = inputSize;
        this.scorer = new KeyScorer(scoringConfig);
        this.lstmState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("lstm-state", KeyStateSerializer.INSTANCE));
        this.predictionState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("prediction", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        this.scoringState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("scoring", ScoringStateSerializer.INSTANCE));
    }

    /** The model's version, as carried by every {@link Detection}; valid after {@link #open}. */
    public String modelVersion() {
        return model.version();
    }

    @Override
    public void processElement(SensorEvent e, Context ctx, Collector<Detection> out) throws Exception {
        String invalid = e.invalidReason(k);
        float[] xn = null;
        if (invalid == null) {
            xn = e.values.clone();
            if (normalization != null) {
                normalization.apply(xn);
                for (int i = 0; i < k; i++) {
                    if (!Float.isFinite(xn[i])) {
                        invalid = "values[" + i + "] = " + e.values[i] + " normalises to " + xn[i];
                        break;
                    }
                }
            }
        }
        if (invalid != null) {
            ctx.output(LstmStreams.REJECTED, new RejectedEvent(e, RejectedEvent.INVALID, invalid));
            return;
        }
        String key = ctx.getCurrentKey();
        KeyState s = lstmState.value();
        float[] predicted = predictionState.value();
        if (s == null || e.reset) {
            s = new KeyState(0, Long.MIN_VALUE, stepper.newState());
            predicted = null;
        } else if (s.hc.length != stepper.stateSize()) {
            throw new IllegalStateException("key " + key + " has an LSTM state of " + s.hc.length + " values, model "
                    + model.version() + " needs " + stepper.stateSize());
        }
        if (predicted != null && predicted.length != k) {
            throw new IllegalStateException("key " + key + " has a stored prediction of " + predicted.length
                    + " values, model " + model.version() + " predicts " + k);
        }

        KeyScorer.Result r = null;
        if (predicted != null) {
            ScoringState sc = scoringState.value();
            if (sc == null || sc.window().length != scoringConfig.window()) {
                sc = scorer.newState();   // new key, or a restore with another window size: start its history again
            }
            r = scorer.score(xn, predicted, sc);
            scoringState.update(sc);
        }

        stepper.step(xn, 0, s.hc);
        s.step++;
        s.lastTs = Math.max(s.lastTs, e.ts);
        lstmState.update(s);
        float[] next = new float[k];
        head.apply(s.hc, stepper.outputOffset(), next, 0);
        predictionState.update(next);

        float[] predictionRaw = null;
        if (predicted != null) {
            predictionRaw = predicted.clone();
            if (normalization != null) {
                normalization.invert(predictionRaw);
            }
        }
        out.collect(new Detection(key, e.ts, e.values.clone(), predictionRaw,
                r == null ? Double.NaN : r.residual(), r == null ? Double.NaN : r.score(),
                r == null ? Double.NaN : r.threshold(), r != null && r.anomaly(), s.step, model.version()));
    }
}
