package dev.lstmflink.flink;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.nn.LstmModel;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed LSTM operator whose model can be replaced while the job runs: the second (broadcast) input carries
 * {@link ModelUpdate}s. A model whose state shapes differ from the running one is refused on the side output
 * {@link LstmStreams#MODEL_REJECTED} and the old model keeps serving; an accepted one is kept in broadcast state, so
 * it survives failures and restores. Every output names the model version that produced it.
 */
public class SwappableLstmFunction
        extends KeyedBroadcastProcessFunction<String, SensorEvent, ModelUpdate, LstmOutput> {

    private static final long serialVersionUID = 1L;
    private static final String CURRENT = "current";

    /** The accepted model update, if any (broadcast state: checkpointed with the job). */
    public static final MapStateDescriptor<String, ModelUpdate> MODEL_STATE =
            new MapStateDescriptor<>("lstm-model", Types.STRING, TypeInformation.of(ModelUpdate.class));

    private final LstmFunctionConfig config;
    private final byte[] initialBytes;
    private final String initialSource;
    private transient LstmKeyedLogic logic;

    public SwappableLstmFunction(LstmFunctionConfig config, byte[] initialModelBytes, String initialSource) {
        this.config = config;
        this.initialBytes = initialModelBytes.clone();
        this.initialSource = initialSource;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        logic = new LstmKeyedLogic(config, getRuntimeContext());
        logic.setModel(LstmModelFile.read(initialBytes, initialSource));
    }

    @Override
    public void processElement(SensorEvent e, ReadOnlyContext ctx, Collector<LstmOutput> out) throws Exception {
        catchUp(ctx.getBroadcastState(MODEL_STATE));
        logic.onEvent(e, ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LstmOutput> out) throws Exception {
        catchUp(ctx.getBroadcastState(MODEL_STATE));
        logic.onTimer(timestamp, ctx.timeDomain(), ctx.getCurrentKey(), ctx.timerService(), out);
    }

    @Override
    public void processBroadcastElement(ModelUpdate update, Context ctx, Collector<LstmOutput> out) throws Exception {
        String reason;
        try {
            LstmModel next = LstmModelFile.read(update.bytes, "model update " + update.version);
            next = new LstmModel(next.lstm(), next.head(), update.version, next.metadata());
            reason = logic.incompatibility(next);
            if (reason == null) {
                logic.setModel(next);
                BroadcastState<String, ModelUpdate> bs = ctx.getBroadcastState(MODEL_STATE);
                bs.put(CURRENT, update);
                return;
            }
        } catch (SafetensorsFormatException | IllegalArgumentException e) {
            reason = e.getMessage();
        }
        ctx.output(LstmStreams.MODEL_REJECTED, new ModelRejection(update.version, reason));
    }

    /** After a restore, the broadcast state may hold a newer model than the one {@link #open} loaded. */
    private void catchUp(ReadOnlyBroadcastState<String, ModelUpdate> bs) throws Exception {
        ModelUpdate current = bs.get(CURRENT);
        if (current != null && !current.version.equals(logic.model().version())) {
            LstmModel m = LstmModelFile.read(current.bytes, "model update " + current.version);
            logic.setModel(new LstmModel(m.lstm(), m.head(), current.version, m.metadata()));
        }
    }
}
