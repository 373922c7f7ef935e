package dev.lstmflink.flink;

import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.flink.keyed.BatchEquivalence;
import dev.lstmflink.flink.keyed.MicroBatchOperator;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The plain LSTM operator in the micro-batching operator gives, key by key, exactly the outputs of the function alone
 * (h of a two-layer LSTM, bit for bit), across snapshots restored into other batch sizes and into the function alone.
 */
class KeyedLstmMicroBatchTest {

    private static KeyedLstmFunction lstm(boolean eventTime) {
        LstmFunctionConfig cfg = eventTime
                ? LstmFunctionConfig.eventTime(OutputKind.STATE).withAllowedLateness(Duration.ofSeconds(1))
                        .withReleaseDelay(Duration.ofSeconds(5)).withIdleTimeout(Duration.ofSeconds(20))
                : LstmFunctionConfig.processingTime(OutputKind.STATE);
        return new KeyedLstmFunction(cfg, KeyedLstmFunctionTest.MODEL, "test-model");
    }

    private static SensorEvent event(String key, int i) {
        return new SensorEvent(key, 0, (float) Math.sin(0.3 * i), (float) Math.cos(0.2 * i + key.length()));
    }

    @ParameterizedTest(name = "eventTime={0} rocksdb={1}")
    @CsvSource({"false,false", "true,false", "true,true"})
    void batchedOutputsEqualTheFunctionsKeyByKey(boolean eventTime, boolean rocksDb) throws Exception {
        List<BatchEquivalence.Step> script = BatchEquivalence.script(5, 1_500, eventTime, KeyedLstmMicroBatchTest::event);
        var expected = BatchEquivalence.run(script, s -> new KeyedProcessOperator<>(lstm(eventTime)),
                (LstmOutput o) -> o.key, rocksDb);
        var batched = BatchEquivalence.run(script, s -> new MicroBatchOperator<>(lstm(eventTime),
                new MicroBatch(s == 2 ? 3 : 32, Duration.ofMillis(40))), (LstmOutput o) -> o.key, rocksDb);
        BatchEquivalence.assertSame(expected, batched, 1_000);
    }
}
