package dev.lstmflink.flink;

import dev.lstmflink.config.KeyedOptions;
import dev.lstmflink.flink.keyed.KeyedEngineContract;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** The per-key engine's contract ({@link KeyedEngineContract}) on the plain LSTM operator. */
class KeyedLstmFunctionEngineTest extends KeyedEngineContract<LstmOutput> {

    @Override
    protected KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> create(KeyedOptions o)
            throws Exception {
        LstmFunctionConfig cfg = new LstmFunctionConfig(OutputKind.HIDDEN, o.eventTime(), o.allowedLateness(),
                o.quietRelease(), o.idleTimeout(), null, o.onStateMismatch());
        return new KeyedOneInputStreamOperatorTestHarness<>(
                operator(new KeyedLstmFunction(cfg, KeyedLstmFunctionTest.MODEL, "test-model")),
                LstmStreams::keyOf, Types.STRING, LstmHarness.MAX_PARALLELISM, 1, 0);
    }

    @Override
    protected SensorEvent event(String key, int step) {
        return new SensorEvent(key, 1_000L * step, (float) Math.sin(0.3 * step), (float) Math.cos(0.2 * step));
    }

    @Override
    protected String key(LstmOutput out) {
        return out.key;
    }

    @Override
    protected long ts(LstmOutput out) {
        return out.ts;
    }

    @Override
    protected long step(LstmOutput out) {
        return out.step;
    }
}
