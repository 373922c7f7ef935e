package dev.lstmflink.flink;

import dev.lstmflink.config.MicroBatch;
import java.time.Duration;

/** The per-key engine's contract on the plain LSTM operator in the micro-batching operator, three events per batch. */
class KeyedLstmFunctionBatchedEngineTest extends KeyedLstmFunctionEngineTest {

    @Override
    protected MicroBatch batch() {
        return new MicroBatch(3, Duration.ofMillis(50));
    }
}
