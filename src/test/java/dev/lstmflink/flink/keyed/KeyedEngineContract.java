package dev.lstmflink.flink.keyed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.KeyedOptions;
import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every operator on the per-key engine ({@link KeyedLstmEngine}) does, whatever its output: one test base, run
 * against the plain LSTM operator ({@code KeyedLstmFunctionEngineTest}) and the detector
 * ({@code DetectFunctionEngineTest}) in Flink's keyed operator harness. Event-time order and lateness, the quiet
 * release, idle expiry (gap and timer), and refusals that change nothing.
 *
 * @param <O> the operator's output record
 */
public abstract class KeyedEngineContract<O> {

    /** The operator under test with these engine settings, in a harness not yet opened. */
    protected abstract KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, O> create(KeyedOptions options)
            throws Exception;

    /**
     * The micro-batch the operator runs with ({@link MicroBatchOperator}), or null for the function alone in Flink's
     * {@code KeyedProcessOperator}: the contract holds either way.
     */
    protected MicroBatch batch() {
        return null;
    }

    /** The function in the operator {@link #batch} asks for. */
    protected <F extends KeyedProcessFunction<String, SensorEvent, O> & KeyedLstmEngine.Owner<O>>
            OneInputStreamOperator<SensorEvent, O> operator(F function) {
        return batch() == null ? new KeyedProcessOperator<>(function) : new MicroBatchOperator<>(function, batch());
    }

    /** An event the operator's model takes: key, {@code ts = 1000 · step}, values varying with the step. */
    protected abstract SensorEvent event(String key, int step);

    protected abstract String key(O out);

    protected abstract long ts(O out);

    /** The key's step count after this output's event (1 for a new key's first event). */
    protected abstract long step(O out);

    private static final Duration QUIET = Duration.ofSeconds(5);

