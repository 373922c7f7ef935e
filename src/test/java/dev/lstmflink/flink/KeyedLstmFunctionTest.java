package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.LstmHarness.Backend;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The keyed LSTM operator in Flink's operator harness, on the heap and the RocksDB state backends. */
class KeyedLstmFunctionTest {

    static final LstmConfig CFG = LstmConfig.of(2, 8).withNumLayers(2);
    static final byte[] MODEL = TestModels.withHead(CFG, 1, 42);

    static SensorEvent event(String key, int step) {
        int k = key.hashCode();
        return new SensorEvent(key, 1_000L * step + Math.floorMod(k, 7),
                (float) Math.sin(0.3 * step + k), (float) Math.cos(0.2 * step - k));
    }

    static List<SensorEvent> sequence(String key, int from, int to) {
        List<SensorEvent> l = new ArrayList<>();
        for (int s = from; s < to; s++) {
            l.add(event(key, s));
        }
        return l;
    }

    /** Round-robin over keys: key a step 0, key b step 0, ..., key a step 1, ... */
    static List<SensorEvent> interleaved(List<String> keys, int from, int to) {
        List<SensorEvent> l = new ArrayList<>();
        for (int s = from; s < to; s++) {
            for (String k : keys) {
                l.add(event(k, s));
            }
        }
        return l;
    }

    /** The core library's outputs for one key's events, stepped alone from zero state. */
    static List<float[]> reference(OutputKind kind, List<SensorEvent> events) throws Exception {
        LstmModel m = LstmModelFile.read(MODEL, "ref");
        LstmStepper<float[]> st = m.lstm().stepper();
        float[] state = st.newState();
        List<float[]> out = new ArrayList<>();
        for (SensorEvent e : events) {
            if (e.reset) {
                state = st.newState();
            }
            st.step(e.values, 0, state);
            int hOut = m.lstm().config().outputSize();
            float[] h = Arrays.copyOfRange(state, st.outputOffset(), st.outputOffset() + hOut);
            if (kind == OutputKind.PREDICTION) {
                float[] y = new float[1];
                m.head().apply(state, st.outputOffset(), y, 0);
                out.add(y);
            } else {
                out.add(h);
            }
        }
        return out;
    }

