package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector whose model is replaced while the job runs (hot swap): {@link DetectFunction} on the keyed input, and on
 * the broadcast input the models published ({@link ModelUpdate}s, one per file in the watched folder). Run by
 * {@code BroadcastMicroBatchOperator}, which steps every event that arrived before a model update before the update
 * is handled: each subtask switches at one point of its input, and every {@link Detection} names the version that
 * scored it.
 *
 * <p>A published model is taken when {@link DetectFunction#swap} accepts it (a detection model of the running state
 * shape; each key keeps its LSTM and scoring state and gets its next prediction from the new model) and when it was
 * not published before the model serving (files found together are handled in any order; the newest by modification
 * time wins). Otherwise the old model keeps serving, the metric {@value DetectMetrics#REJECTIONS} counts the refusal
 * and subtask 0 writes a dead letter with reason {@link DeadLetter#MODEL_REJECTED} and the reason on
 * {@link #MODEL_REJECTED} (every subtask decides the same: they see the same updates in the same order from the same
 * state).
 *
 * <p>The accepted update is kept in broadcast state ({@link #MODEL_STATE}), so a restore (after a failure, or from a
 * savepoint) serves it from the start and checks the stored keyed state against it. With the source's checkpointed
 * list of files already read, exactly-once holds across a swap and across a failure during one: a file read after the
 * last completed checkpoint is read again, and the swap happens again.
 */
public class SwappableDetectFunction extends KeyedBroadcastProcessFunction<String, SensorEvent, ModelUpdate, Detection>
        implements CheckpointedFunction, KeyedLstmEngine.Owner<Detection> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SwappableDetectFunction.class);
    private static final String CURRENT = "current";

    /** The accepted model update, if any (broadcast state: checkpointed with the job). */
    public static final MapStateDescriptor<String, ModelUpdate> MODEL_STATE =
            new MapStateDescriptor<>("detect-model", Types.STRING, TypeInformation.of(ModelUpdate.class));
    /** Refused model updates, as dead letters (subtask 0 only). */
    public static final OutputTag<DeadLetter> MODEL_REJECTED = new OutputTag<>("detect-model-rejected") {};

    private final DetectFunction detector;
    /** The accepted update's publication time, or 0 for the model the job started with. */
    private transient long servingPublishedAt;

    /** @see DetectFunction#DetectFunction */
    public SwappableDetectFunction(ScoringConfig scoring, DetectOptions options, byte[] modelBytes,
                                   String modelSource) {
        this(new DetectFunction(scoring, options, modelBytes, modelSource));
    }

    /** Around a detector (tests pass one that builds its models in memory). */
    SwappableDetectFunction(DetectFunction detector) {
        this.detector = detector;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        ModelUpdate accepted = context.getOperatorStateStore().getBroadcastState(MODEL_STATE).get(CURRENT);
        if (accepted != null) {
            detector.serveRestored(read(accepted, name(accepted)));
            servingPublishedAt = accepted.publishedAt;
        }
        detector.initializeState(context);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        detector.snapshotState(context);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        detector.setRuntimeContext(getRuntimeContext());
        detector.open(openContext);
        LOG.info("Detector serving model {}; published models replace it while the job runs",
                detector.modelVersion());
    }

    @Override
    public void close() throws Exception {
        detector.close();
    }

    @Override
    public KeyedLstmEngine<Detection> engine() {
        return detector.engine();
    }

    /** The version of the model serving now. */
    public String modelVersion() {
        return detector.modelVersion();
    }

    @Override
    public void processElement(SensorEvent e, ReadOnlyContext ctx, Collector<Detection> out) throws Exception {
        detector.engine().onEvent(e, ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Detection> out) throws Exception {
        detector.engine().onTimer(time, ctx.timeDomain(), ctx.getCurrentKey(), ctx.timerService(), out,
                ctx::output);
    }

    /** A published model: swapped in, or refused with the reason (see the class comment). */
    @Override
    public void processBroadcastElement(ModelUpdate update, Context ctx, Collector<Detection> out) throws Exception {
        String name = name(update);
        String before = detector.modelVersion();
        String reason = null;
        long swapNanos = 0;
        long[] keys = {0};
        if (update.error != null) {
            reason = update.error;
        } else if (update.bytes == null) {
            reason = "a model update needs the model file's bytes, got " + update;
        } else if (update.publishedAt > 0 && update.publishedAt < servingPublishedAt) {
            reason = "published at " + Instant.ofEpochMilli(update.publishedAt) + ", before the model serving ("
                    + before + ", published at " + Instant.ofEpochMilli(servingPublishedAt) + ")";
        } else {
            LstmModel next = null;
            try {
                next = read(update, name);
            } catch (Exception e) {   // a file that is not a model: refused, not a failed job
                reason = String.valueOf(e.getMessage());
            }
            if (next != null) {
                long t0 = System.nanoTime();
                reason = detector.swap(next, name, (state, f) -> ctx.applyToKeyedState(state, (key, s) -> {
                    keys[0]++;
                    f.process(key, s);
                }));
                swapNanos = System.nanoTime() - t0;
            }
        }
        if (reason == null) {
            ctx.getBroadcastState(MODEL_STATE).put(CURRENT, update);
            servingPublishedAt = update.publishedAt;
            LOG.info("Swapped model {} for {} ({}): {} keys visited to make their next predictions again, {} ms",
                    detector.modelVersion(), before, name, keys[0], swapNanos / 1_000_000);
            return;
        }
        detector.metrics().rejected();
        LOG.warn("Refused {}: {}; model {} keeps serving", name, reason, before);
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            DeadLetter d = new DeadLetter(DeadLetter.MODEL_REJECTED, reason + "; model " + before + " keeps serving",
                    update.source, -1, -1, System.currentTimeMillis());
            d.raw = name;
            ctx.output(MODEL_REJECTED, d);
        }
    }

    /** How messages name an update: its file, else its version. */
    private static String name(ModelUpdate u) {
        return u.source != null ? u.source : "model update " + u.version;
    }

    /** The model of an update, named by the update's version when it has one, else by its own metadata. */
    private LstmModel read(ModelUpdate u, String name) throws Exception {
        LstmModel m = detector.readModel(u.bytes, name);
        return u.version != null && !u.version.isBlank() ? m.withVersion(u.version) : m;
    }
}
