package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.flink.keyed.BatchEquivalence;
import dev.lstmflink.flink.keyed.MicroBatchOperator;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The detector in the micro-batching operator ({@link MicroBatchOperator}) gives, key by key, exactly the detections
 * of the function alone: same predictions, scores and flags to the bit, same refusals, same state and timers left,
 * across snapshots restored into other batch sizes and into the function alone.
 */
class DetectMicroBatchTest {

    private static DetectFunction detector(boolean eventTime) {
        DetectOptions options = eventTime
                ? new DetectOptions(true, Duration.ofSeconds(1), Duration.ofSeconds(20), OnStateMismatch.FAIL,
                        Duration.ofSeconds(5))
                : DetectOptions.processingTime();
        return new DetectFunction(DetectFunctionTest.SCORING, options, DetectFunctionTest.MODEL, "test-model");
    }

    @ParameterizedTest(name = "eventTime={0} rocksdb={1}")
    @CsvSource({"false,false", "true,false", "true,true", "false,true"})
    void batchedDetectionsEqualTheFunctionsKeyByKey(boolean eventTime, boolean rocksDb) throws Exception {
        List<BatchEquivalence.Step> script = BatchEquivalence.script(11, 1_500, eventTime, DetectFunctionTest::event);
        var expected = BatchEquivalence.run(script, s -> new KeyedProcessOperator<>(detector(eventTime)),
                d -> d.key, rocksDb);
        var batched = BatchEquivalence.run(script,
                s -> new MicroBatchOperator<>(detector(eventTime), new MicroBatch(s == 1 ? 5 : 16,
                        Duration.ofMillis(40))), d -> d.key, rocksDb);
        BatchEquivalence.assertSame(expected, batched, 1_000);
        // a batched run's snapshot restores into the function alone, and the function's into the batched operator
        var mixed = BatchEquivalence.run(script, s -> s == 1 ? new KeyedProcessOperator<>(detector(eventTime))
                : new MicroBatchOperator<>(detector(eventTime), MicroBatch.DEFAULT), d -> d.key, rocksDb);
        BatchEquivalence.assertSame(expected, mixed, 1_000);
    }

    @Test
    void aBatchWaitsUntilItIsFullOrItsDelayIsUp() throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new MicroBatchOperator<>(detector(false), new MicroBatch(4, Duration.ofMillis(10))),
                DetectStreams::keyOf, Types.STRING, 128, 1, 0);
        h.setProcessingTime(100);
        h.open();
        for (String k : List.of("a", "b", "a")) {
            h.processElement(new StreamRecord<>(DetectFunctionTest.event(k, 0), 0));
        }
        assertTrue(h.extractOutputValues().isEmpty(), "three events wait for a fourth or 10 ms");
        h.setProcessingTime(109);
        assertTrue(h.extractOutputValues().isEmpty(), "9 ms");
        h.setProcessingTime(110);
        List<Detection> out = h.extractOutputValues();
        assertEquals(List.of("a", "b", "a"), out.stream().map(d -> d.key).toList());
        assertEquals(List.of(1L, 1L, 2L), out.stream().map(d -> d.step).toList(), "a's second event after its first");
        h.getOutput().clear();
        for (String k : List.of("c", "d", "e", "f")) {
            h.processElement(new StreamRecord<>(DetectFunctionTest.event(k, 0), 0));
        }
        assertEquals(4, h.extractOutputValues().size(), "a full batch is stepped at once");
        h.close();
    }
}
