package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.DetectFunctionTest.MODEL;
import static dev.lstmflink.flink.detect.DetectFunctionTest.SCORING;
import static dev.lstmflink.flink.detect.DetectFunctionTest.byKey;
import static dev.lstmflink.flink.detect.DetectFunctionTest.event;
import static dev.lstmflink.flink.detect.DetectFunctionTest.feed;
import static dev.lstmflink.flink.detect.DetectFunctionTest.interleaved;
import static dev.lstmflink.flink.detect.DetectFunctionTest.reference;
import static dev.lstmflink.flink.detect.DetectFunctionTest.sequence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.connect.DeadLetterMetrics;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.detect.DetectFunctionTest.Backend;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link DetectFunction} in event-time mode (buffering until the watermark, lateness) and with idle-key expiry in both
 * modes, plus its metrics. Events are 1 s apart per key ({@link DetectFunctionTest#event}).
 */
class DetectEventTimeTest {

    /** The watermark trails the newest timestamp by this: as a bounded-out-of-orderness strategy would. */
    static final long WATERMARK_LAG_MS = 3_000;

    /** Feeds events, following each with the watermark that a bounded-out-of-orderness strategy would emit. */
    static final class Watermarks {
        private long maxTs = Long.MIN_VALUE;
        private long emitted = Long.MIN_VALUE;

        void feed(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> h, List<SensorEvent> events)
                throws Exception {
            for (SensorEvent e : events) {
                h.processElement(new StreamRecord<>(e, e.ts));
                maxTs = Math.max(maxTs, e.ts);
                if (maxTs - WATERMARK_LAG_MS > emitted) {
                    emitted = maxTs - WATERMARK_LAG_MS;
                    h.processWatermark(new Watermark(emitted));
                }
            }
        }
    }

    static void watermark(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> h, long t)
            throws Exception {
        h.processWatermark(new Watermark(t));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> open(DetectOptions options,
            Backend backend) throws Exception {
        var h = DetectFunctionTest.create(SCORING, options, MODEL, backend);
        h.open();
        return h;
    }

    static List<RejectedEvent> rejected(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> h) {
        List<RejectedEvent> l = new ArrayList<>();
        var q = h.getSideOutput(LstmStreams.REJECTED);
        if (q != null) {
            q.forEach(r -> l.add(r.getValue()));
        }
        return l;
    }

    /**
     * The interleaved events of {@code keys}, shuffled within consecutive windows of 3 steps: out of order by up to
     * 2 s, less than the watermark's lag, so none is behind the watermark when it arrives.
     */
    static List<SensorEvent> disordered(List<String> keys, int from, int to, long seed) {
        List<SensorEvent> ordered = interleaved(keys, from, to);
        List<SensorEvent> out = new ArrayList<>();
        Random rnd = new Random(seed);
        int window = 3 * keys.size();
        for (int i = 0; i < ordered.size(); i += window) {
            List<SensorEvent> w = new ArrayList<>(ordered.subList(i, Math.min(i + window, ordered.size())));
            Collections.shuffle(w, rnd);
            out.addAll(w);
        }
        return out;
    }

    static boolean someKeyGoesBackInTime(List<SensorEvent> events) {
        Map<String, Long> last = new HashMap<>();
        for (SensorEvent e : events) {
            Long before = last.put(e.key, e.ts);
            if (before != null && e.ts < before) {
                return true;
            }
        }
        return false;
    }

    @Test
    void outOfOrderEventsAreScoredExactlyAsTheSameEventsInOrder() throws Exception {
        List<String> keys = List.of("a", "b", "c");
        DetectOptions options = DetectOptions.eventTime(Duration.ofSeconds(2));
        List<SensorEvent> ordered = interleaved(keys, 0, 60);
        SensorEvent spike = ordered.get(45 * keys.size() + 1);   // key b, after the warm-up: a flag on both sides
        spike.values[0] += 20 * DetectFunctionTest.STD[0];
        List<SensorEvent> shuffled = disordered(keys, 0, 60, 11);
        shuffled.set(shuffled.indexOf(event("b", 45)), spike);
        assertTrue(someKeyGoesBackInTime(shuffled), "the shuffled input must be out of order per key");

        var inOrder = open(options, Backend.HEAP);
        new Watermarks().feed(inOrder, ordered);
        watermark(inOrder, 100_000);
        var outOfOrder = open(options, Backend.HEAP);
        new Watermarks().feed(outOfOrder, shuffled);
        assertTrue(outOfOrder.extractOutputValues().size() < ordered.size(), "events wait for the watermark");
        watermark(outOfOrder, 100_000);

        Map<String, List<Detection>> want = byKey(inOrder.extractOutputValues());
        Map<String, List<Detection>> got = byKey(outOfOrder.extractOutputValues());
        for (String k : keys) {
            assertEquals(want.get(k), got.get(k), "key " + k);
            List<SensorEvent> keyEvents = ordered.stream().filter(e -> e.key.equals(k)).toList();
            assertEquals(reference(keyEvents, SCORING), got.get(k), "key " + k + " against the offline reference");
        }
        assertTrue(got.get("b").get(45).anomaly, "the spike is flagged: " + got.get("b").get(45));
        assertTrue(rejected(outOfOrder).isEmpty(), "nothing was late: " + rejected(outOfOrder));
        inOrder.close();
        outOfOrder.close();
    }

    @Test
    void eventsOfOneTimestampAreScoredInArrivalOrder() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO);
        SensorEvent first = event("t", 0);
        SensorEvent x = new SensorEvent("t", 1_000, 11f, -4.5f);
        SensorEvent y = new SensorEvent("t", 1_000, 9f, -5.5f);
        var xy = open(options, Backend.HEAP);
        feed(xy, List.of(x, y, first));
        watermark(xy, 5_000);
        var yx = open(options, Backend.HEAP);
        feed(yx, List.of(y, x, first));
        watermark(yx, 5_000);
        assertEquals(reference(List.of(first, x, y), SCORING), xy.extractOutputValues());
        assertEquals(reference(List.of(first, y, x), SCORING), yx.extractOutputValues());
        assertNotEquals(xy.extractOutputValues(), yx.extractOutputValues(), "the order of a tie matters");
        xy.close();
        yx.close();
    }

    @Test
    void aLateEventIsRejectedAndChangesNothing() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ofMillis(500));
        var h = open(options, Backend.HEAP);
        feed(h, sequence("s", 0, 10));               // ts 0 .. 9,000
        watermark(h, 9_000);
        assertEquals(10, h.extractOutputValues().size());
        int timers = h.numEventTimeTimers();
        int entries = h.numKeyedStateEntries();

        SensorEvent late = new SensorEvent("s", 8_000, 50f, 50f);   // 1,000 ms behind: more than the 500 allowed
        feed(h, List.of(late));
        List<RejectedEvent> r = rejected(h);
        assertEquals(1, r.size());
        assertEquals(RejectedEvent.LATE, r.get(0).reason);
        assertEquals(late, r.get(0).event);
        assertTrue(r.get(0).detail.contains("event time 8000") && r.get(0).detail.contains("watermark 9000")
                && r.get(0).detail.contains("1000 ms behind"), r.get(0).detail);
        assertEquals(10, h.extractOutputValues().size(), "no detection for the late event");
        assertEquals(timers, h.numEventTimeTimers(), "no timer for the late event");
        assertEquals(entries, h.numKeyedStateEntries(), "nothing buffered");

        feed(h, sequence("s", 10, 30));
        watermark(h, 30_000);
        assertEquals(reference(sequence("s", 0, 30), SCORING), h.extractOutputValues(),
                "the key continues as if the late event had never come");
        h.close();
    }

    @Test
    void anEventBehindTheWatermarkButWithinTheAllowedLatenessIsScoredAtOnce() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ofMillis(500));
        var h = open(options, Backend.HEAP);
        feed(h, sequence("w", 0, 5));                // ts 0 .. 4,000
        watermark(h, 5_000);
        SensorEvent behind = new SensorEvent("w", 4_500, 10.5f, -5.2f);   // exactly the allowed 500 ms behind
        feed(h, List.of(behind));
        List<SensorEvent> all = new ArrayList<>(sequence("w", 0, 5));
        all.add(behind);
        assertEquals(reference(all, SCORING), h.extractOutputValues(), "scored without waiting for a watermark");
        assertTrue(rejected(h).isEmpty(), rejected(h).toString());
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void snapshotRestoreWithBufferedEventsContinuesIdentically(Backend backend) throws Exception {
        List<String> keys = List.of("k1", "k2", "k3");
        DetectOptions options = DetectOptions.eventTime(Duration.ofSeconds(1)).withIdleTimeout(Duration.ofMinutes(5));
        List<SensorEvent> all = disordered(keys, 0, 60, 5);
        int cut = 31 * keys.size() + 2;   // mid-window: the last few seconds of every key are buffered

        var straight = open(options, backend);
        new Watermarks().feed(straight, all);
        watermark(straight, 100_000);
        Map<String, List<Detection>> want = byKey(straight.extractOutputValues());
        straight.close();

        Watermarks wm = new Watermarks();
        var first = open(options, backend);
        wm.feed(first, all.subList(0, cut));
        List<Detection> before = new ArrayList<>(first.extractOutputValues());
        assertTrue(cut - before.size() >= keys.size(), "events are waiting in the buffer: " + before.size());
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();

        var restored = DetectFunctionTest.create(SCORING, options, MODEL, backend);
        restored.initializeState(snapshot);
        restored.open();
        wm.feed(restored, all.subList(cut, all.size()));
        watermark(restored, 100_000);
        List<Detection> after = restored.extractOutputValues();
        restored.close();

        List<Detection> joined = new ArrayList<>(before);
        joined.addAll(after);
        Map<String, List<Detection>> got = byKey(joined);
        for (String k : keys) {
            assertEquals(want.get(k), got.get(k), "key " + k);
            assertEquals(60, got.get(k).size(), "key " + k);
        }
        assertTrue(after.stream().allMatch(d -> d.prediction != null), "every key's prediction survived the restore");
    }

    @Test
    void anIdleKeyExpiresInEventTimeWhenItsTimerFires() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(30));
        var h = open(options, Backend.HEAP);
        feed(h, sequence("u", 0, 25));               // ts 0 .. 24,000
        watermark(h, 24_000);
        assertEquals(25, h.extractOutputValues().size());
        assertTrue(h.numKeyedStateEntries() > 0);
        assertEquals(1, h.numEventTimeTimers(), "one expiry timer for the key, at 54,000");
        watermark(h, 53_999);
        assertTrue(h.numKeyedStateEntries() > 0, "not idle for 30 s yet");
        watermark(h, 54_000);
        assertEquals(0, h.numKeyedStateEntries(), "the idle key's state is gone");
        assertEquals(0, h.numEventTimeTimers());

        List<SensorEvent> later = sequence("u", 70, 110);
        feed(h, later);
        watermark(h, 200_000);
        List<Detection> again = h.extractOutputValues().subList(25, 65);
        assertStartsAsNew(again.get(0));
        assertEquals(reference(later, SCORING), again, "the key starts again: LSTM, prediction and error history");
        h.close();
    }

    /**
     * The expiry timer is rounded up to a second, so a key can come back after exactly the timeout but before its timer
     * fires: it starts again all the same, idle being decided by the gap in event time.
     */
    @Test
    void aKeyBackAfterExactlyTheTimeoutStartsAgainBeforeItsRoundedTimerFires() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(30));
        var h = open(options, Backend.HEAP);
        List<SensorEvent> first = sequence("g", 0, 25);
        first.get(24).ts = 24_500;                   // its expiry timer: 54,500 rounded up to 55,000
        feed(h, first);
        List<SensorEvent> later = sequence("g", 70, 110);
        for (int i = 0; i < later.size(); i++) {
            later.get(i).ts = 54_500 + 1_000L * i;   // the first one 30 s after, scored before the timer at 55,000
        }
        feed(h, later);
        watermark(h, 200_000);
        List<Detection> again = h.extractOutputValues().subList(25, 65);
        assertStartsAsNew(again.get(0));
        assertEquals(reference(later, SCORING), again);
        h.close();
    }

    @Test
    void aKeyBackWithinTheTimeoutContinues() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(30));
        var h = open(options, Backend.HEAP);
        List<SensorEvent> events = sequence("c", 0, 25);   // ts 0 .. 24,000
        SensorEvent back = new SensorEvent("c", 24_000 + 29_999, 10.3f, -4.8f);
        events.add(back);
        feed(h, events.subList(0, 25));
        watermark(h, 50_000);
        feed(h, List.of(back));
        watermark(h, 60_000);
        assertEquals(reference(events, SCORING), h.extractOutputValues());
        assertEquals(26, h.extractOutputValues().get(25).step);
        h.close();
    }

    /**
     * A key's expiry timer and the timer of its events waiting at a whole second are one Flink timer (one per key and
     * time); moving the expiry timer must not delete it, or those events would never be scored.
     */
    @Test
    void eventsAtWholeSecondsAreAllScoredWhileTheExpiryTimerMoves() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(30));
        var h = open(options, Backend.HEAP);
        List<SensorEvent> events = sequence("z", 0, 60);   // ts 0, 1,000, ..., 59,000: 30,000 is the first expiry time
        feed(h, events);
        watermark(h, 70_000);
        assertEquals(reference(events, SCORING), h.extractOutputValues());
        h.close();
    }

    @Test
    void aBusyKeyKeepsOneExpiryTimer() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO).withIdleTimeout(Duration.ofHours(24));
        var h = open(options, Backend.HEAP);
        feed(h, sequence("busy", 0, 200));
        assertEquals(200, h.numEventTimeTimers(), "a timer per buffered timestamp; no expiry timer before scoring");
        watermark(h, 300_000);
        assertEquals(200, h.extractOutputValues().size());
        assertEquals(1, h.numEventTimeTimers(), "one pending expiry timer for the key");
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anIdleKeyExpiresInProcessingTime(Backend backend) throws Exception {
        DetectOptions options = DetectOptions.processingTime().withIdleTimeout(Duration.ofMinutes(1));
        var h = open(options, backend);
        h.setStateTtlProcessingTime(0);
        feed(h, sequence("p", 0, 25));
        h.setStateTtlProcessingTime(59_000);
        feed(h, sequence("p", 25, 26));
        Detection stillKnown = h.extractOutputValues().get(25);
        assertEquals(26, stillKnown.step, "not idle yet: the key continues");
        assertNotNull(stillKnown.prediction);

        h.setStateTtlProcessingTime(59_000 + 60_001);
        List<SensorEvent> later = sequence("p", 26, 66);
        feed(h, later);
        List<Detection> again = h.extractOutputValues().subList(26, 66);
        assertStartsAsNew(again.get(0));
        assertEquals(reference(later, SCORING), again, "the key starts again: LSTM, prediction and error history");
        h.close();
    }

    /**
     * A reset event writes no scoring state; the key's error history must still live as long as its LSTM state, not
     * expire on its own 60 s after the event before the reset.
     */
    @Test
    void aResetKeyKeepsItsErrorHistoryUnderTtl() throws Exception {
        List<SensorEvent> events = sequence("r", 0, 70);
        events.get(25).reset = true;
        var plain = open(DetectOptions.processingTime(), Backend.HEAP);
        feed(plain, events);
        var h = open(DetectOptions.processingTime().withIdleTimeout(Duration.ofMinutes(1)), Backend.HEAP);
        h.setStateTtlProcessingTime(0);
        feed(h, events.subList(0, 25));
        h.setStateTtlProcessingTime(50_000);
        feed(h, events.subList(25, 26));             // the reset
        h.setStateTtlProcessingTime(100_000);        // 50 s after the reset, 100 s after the last scoring write
        feed(h, events.subList(26, 70));
        assertEquals(plain.extractOutputValues(), h.extractOutputValues());
        plain.close();
        h.close();
    }

    @Test
    void metricsCountDetectionsAnomaliesAndKeysStarted() throws Exception {
        DetectOptions options = DetectOptions.eventTime(Duration.ZERO).withIdleTimeout(Duration.ofSeconds(30));
        RecordingTaskMetricGroup metrics = new RecordingTaskMetricGroup();
        try (MockEnvironment env = new MockEnvironmentBuilder().setMaxParallelism(128).setParallelism(1)
                .setSubtaskIndex(0).setMetricGroup(metrics).build()) {
            var h = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection>(
                    new KeyedProcessOperator<>(new DetectFunction(SCORING, options, MODEL, "test-model")),
                    DetectStreams::keyOf, Types.STRING, env);
            h.open();
            List<SensorEvent> events = interleaved(List.of("m1", "m2"), 0, 100);
            events.get(70 * 2).values[0] += 20 * DetectFunctionTest.STD[0];   // m1's spike
            events.get(90 * 2).reset = true;                                // a reset: not a key start
            events.add(new SensorEvent("m2", 200_000, 10f, -5f));           // m2 back after 100 s idle: a start
            feed(h, events);
            watermark(h, 250_000);
            feed(h, List.of(new SensorEvent("m1", 1_000, 10f, -5f)));      // late: not a detection
            feed(h, List.of(new SensorEvent("m1", 260_000, 10f)));          // invalid: not a detection

            List<Detection> out = h.extractOutputValues();
            long flagged = out.stream().filter(d -> d.anomaly).count();
            assertEquals(201, out.size());
            assertTrue(flagged >= 1, "the spike is flagged");
            assertEquals(out.size(), metrics.count(DetectMetrics.SCORED));
            assertEquals(flagged, metrics.count(DetectMetrics.ANOMALIES));
            assertEquals(0, metrics.gauge(DetectMetrics.KEYS_IN_STATE),
                    "three starts (m1, m2, m2 again), three expiries: the watermark at 250 s passed all three");
            assertEquals((long) out.size(), ((Histogram) metrics.detect.get(DetectMetrics.LATENCY)).getCount(),
                    "one processing-time sample per detection");
            assertEquals(3, metrics.count(DetectFunction.METRIC_KEYS_STARTED), "m1, m2, and m2 again");
            assertEquals(2, rejected(h).size());
            h.close();
        }
    }

    /** A key's first event (also after expiry): no prediction, so no score and no flag. */
    static void assertStartsAsNew(Detection d) {
        assertEquals(1, d.step, d.toString());
        assertNull(d.prediction, d.toString());
        assertTrue(Double.isNaN(d.residual) && Double.isNaN(d.score), d.toString());
        assertFalse(d.anomaly);
    }

    /**
     * A task metric group whose operator group keeps its metrics, and those of its group {@code detect}, so that a test
     * can read the function's counters.
     */
    static final class RecordingTaskMetricGroup extends UnregisteredMetricGroups.UnregisteredTaskMetricGroup {
        final InterceptingOperatorMetricGroup detect = new InterceptingOperatorMetricGroup();
        private final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup() {
            @Override
            public MetricGroup addGroup(String name) {
                return name.equals(DeadLetterMetrics.GROUP) ? detect : super.addGroup(name);
            }
        };

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(OperatorID id, String name, Map<String, String> variables) {
            return operator;
        }

        long gauge(String name) {
            Gauge<?> g = (Gauge<?>) detect.get(name);
            assertNotNull(g, "gauge " + name + " is registered");
            return ((Number) g.getValue()).longValue();
        }

        /** A counter of the operator's group or of its group {@code detect}. */
        long count(String name) {
            Counter c = (Counter) (operator.get(name) != null ? operator.get(name) : detect.get(name));
            assertNotNull(c, "counter " + name + " is registered");
            return c.getCount();
        }
    }
}
