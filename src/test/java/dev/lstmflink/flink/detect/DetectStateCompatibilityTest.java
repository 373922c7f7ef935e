package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.DetectFunctionTest.MEAN;
import static dev.lstmflink.flink.detect.DetectFunctionTest.SCORING;
import static dev.lstmflink.flink.detect.DetectFunctionTest.STD;
import static dev.lstmflink.flink.detect.DetectFunctionTest.byKey;
import static dev.lstmflink.flink.detect.DetectFunctionTest.feed;
import static dev.lstmflink.flink.detect.DetectFunctionTest.interleaved;
import static dev.lstmflink.flink.detect.DetectFunctionTest.sequence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.flink.detect.DetectEventTimeTest.RecordingTaskMetricGroup;
import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.Normalization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restoring {@link DetectFunction}'s state with a model of another shape (issue 6, "State compatibility"), in Flink's
 * operator harness: refused when the state is restored, before any key is touched, with both shapes named and a
 * {@link SuppressRestartsException} (so Flink does not restart into the same failure); or, with
 * {@link OnStateMismatch#RESET}, each affected key started again as a new key and counted.
 */
class DetectStateCompatibilityTest {

    static final LstmConfig SHAPE = LstmConfig.of(2, 8);
    static final String NORM = new Normalization(MEAN, STD).toJson();
    static final byte[] MODEL = DetectFunctionTest.model(SHAPE, 2, 7, NORM, true);
    static final List<String> KEYS = List.of("k1", "k2", "k3");
    static final int STEPS = 30;

    static Stream<LstmConfig> otherShapes() {
        return Stream.of(LstmConfig.of(2, 16), SHAPE.withNumLayers(2), LstmConfig.of(3, 8), SHAPE.withProjSize(4));
    }

    @ParameterizedTest
    @MethodSource("otherShapes")
    void aModelOfAnotherShapeIsRefusedWhenTheStateIsRestoredNamingBothShapes(LstmConfig other) throws Exception {
        OperatorSubtaskState snapshot = stateAfter(STEPS);
        byte[] model = DetectFunctionTest.model(other, other.inputSize(), 3, null, true);
        var h = harness(model, OnStateMismatch.FAIL);
        Exception e = assertThrows(Exception.class, () -> h.initializeState(snapshot));
        String m = refusal(e);
        assertTrue(m.contains("Refusing to restore"), m);
        assertTrue(m.contains("a model of shape input_size=2, hidden_size=8, num_layers=1, proj_size=0 (16 state "
                + "values per key"), "the savepoint's shape: " + m);
        assertTrue(m.contains("has shape input_size=" + other.inputSize() + ", hidden_size=" + other.hiddenSize()
                + ", num_layers=" + other.numLayers() + ", proj_size=" + other.projSize()), "the model's shape: " + m);
        assertTrue(m.contains("flink.on_state_mismatch: reset"), "names the way out: " + m);
    }

    @Test
    void aModelOfTheSameShapeWithOtherWeightsIsAcceptedAndEveryKeyContinues() throws Exception {
        OperatorSubtaskState snapshot = stateAfter(STEPS);
        var h = harness(DetectFunctionTest.model(SHAPE, 2, 99, NORM, true), OnStateMismatch.FAIL);
        h.initializeState(snapshot);
        h.open();
        feed(h, interleaved(KEYS, STEPS, STEPS + 5));
        Map<String, List<Detection>> got = byKey(h.extractOutputValues());
        for (String k : KEYS) {
            assertEquals(STEPS + 1, got.get(k).get(0).step, k + " continues");
            assertNotNull(got.get(k).get(0).prediction, k + "'s pending prediction is used");
        }
        h.close();
    }

    /**
     * Reset mode: the savepoint's keys start again as new keys, one by one as their events come, and are counted. A
     * key the run has not reached when it takes its own snapshot keeps the old state, which that snapshot's new shape
     * no longer describes: a fail-mode restore of it then refuses that key when it comes (with its name and sizes).
     */
    @Test
    void resetModeStartsTheSavepointsKeysAgainOneByOneAndCountsThem() throws Exception {
        OperatorSubtaskState snapshot = stateAfter(STEPS);
        byte[] wider = DetectFunctionTest.model(LstmConfig.of(2, 16), 2, 5, NORM, true);
        List<SensorEvent> later = interleaved(List.of("k1", "k2"), STEPS, STEPS + 40);

        var fresh = harness(wider, OnStateMismatch.FAIL);
        fresh.open();
        feed(fresh, later);
        Map<String, List<Detection>> asNewKeys = byKey(fresh.extractOutputValues());
        fresh.close();

        RecordingTaskMetricGroup metrics = new RecordingTaskMetricGroup();
        OperatorSubtaskState second;
        MockEnvironment env = environment(metrics);
        try {
            var h = harness(wider, OnStateMismatch.RESET, env);
            h.initializeState(snapshot);
            h.open();
            feed(h, later);
            Map<String, List<Detection>> got = byKey(h.extractOutputValues());
            assertEquals(asNewKeys, got, "k1 and k2 are scored as new keys of the new model");
            assertEquals(1, got.get("k1").get(0).step);
            assertEquals(2, metrics.count(DetectFunction.METRIC_STATE_RESETS), "k1 and k2, each once");
            assertEquals(2, metrics.count(DetectFunction.METRIC_KEYS_STARTED));
            second = h.snapshot(2L, 2L);
            h.close();
        } finally {
            env.close();
        }

        var strict = harness(wider, OnStateMismatch.FAIL);
        strict.initializeState(second);   // the snapshot stores the new shape: accepted
        strict.open();
        feed(strict, sequence("k1", STEPS + 40, STEPS + 41));
        assertEquals(41, strict.extractOutputValues().get(0).step, "k1 continues in the new shape");
        Exception e = assertThrows(Exception.class, () -> feed(strict, sequence("k3", STEPS, STEPS + 1)));
        String m = refusal(e);
        assertTrue(m.contains("key k3 has an LSTM state of 16 values, model ") && m.contains(" needs 32: restored"),
                m);
        strict.close();
    }

    /** h/c of L = 2, H = 8 and of L = 1, H = 16 are both 32 floats: no key's sizes show which model wrote it. */
    @Test
    void resetModeRefusesShapesWhoseStateHasTheSameSizes() throws Exception {
        LstmConfig twoLayers = SHAPE.withNumLayers(2);
        OperatorSubtaskState snapshot = stateAfter(DetectFunctionTest.model(twoLayers, 2, 7, NORM, true), STEPS);
        var h = harness(DetectFunctionTest.model(LstmConfig.of(2, 16), 2, 5, NORM, true), OnStateMismatch.RESET);
        String m = refusal(assertThrows(Exception.class, () -> h.initializeState(snapshot)));
        assertTrue(m.contains("cannot tell the savepoint's keys from new ones") && m.contains("num_layers=2")
                && m.contains("hidden_size=16") && m.contains("32 state values"), m);
    }

    /** State without the stored shape (a savepoint of an earlier build): each key is checked by its sizes. */
    @Test
    void stateWithoutAStoredShapeIsCheckedKeyByKey() throws Exception {
        OperatorSubtaskState full = stateAfter(STEPS);
        OperatorSubtaskState keyedOnly = OperatorSubtaskState.builder()
                .setManagedKeyedState(full.getManagedKeyedState()).build();
        byte[] wider = DetectFunctionTest.model(LstmConfig.of(2, 16), 2, 5, NORM, true);

        var strict = harness(wider, OnStateMismatch.FAIL);
        strict.initializeState(keyedOnly);
        strict.open();
        String m = refusal(assertThrows(Exception.class, () -> feed(strict, sequence("k2", STEPS, STEPS + 1))));
        assertTrue(m.contains("key k2 has an LSTM state of 16 values") && m.contains("needs 32")
                && m.contains("flink.on_state_mismatch: reset"), m);
        strict.close();

        RecordingTaskMetricGroup metrics = new RecordingTaskMetricGroup();
        MockEnvironment env = environment(metrics);
        try {
            var h = harness(wider, OnStateMismatch.RESET, env);
            h.initializeState(keyedOnly);
            h.open();
            feed(h, interleaved(KEYS, STEPS, STEPS + 3));
            for (List<Detection> ofKey : byKey(h.extractOutputValues()).values()) {
                DetectEventTimeTest.assertStartsAsNew(ofKey.get(0));
                assertEquals(3, ofKey.get(2).step);
            }
            assertEquals(3, metrics.count(DetectFunction.METRIC_STATE_RESETS));
            h.close();
        } finally {
            env.close();
        }
    }

    /**
     * The stored shape is union operator state: restored at another parallelism, every new subtask gets it, so each
     * one checks (with split state, subtasks beyond the old parallelism would start unchecked).
     */
    @Test
    void aRescaledRestoreChecksTheShapeInEverySubtask() throws Exception {
        int maxParallelism = 128;
        List<OperatorSubtaskState> parts = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            var h = harness(MODEL, OnStateMismatch.FAIL, maxParallelism, 2, subtask);
            h.open();
            for (SensorEvent e : interleaved(List.of("a", "b", "c", "d", "e", "f"), 0, 10)) {
                if (KeyGroupRangeAssignment.assignKeyToParallelOperator(e.key, maxParallelism, 2) == subtask) {
                    feed(h, List.of(e));
                }
            }
            assertTrue(!h.extractOutputValues().isEmpty(), "subtask " + subtask + " holds keys");
            parts.add(h.snapshot(1L, 1L));
            h.close();
        }
        OperatorSubtaskState both = AbstractStreamOperatorTestHarness.repackageState(parts.toArray(new
                OperatorSubtaskState[0]));
        byte[] deeper = DetectFunctionTest.model(SHAPE.withNumLayers(3), 2, 5, NORM, true);
        for (int subtask = 0; subtask < 4; subtask++) {
            OperatorSubtaskState mine = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    both, maxParallelism, 2, 4, subtask);
            var refused = harness(deeper, OnStateMismatch.FAIL, maxParallelism, 4, subtask);
            String m = refusal(assertThrows(Exception.class, () -> refused.initializeState(mine)));
            assertTrue(m.contains("num_layers=3"), "subtask " + subtask + ": " + m);
            var accepted = harness(MODEL, OnStateMismatch.FAIL, maxParallelism, 4, subtask);
            accepted.initializeState(mine);
            accepted.open();
            accepted.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** The state of {@link #MODEL} after {@code steps} events of each of {@link #KEYS}. */
    static OperatorSubtaskState stateAfter(int steps) throws Exception {
        return stateAfter(MODEL, steps);
    }

    static OperatorSubtaskState stateAfter(byte[] model, int steps) throws Exception {
        var h = harness(model, OnStateMismatch.FAIL);
        h.open();
        feed(h, interleaved(KEYS, 0, steps));
        assertEquals(KEYS.size() * steps, h.extractOutputValues().size());
        OperatorSubtaskState s = h.snapshot(1L, 1L);
        h.close();
        return s;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> harness(byte[] model,
            OnStateMismatch policy) throws Exception {
        return harness(model, policy, 128, 1, 0);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> harness(byte[] model,
            OnStateMismatch policy, int maxParallelism, int parallelism, int subtask) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function(model, policy)),
                DetectStreams::keyOf, Types.STRING, maxParallelism, parallelism, subtask);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> harness(byte[] model,
            OnStateMismatch policy, MockEnvironment env) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function(model, policy)),
                DetectStreams::keyOf, Types.STRING, env);
    }

    static DetectFunction function(byte[] model, OnStateMismatch policy) {
        return new DetectFunction(SCORING, DetectOptions.processingTime().withOnStateMismatch(policy), model,
                "test-model");
    }

    static MockEnvironment environment(RecordingTaskMetricGroup metrics) {
        return new MockEnvironmentBuilder().setMaxParallelism(128).setParallelism(1).setSubtaskIndex(0)
                .setMetricGroup(metrics).build();
    }

    /** The message of the {@link SuppressRestartsException} in {@code e}'s causes (failing when there is none). */
    static String refusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SuppressRestartsException s) {
                assertNotNull(s.getCause(), "the refusal has its reason as cause");
                return s.getCause().getMessage();
            }
        }
        fail("no SuppressRestartsException in " + e, e);
        return null;
    }
}
