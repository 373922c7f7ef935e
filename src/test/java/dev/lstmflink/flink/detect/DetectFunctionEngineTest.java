package dev.lstmflink.flink.detect;

import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.KeyedOptions;
import dev.lstmflink.flink.keyed.KeyedEngineContract;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** The per-key engine's contract ({@link KeyedEngineContract}) on the detector. */
class DetectFunctionEngineTest extends KeyedEngineContract<Detection> {

    @Override
    protected KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> create(KeyedOptions o)
            throws Exception {
        DetectOptions options = new DetectOptions(o.eventTime(), o.allowedLateness(), o.idleTimeout(),
                o.onStateMismatch(), o.quietRelease());
        return new KeyedOneInputStreamOperatorTestHarness<>(
                operator(new DetectFunction(DetectFunctionTest.SCORING, options,
                        DetectFunctionTest.MODEL, "test-model")),
                DetectStreams::keyOf, Types.STRING, 128, 1, 0);
    }

    @Override
    protected SensorEvent event(String key, int step) {
        return DetectFunctionTest.event(key, step);
    }

    @Override
    protected String key(Detection out) {
        return out.key;
    }

    @Override
    protected long ts(Detection out) {
        return out.ts;
    }

    @Override
    protected long step(Detection out) {
        return out.step;
    }
}
