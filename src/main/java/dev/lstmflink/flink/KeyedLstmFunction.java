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
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed LSTM operator with one model: each event advances its key's LSTM by one timestep, the key's h and c living
 * in Flink keyed state (the per-key engine, {@link KeyedLstmEngine}; the output, {@link OutputHook}). The model's bytes
 * travel with the function, so TaskManagers need no shared file system; it is parsed once per task. Every checkpoint
 * stores the model's shape beside the keyed state, and a restore with a model of another shape is refused or starts
 * the keys again, as {@link LstmFunctionConfig#onStateMismatch} says ({@link ShapeGuard}).
 */
public class KeyedLstmFunction extends KeyedProcessFunction<String, SensorEvent, LstmOutput>
        implements CheckpointedFunction, KeyedLstmEngine.Owner<LstmOutput> {

    private static final long serialVersionUID = 1L;

    private final LstmFunctionConfig config;
    private final byte[] modelBytes;
    private final String modelSource;
    private transient LstmModel model;
    private transient ShapeGuard shapes;
    private transient OutputHook hook;
    private transient KeyedLstmEngine<LstmOutput> engine;

    /**
     * @param modelBytes  a safetensors file holding one LSTM (and a head when the output needs one)
     * @param modelSource its name, for error messages
     */
    public KeyedLstmFunction(LstmFunctionConfig config, byte[] modelBytes, String modelSource) {
        this.config = config;
        this.modelBytes = modelBytes.clone();
        this.modelSource = modelSource;
    }

    /** Called before {@link #open}: reads the model and, on a restore, checks the stored shape against it. */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        model = readModel(modelBytes, modelSource);
        shapes = ShapeGuard.restore(context, ModelShape.of(model), config.onStateMismatch(), modelSource,
                false);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        shapes.snapshot(ModelShape.of(hook.model()));
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (model == null) {
            model = readModel(modelBytes, modelSource);   // not run by a checkpointing operator
        }
        hook = new OutputHook(config, getRuntimeContext());
        hook.setModel(model);
        engine = hook.engine();
    }

    /**
     * The model of a model file's bytes ({@link LstmModelFile#read}); tests override it to run models built in memory
     * (an embedding, say) without writing them to a file.
     */
    protected LstmModel readModel(byte[] bytes, String source) throws SafetensorsFormatException {
        return LstmModelFile.read(bytes, source);
    }

    @Override
    public KeyedLstmEngine<LstmOutput> engine() {
        return engine;
    }

    @Override
    public void processElement(SensorEvent e, Context ctx, Collector<LstmOutput> out) throws Exception {
        engine.onEvent(e, ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LstmOutput> out) throws Exception {
        engine.onTimer(timestamp, ctx.timeDomain(), ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }
}