    static void assertOutputs(List<float[]> expected, List<LstmOutput> actual, String key) {
        assertEquals(expected.size(), actual.size(), "outputs of key " + key);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i).values, "key " + key + " output " + i);
            assertEquals(i + 1, actual.get(i).step, "key " + key + " step index");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void interleavedKeysGetExactlyWhatEachGetsAlone(Backend backend) throws Exception {
        List<String> keys = List.of("sensor-a", "sensor-b", "sensor-c");
        var h = LstmHarness.open(LstmFunctionConfig.processingTime(OutputKind.PREDICTION), MODEL, backend);
        LstmHarness.feed(h, interleaved(keys, 0, 20));
        Map<String, List<LstmOutput>> got = LstmHarness.byKey(h.extractOutputValues());
        for (String k : keys) {
            assertOutputs(reference(OutputKind.PREDICTION, sequence(k, 0, 20)), got.get(k), k);
            assertTrue(got.get(k).stream().allMatch(o -> o.modelVersion.startsWith("sha256:")), "model version");
        }
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void snapshotRestoreContinueEqualsUninterruptedRun(Backend backend) throws Exception {
        List<String> keys = List.of("k1", "k2", "k3", "k4");
        LstmFunctionConfig cfg = LstmFunctionConfig.processingTime(OutputKind.HIDDEN);
        var first = LstmHarness.open(cfg, MODEL, backend);
        LstmHarness.feed(first, interleaved(keys, 0, 10));
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();

        var restored = LstmHarness.create(cfg, MODEL, backend, 1, 0);
        restored.initializeState(snapshot);
        restored.open();
        LstmHarness.feed(restored, interleaved(keys, 10, 20));
        Map<String, List<LstmOutput>> after = LstmHarness.byKey(restored.extractOutputValues());
        for (String k : keys) {
            List<float[]> all = reference(OutputKind.HIDDEN, sequence(k, 0, 20));
            List<LstmOutput> tail = after.get(k);
            assertEquals(10, tail.size());
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(all.get(10 + i), tail.get(i).values, k + " step " + (11 + i));
                assertEquals(11 + i, tail.get(i).step, k + " step index continues");
            }
        }
        restored.close();
    }

    @Test
    void rocksDbSnapshotOfOneSubtaskRestoresIntoTwo() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            keys.add("key-" + i);
        }
        LstmFunctionConfig cfg = LstmFunctionConfig.processingTime(OutputKind.HIDDEN);
        var one = LstmHarness.open(cfg, MODEL, Backend.ROCKSDB);
        LstmHarness.feed(one, interleaved(keys, 0, 6));
        OperatorSubtaskState snapshot = one.snapshot(1L, 1L);
        one.close();

        List<KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput>> two = new ArrayList<>();
        for (int sub = 0; sub < 2; sub++) {
            var h = LstmHarness.create(cfg, MODEL, Backend.ROCKSDB, 2, sub);
            h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    snapshot, LstmHarness.MAX_PARALLELISM, 1, 2, sub));
            h.open();
            two.add(h);
        }
        int[] perSubtask = new int[2];
        for (SensorEvent e : interleaved(keys, 6, 12)) {
            int sub = KeyGroupRangeAssignment.assignKeyToParallelOperator(e.key, LstmHarness.MAX_PARALLELISM, 2);
            perSubtask[sub]++;
            LstmHarness.feed(two.get(sub), List.of(e));
        }
        assertTrue(perSubtask[0] > 0 && perSubtask[1] > 0, "both subtasks must own keys");
        for (int sub = 0; sub < 2; sub++) {
            for (var entry : LstmHarness.byKey(two.get(sub).extractOutputValues()).entrySet()) {
                List<float[]> all = reference(OutputKind.HIDDEN, sequence(entry.getKey(), 0, 12));
                for (int i = 0; i < 6; i++) {
                    assertArrayEquals(all.get(6 + i), entry.getValue().get(i).values, entry.getKey());
                    assertEquals(7 + i, entry.getValue().get(i).step);
                }
            }
            two.get(sub).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void outOfOrderInputEqualsOrderedInputInEventTime(Backend backend) throws Exception {
        List<String> keys = List.of("x", "y");
        LstmFunctionConfig cfg = LstmFunctionConfig.eventTime(OutputKind.HIDDEN);
        List<SensorEvent> ordered = interleaved(keys, 0, 30);
        List<SensorEvent> shuffled = new ArrayList<>(ordered);
        Collections.shuffle(shuffled, new Random(3));
        var a = LstmHarness.open(cfg, MODEL, backend);
        var b = LstmHarness.open(cfg, MODEL, backend);
        LstmHarness.feed(a, ordered);
        LstmHarness.feed(b, shuffled);
        assertTrue(a.extractOutputValues().isEmpty(), "nothing is stepped before the watermark passes");
        LstmHarness.watermark(a, 40_000);
        LstmHarness.watermark(b, 40_000);
        Map<String, List<LstmOutput>> byA = LstmHarness.byKey(a.extractOutputValues());
        Map<String, List<LstmOutput>> byB = LstmHarness.byKey(b.extractOutputValues());
        for (String k : keys) {
            assertEquals(byA.get(k), byB.get(k), "key " + k);
            assertOutputs(reference(OutputKind.HIDDEN, sequence(k, 0, 30)), byB.get(k), k);
        }
        a.close();
        b.close();
    }

    @Test
    void eventsLaterThanTheAllowedLatenessGoToTheSideOutput() throws Exception {
        LstmFunctionConfig cfg = LstmFunctionConfig.eventTime(OutputKind.HIDDEN).withAllowedLateness(Duration.ofMillis(500));
        var h = LstmHarness.open(cfg, MODEL, Backend.HEAP);
        LstmHarness.feed(h, sequence("s", 0, 5));
        LstmHarness.watermark(h, 10_000);
        assertEquals(5, h.extractOutputValues().size());
        SensorEvent tooLate = new SensorEvent("s", 9_000, 1f, 1f);
        SensorEvent withinLateness = new SensorEvent("s", 9_600, 1f, 1f);
        LstmHarness.feed(h, List.of(tooLate, withinLateness));
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.REJECTED));
        assertEquals(1, rejected.size());
        assertEquals(RejectedEvent.LATE, rejected.get(0).getValue().reason);
        assertEquals(tooLate, rejected.get(0).getValue().event);
        assertTrue(rejected.get(0).getValue().detail.contains("1000 ms behind"), rejected.get(0).getValue().detail);
        assertEquals(6, h.extractOutputValues().size(), "the event within the allowed lateness is stepped");
        h.close();
    }

    @Test
    void quietKeyIsReleasedAfterTheDelayWithoutAWatermark() throws Exception {
        LstmFunctionConfig cfg = LstmFunctionConfig.eventTime(OutputKind.HIDDEN).withReleaseDelay(Duration.ofSeconds(5));
        var h = LstmHarness.open(cfg, MODEL, Backend.HEAP);
        h.setProcessingTime(0);
        List<SensorEvent> events = sequence("q", 0, 4);
        LstmHarness.feed(h, List.of(events.get(2), events.get(0), events.get(3), events.get(1)));
        h.setProcessingTime(4_999);
        assertTrue(h.extractOutputValues().isEmpty(), "still waiting for the watermark");
        h.setProcessingTime(5_000);
        assertOutputs(reference(OutputKind.HIDDEN, events), h.extractOutputValues(), "q");
        assertEquals(0, h.numEventTimeTimers(), "the released events' timers are gone");
        h.close();
    }

    @Test
    void resetFlagRestartsTheKeyFromZero() throws Exception {
        var h = LstmHarness.open(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), MODEL, Backend.HEAP);
        List<SensorEvent> events = sequence("r", 0, 6);
        events.get(3).reset = true;
        LstmHarness.feed(h, events);
        List<LstmOutput> got = h.extractOutputValues();
        List<float[]> fresh = reference(OutputKind.HIDDEN, events.subList(3, 6));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(fresh.get(i), got.get(3 + i).values, "after reset, step " + i);
            assertEquals(i + 1, got.get(3 + i).step, "step index restarts");
        }
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void idleKeyExpiresInProcessingTime(Backend backend) throws Exception {
        LstmFunctionConfig cfg = LstmFunctionConfig.processingTime(OutputKind.HIDDEN).withIdleTimeout(Duration.ofMinutes(1));
        var h = LstmHarness.open(cfg, MODEL, backend);
        h.setStateTtlProcessingTime(0);
        LstmHarness.feed(h, sequence("t", 0, 3));
        h.setStateTtlProcessingTime(59_000);
        LstmHarness.feed(h, sequence("t", 3, 4));
        assertEquals(4, h.extractOutputValues().get(3).step, "not idle yet: the key continues");
        h.setStateTtlProcessingTime(59_000 + 60_001);
        List<SensorEvent> later = sequence("t", 4, 5);
        LstmHarness.feed(h, later);
        LstmOutput o = h.extractOutputValues().get(4);
        assertEquals(1, o.step, "expired key restarts");
        assertArrayEquals(reference(OutputKind.HIDDEN, later).get(0), o.values);
        h.close();
    }

    @Test
    void idleKeyExpiresInEventTime() throws Exception {
        LstmFunctionConfig cfg = LstmFunctionConfig.eventTime(OutputKind.HIDDEN).withIdleTimeout(Duration.ofSeconds(30));
        var h = LstmHarness.open(cfg, MODEL, Backend.HEAP);
        LstmHarness.feed(h, sequence("u", 0, 3));   // ts 0 .. 2,000 (+ offset)
        LstmHarness.watermark(h, 2_500);
        assertEquals(3, h.extractOutputValues().size());
        LstmHarness.watermark(h, 40_000);             // 30 s after the last event: the key expires
        SensorEvent next = new SensorEvent("u", 41_000, 0.5f, -0.5f);
        LstmHarness.feed(h, List.of(next));
        LstmHarness.watermark(h, 42_000);
        LstmOutput o = h.extractOutputValues().get(3);
        assertEquals(1, o.step, "expired key restarts from zero");
        assertArrayEquals(reference(OutputKind.HIDDEN, List.of(next)).get(0), o.values);
        h.close();
    }

    @Test
    void aBusyKeyKeepsOneExpiryTimerNotOnePerEvent() throws Exception {
        LstmFunctionConfig cfg = LstmFunctionConfig.eventTime(OutputKind.HIDDEN).withIdleTimeout(Duration.ofHours(24));
        var h = LstmHarness.open(cfg, MODEL, Backend.HEAP);
        LstmHarness.feed(h, sequence("busy", 0, 200));
        LstmHarness.watermark(h, 300_000);
        assertEquals(200, h.extractOutputValues().size());
        assertEquals(1, h.numEventTimeTimers(), "one pending expiry timer for the key");
        h.close();
    }

    @Test
    void invalidValuesGoToTheSideOutputWithTheReason() throws Exception {
        var h = LstmHarness.open(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), MODEL, Backend.HEAP);
        LstmHarness.feed(h, List.of(new SensorEvent("v", 1, 1f, 2f, 3f), new SensorEvent("v", 2, 1f, Float.NaN),
                new SensorEvent("v", 3, 1f, 2f)));
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.REJECTED));
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).getValue().detail.contains("values has 3 entries"), rejected.get(0).getValue().detail);
        assertTrue(rejected.get(1).getValue().detail.contains("values[1] is NaN"), rejected.get(1).getValue().detail);
        assertEquals(1, h.extractOutputValues().size());
        assertEquals(1, h.extractOutputValues().get(0).step, "rejected events do not advance the key");
        h.close();
    }

    @Test
    void probabilitiesAreASoftmaxOfTheHead() throws Exception {
        byte[] model = TestModels.withHead(CFG, 3, 7);
        var h = LstmHarness.open(LstmFunctionConfig.processingTime(OutputKind.PROBABILITIES), model, Backend.HEAP);
        LstmHarness.feed(h, sequence("p", 0, 3));
        for (LstmOutput o : h.extractOutputValues()) {
            assertEquals(3, o.values.length);
            double sum = 0;
            for (float v : o.values) {
                assertTrue(v > 0 && v < 1);
                sum += v;
            }
            assertEquals(1.0, sum, 1e-6);
        }
        LstmModel m = LstmModelFile.read(model, "m");
        float[] logits = new float[3];
        LstmStepper<float[]> st = m.lstm().stepper();
        float[] s = st.newState();
        st.step(event("p", 0).values, 0, s);
        m.head().apply(s, st.outputOffset(), logits, 0);
        LinearHead.softmax(logits, 0, 3);
        assertArrayEquals(logits, h.extractOutputValues().get(0).values);
        h.close();
    }
}
