package dev.lstmflink.flink;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.flink.keyed.ModelShape;
import dev.lstmflink.flink.keyed.ShapeGuard;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.SensorEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed LSTM operator whose model can be replaced while the job runs: the second (broadcast) input carries
 * {@link ModelUpdate}s. A model whose state shapes differ from the running one is refused on the side output
 * {@link LstmStreams#MODEL_REJECTED} and the old model keeps serving; an accepted one is kept in broadcast state, so
 * it survives failures and restores. Every output names the model version that produced it. A swap and a restore
 * follow one rule: the new model must have the {@link ModelShape} of the state it takes over ({@link ShapeGuard} on
 * restore, {@link OutputHook#swapRefusal} on swap); per key the engine ({@link KeyedLstmEngine}) does what
 * {@link KeyedLstmFunction} does.
 */
public class SwappableLstmFunction
        extends KeyedBroadcastProcessFunction<String, SensorEvent, ModelUpdate, LstmOutput>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final String CURRENT = "current";

    /** The accepted model update, if any (broadcast state: checkpointed with the job). */
    public static final MapStateDescriptor<String, ModelUpdate> MODEL_STATE =
            new MapStateDescriptor<>("lstm-model", Types.STRING, TypeInformation.of(ModelUpdate.class));

    private final LstmFunctionConfig config;
    private final byte[] initialBytes;
    private final String initialSource;
    private transient ShapeGuard shapes;
    private transient OutputHook hook;
    private transient KeyedLstmEngine<LstmOutput> engine;
    private transient ModelUpdate installed;
    private transient String installedSha;

    public SwappableLstmFunction(LstmFunctionConfig config, byte[] initialModelBytes, String initialSource) {
        this.config = config;
        this.initialBytes = initialModelBytes.clone();
        this.initialSource = initialSource;
    }

    /**
     * Called before {@link #open}: on a restore, checks the stored shape against the model that will serve, the
     * accepted update in broadcast state when there is one, else the initial model.
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        ModelUpdate restored = context.getOperatorStateStore().getBroadcastState(MODEL_STATE).get(CURRENT);
        LstmModel serving = restored != null
                ? withVersion(readModel(restored.bytes, "model update " + restored.version), restored.version)
                : readModel(initialBytes, initialSource);
        shapes = ShapeGuard.restore(context, ModelShape.of(serving), config.onStateMismatch(),
                restored != null ? "model update " + restored.version : initialSource, false);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        shapes.snapshot(ModelShape.of(hook.model()));
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        hook = new OutputHook(config, getRuntimeContext());
        hook.setModel(readModel(initialBytes, initialSource));
        engine = hook.engine();
        installedSha = ModelUpdate.sha256(initialBytes);
    }

    @Override
    public void processElement(SensorEvent e, ReadOnlyContext ctx, Collector<LstmOutput> out) throws Exception {
        catchUp(ctx.getBroadcastState(MODEL_STATE));
        engine.onEvent(e, ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LstmOutput> out) throws Exception {
        catchUp(ctx.getBroadcastState(MODEL_STATE));
        engine.onTimer(timestamp, ctx.timeDomain(), ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    @Override
    public void processBroadcastElement(ModelUpdate update, Context ctx, Collector<LstmOutput> out) throws Exception {
        catchUp(ctx.getBroadcastState(MODEL_STATE));
        String reason;
        if (update.version == null || update.version.isBlank() || update.bytes == null) {
            reason = "a model update needs a version and the model file's bytes, got " + update;
        } else {
            try {
                LstmModel next = withVersion(readModel(update.bytes, "model update " + update.version),
                        update.version);
                reason = hook.swapRefusal(next);
                if (reason == null) {
                    hook.setModel(next);
                    installed = update;
                    installedSha = ModelUpdate.sha256(update.bytes);
                    ctx.getBroadcastState(MODEL_STATE).put(CURRENT, update);
                    return;
                }
            } catch (SafetensorsFormatException | IllegalArgumentException e) {
                reason = e.getMessage();
            }
        }
        // Every parallel instance decides (and reports) for itself; the record names the subtask.
        ctx.output(LstmStreams.MODEL_REJECTED, new ModelRejection(update.version, reason,
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask()));
    }

    /**
     * After a restore, broadcast state may hold a model other than the one {@link #open} loaded. Compared by the
     * file's hash, not by name (a re-used version name must not hide other weights), and only when the state holds a
     * different object than the last one looked at, so the per-event cost is one reference comparison.
     */
    private void catchUp(ReadOnlyBroadcastState<String, ModelUpdate> bs) throws Exception {
        ModelUpdate current = bs.get(CURRENT);
        if (current == null || current == installed) {
            return;
        }
        String sha = ModelUpdate.sha256(current.bytes);
        if (!sha.equals(installedSha)) {
            hook.setModel(withVersion(readModel(current.bytes, "model update " + current.version),
                    current.version));
            installedSha = sha;
        }
        installed = current;
    }

    /**
     * The model of a model file's bytes ({@link LstmModelFile#read}); tests override it to run models built in memory
     * (an embedding, say) without writing them to a file.
     */
    protected LstmModel readModel(byte[] bytes, String source) throws SafetensorsFormatException {
        return LstmModelFile.read(bytes, source);
    }

    private static LstmModel withVersion(LstmModel m, String version) {
        return m.withVersion(version);
    }
}
