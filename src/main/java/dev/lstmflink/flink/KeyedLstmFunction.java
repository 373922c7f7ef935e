package dev.lstmflink.flink;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFormatException;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.SensorEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The keyed LSTM operator with one model: each event advances its key's LSTM by one timestep, the key's h and c living
 * in Flink keyed state (see {@link LstmKeyedLogic}). The model's bytes travel with the function, so TaskManagers need
 * no shared file system; it is parsed once per task in {@link #open}.
 */
public class KeyedLstmFunction extends KeyedProcessFunction<String, SensorEvent, LstmOutput> {

    private static final long serialVersionUID = 1L;

    private final LstmFunctionConfig config;
    private final byte[] modelBytes;
    private final String modelSource;
    private transient LstmKeyedLogic logic;

    /**
     * @param modelBytes  a safetensors file holding one LSTM (and a head when the output needs one)
     * @param modelSource its name, for error messages
     */
    public KeyedLstmFunction(LstmFunctionConfig config, byte[] modelBytes, String modelSource) {
        this.config = config;
        this.modelBytes = modelBytes.clone();
        this.modelSource = modelSource;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        logic = new LstmKeyedLogic(config, getRuntimeContext());
        logic.setModel(readModel(modelBytes, modelSource));
    }

    /**
     * The model of a model file's bytes ({@link LstmModelFile#read}); tests override it to run models built in memory
     * (an embedding, say) without writing them to a file.
     */
    protected LstmModel readModel(byte[] bytes, String source) throws SafetensorsFormatException {
        return LstmModelFile.read(bytes, source);
    }

    @Override
    public void processElement(SensorEvent e, Context ctx, Collector<LstmOutput> out) throws Exception {
        logic.onEvent(e, ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LstmOutput> out) throws Exception {
        logic.onTimer(timestamp, ctx.timeDomain(), ctx.getCurrentKey(), ctx.timerService(), out, ctx::output);
    }
}
