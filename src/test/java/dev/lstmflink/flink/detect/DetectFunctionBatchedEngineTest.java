package dev.lstmflink.flink.detect;

import dev.lstmflink.config.MicroBatch;
import java.time.Duration;

/** The per-key engine's contract on the detector in the micro-batching operator, three events per batch. */
class DetectFunctionBatchedEngineTest extends DetectFunctionEngineTest {

    @Override
    protected MicroBatch batch() {
        return new MicroBatch(3, Duration.ofMillis(50));
    }
}