    private static KeyedOptions eventTime(Duration quietRelease, Duration idleTimeout) {
        return new KeyedOptions(true, Duration.ZERO, quietRelease, idleTimeout, OnStateMismatch.FAIL);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, O> open(KeyedOptions options, boolean rocksDb)
            throws Exception {
        var h = create(options);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
    }

    /**
     * Feeds the events; with a micro-batch, then flushes it as a checkpoint barrier would (its delay is processing time,
     * which some tests move themselves).
     */
    private static <X> void feed(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, X> h, SensorEvent... es)
            throws Exception {
        for (SensorEvent e : es) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
        h.prepareSnapshotPreBarrier(0);
    }

    private static List<RejectedEvent> rejected(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, ?> h) {
        List<RejectedEvent> l = new ArrayList<>();
        var q = h.getSideOutput(LstmStreams.REJECTED);
        if (q != null) {
            q.forEach(r -> l.add(r.getValue()));
        }
        return l;
    }

    /** Each key's outputs as (ts, step) pairs in emission order. */
    private Map<String, List<long[]>> byKey(List<O> outs) {
        Map<String, List<long[]>> m = new TreeMap<>();
        for (O o : outs) {
            m.computeIfAbsent(key(o), k -> new ArrayList<>()).add(new long[] {ts(o), step(o)});
        }
        return m;
    }

    private static void assertSteppedInOrder(List<long[]> got, long... timestamps) {
        assertEquals(timestamps.length, got.size(), "outputs");
        for (int i = 0; i < timestamps.length; i++) {
            assertEquals(timestamps[i], got.get(i)[0], "output " + i + "'s event time");
            assertEquals(i + 1, got.get(i)[1], "output " + i + "'s step");
        }
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void eventTimeStepsEachKeyInTimestampOrderWhenTheWatermarkPasses(boolean rocksDb) throws Exception {
        var h = open(eventTime(Duration.ZERO, Duration.ZERO), rocksDb);
        feed(h, event("a", 3), event("b", 1), event("a", 1), event("a", 2), event("b", 0), event("a", 0));
        assertTrue(h.extractOutputValues().isEmpty(), "waiting for the watermark");
        h.processWatermark(new Watermark(1_000));
        Map<String, List<long[]>> got = byKey(h.extractOutputValues());
        assertSteppedInOrder(got.get("a"), 0, 1_000);
        assertSteppedInOrder(got.get("b"), 0, 1_000);
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertSteppedInOrder(byKey(h.extractOutputValues()).get("a"), 0, 1_000, 2_000, 3_000);
        assertEquals(0, h.numEventTimeTimers());
        h.close();
    }

    @Test
    void anEventBehindTheWatermarkIsRejectedAsLateNamingBoth() throws Exception {
        var h = open(eventTime(Duration.ZERO, Duration.ZERO), false);
        feed(h, event("a", 10));
        h.processWatermark(new Watermark(10_000));
        feed(h, event("a", 4));
        List<RejectedEvent> r = rejected(h);
        assertEquals(1, r.size());
        assertEquals(RejectedEvent.LATE, r.get(0).reason);
        assertTrue(r.get(0).detail.contains("event time 4000 is 6000 ms behind the watermark 10000"), r.get(0).detail);
        assertEquals(1, h.extractOutputValues().size(), "the late event changed nothing");
        h.close();
    }

    @ParameterizedTest(name = "rocksdb={0}")
    @ValueSource(booleans = {false, true})
    void aQuietKeysWaitingEventsAreSteppedWithoutAWatermark(boolean rocksDb) throws Exception {
        var h = open(eventTime(QUIET, Duration.ZERO), rocksDb);
        h.setProcessingTime(0);
        feed(h, event("q", 2), event("q", 0), event("p", 7));
        h.setProcessingTime(3_000);
        feed(h, event("q", 3), event("q", 1));   // moves q's release to 8,000; p's stays at 5,000
        h.setProcessingTime(4_999);
        assertTrue(h.extractOutputValues().isEmpty(), "no watermark, not quiet for 5 s yet");
        h.setProcessingTime(5_000);
        Map<String, List<long[]>> got = byKey(h.extractOutputValues());
        assertSteppedInOrder(got.get("p"), 7_000);
        assertEquals(null, got.get("q"), "q had an event at 3,000: quiet from then on");
        h.setProcessingTime(8_000);
        got = byKey(h.extractOutputValues());
        assertSteppedInOrder(got.get("q"), 0, 1_000, 2_000, 3_000);
        assertEquals(0, h.numEventTimeTimers(), "the released events' timers are gone");
        assertEquals(0, h.numProcessingTimeTimers());
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        assertEquals(5, h.extractOutputValues().size(), "nothing stepped twice");
        h.close();
    }

    @Test
    void withoutQuietReleaseWaitingEventsWaitForTheWatermark() throws Exception {
        var h = open(eventTime(Duration.ZERO, Duration.ZERO), false);
        h.setProcessingTime(0);
        feed(h, event("q", 0), event("q", 1));
        h.setProcessingTime(86_400_000);
        assertTrue(h.extractOutputValues().isEmpty(), "a day later, still waiting");
        assertEquals(0, h.numProcessingTimeTimers());
        h.processWatermark(new Watermark(1_000));
        assertSteppedInOrder(byKey(h.extractOutputValues()).get("q"), 0, 1_000);
        h.close();
    }

    @Test
    void anIdleKeyStartsAgainAndItsTimerClearsItsState() throws Exception {
        var h = open(eventTime(QUIET, Duration.ofSeconds(30)), false);
        h.setProcessingTime(0);
        feed(h, event("u", 0), event("u", 1), event("u", 2));
        h.processWatermark(new Watermark(2_000));
        assertSteppedInOrder(byKey(h.extractOutputValues()).get("u"), 0, 1_000, 2_000);
        feed(h, event("u", 32));                          // a gap of exactly the timeout: a new key
        h.processWatermark(new Watermark(32_000));
        List<O> out = h.extractOutputValues();
        assertEquals(1, step(out.get(out.size() - 1)), "the key started again after the gap");
        h.setProcessingTime(10_000);                      // the pending quiet-release timer fires, finds nothing
        assertEquals(4, h.extractOutputValues().size());
        h.processWatermark(new Watermark(62_000));        // 32,000 + 30 s: the expiry timer
        assertEquals(0, h.numKeyedStateEntries(), "the idle key's state is gone");
        assertEquals(0, h.numEventTimeTimers());
        assertEquals(0, h.numProcessingTimeTimers());
        h.close();
    }

    @Test
    void anInvalidEventIsRejectedNamingTheFieldAndChangesNothing() throws Exception {
        var h = open(new KeyedOptions(false, Duration.ZERO, Duration.ZERO, Duration.ZERO, OnStateMismatch.FAIL),
                false);
        SensorEvent good = event("v", 0);
        SensorEvent nan = event("v", 1);
        nan.values[nan.values.length - 1] = Float.NaN;
        SensorEvent wide = new SensorEvent("v", 2_000, new float[good.values.length + 1]);
        feed(h, good, nan, wide, event("v", 3));
        List<RejectedEvent> r = rejected(h);
        assertEquals(2, r.size());
        for (RejectedEvent x : r) {
            assertEquals(RejectedEvent.INVALID, x.reason);
        }
        assertTrue(r.get(0).detail.contains("values[" + (nan.values.length - 1) + "]"), r.get(0).detail);
        assertTrue(r.get(1).detail.contains(String.valueOf(good.values.length + 1)), r.get(1).detail);
        assertSteppedInOrder(byKey(h.extractOutputValues()).get("v"), 0, 3_000);
        h.close();
    }
}
