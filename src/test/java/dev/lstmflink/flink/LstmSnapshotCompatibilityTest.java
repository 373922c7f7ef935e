package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.OnStateMismatch;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestModels;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * The plain keyed LSTM operator's state as release {@code lstm-v1} wrote it ({@code src/test/resources/savepoints/
 * lstm-v1/}, made by {@link LstmSnapshotFixture}) restores with the current code: every key's h, c and step count, the
 * events waiting in the event-time buffers, their timers and the pending quiet-release timers come back, and the
 * operator then emits what that release emitted (steps and times exactly, values within 1e-6, the golden tolerance of
 * one step). A model of another shape is refused before any key is touched, naming both shapes.
 *
 * <p>When this fails after a change: the change breaks the state users hold (a serializer, a state name, the timers).
 * Make the old format readable, or, when the change is deliberate, keep this fixture and add {@code lstm-v2}; never
 * regenerate this one to make the test pass.
 */
class LstmSnapshotCompatibilityTest {

    static final String FIXTURE = "/savepoints/lstm-v1/";

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(LstmSnapshotCompatibilityTest.class.getResource(FIXTURE + name).toURI());
    }

    private static OperatorSubtaskState snapshot() throws Exception {
        return OperatorSnapshotUtil.readStateHandle(fixture(LstmSnapshotFixture.SNAPSHOT).toString());
    }

    @Test
    void theFixtureRestoresAndTheOperatorGoesOnAsThatReleaseDid() throws Exception {
        byte[] model = Files.readAllBytes(fixture(LstmSnapshotFixture.MODEL_FILE));
        List<String> expected = Files.readAllLines(fixture(LstmSnapshotFixture.EXPECTED), StandardCharsets.UTF_8);
        assertEquals(LstmSnapshotFixture.KEYS * 8, expected.size(), "steps 8..15 of every key");

        var h = LstmSnapshotFixture.harness(model);
        h.initializeState(snapshot());
        h.open();
        assertEquals(LstmSnapshotFixture.KEYS * 4, h.numEventTimeTimers() - LstmSnapshotFixture.KEYS,
                "steps 8..11 waiting, plus one expiry timer per key");
        assertEquals(LstmSnapshotFixture.KEYS, h.numProcessingTimeTimers(), "a quiet-release timer per key");
        List<LstmOutput> got = LstmSnapshotFixture.after(h);
        h.close();

        assertMatches(expected, got);
        assertTrue(got.stream().allMatch(o -> o.step == o.ts / 1_000 + 1), "each key's step count went on");

        // and the fixture's outputs are those of the same run without a snapshot in between
        var straight = LstmSnapshotFixture.harness(model);
        straight.open();
        LstmSnapshotFixture.before(straight);
        int stepped = straight.extractOutputValues().size();
        List<LstmOutput> all = LstmSnapshotFixture.after(straight);
        straight.close();
        assertMatches(expected, all.subList(stepped, all.size()));
    }

    /** Each key's outputs in the order emitted (keys whose timers fire at one time come out in any order). */
    private static void assertMatches(List<String> expectedLines, List<LstmOutput> outputs) {
        List<String> expected = byKey(expectedLines);
        List<String> got = byKey(outputs.stream().map(LstmSnapshotFixture::line).toList());
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            String[] want = expected.get(i).split(" ");
            String[] have = got.get(i).split(" ");
            assertEquals(String.join(" ", List.of(want).subList(0, 4)), String.join(" ", List.of(have).subList(0, 4)),
                    "output " + i + ": key, ts, step, model version");
            assertEquals(want.length, have.length, "output " + i + ": values");
            for (int j = 4; j < want.length; j++) {
                assertEquals(Float.parseFloat(want[j]), Float.parseFloat(have[j]), 1e-6,
                        "output " + i + " (" + expected.get(i).substring(0, 12) + "...) value " + (j - 4));
            }
        }
    }

    @Test
    void aModelOfAnotherShapeIsRefusedNamingBoth() throws Exception {
        byte[] other = TestModels.withHead(LstmConfig.of(2, 4), 1, 7);
        var h = LstmSnapshotFixture.harness(other);
        Exception e = assertThrows(Exception.class, () -> h.initializeState(snapshot()));
        String m = messages(e);
        assertTrue(m.contains("Refusing to restore") && m.contains("hidden_size=8, num_layers=2")
                && m.contains("hidden_size=4, num_layers=1"), m);
        h.close();
    }

    /**
     * Reset mode: a model whose h and c have another length starts each key again (step 1 after the restore); one of
     * the same state length (here another input size) cannot be told from the keys' state and is refused, as the plain
     * operator keeps nothing per key but h and c.
     */
    @Test
    void resetModeStartsKeysOfAnotherStateLengthAgainAndRefusesTheSameLength() throws Exception {
        byte[] smaller = TestModels.withHead(LstmConfig.of(2, 4), 1, 7);   // 16 state values, the fixture's 32
        var reset = harness(smaller, OnStateMismatch.RESET);
        reset.initializeState(snapshot());
        reset.open();
        List<LstmOutput> got = LstmSnapshotFixture.after(reset);
        reset.close();
        assertEquals(LstmSnapshotFixture.KEYS * 8, got.size(), "every waiting and new event stepped");
        for (LstmOutput o : got) {
            if (o.ts == 8_000) {
                assertEquals(1, o.step, o.key + " starts again at its first event after the restore");
            }
        }

        byte[] sameLength = TestModels.withHead(LstmConfig.of(3, 8).withNumLayers(2), 1, 7);   // 32 state values
        var refused = harness(sameLength, OnStateMismatch.RESET);
        String m = messages(assertThrows(Exception.class, () -> refused.initializeState(snapshot())));
        assertTrue(m.contains("cannot tell the savepoint's keys from new ones") && m.contains("32 state values per key"),
                m);
        refused.close();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> harness(byte[] model,
            OnStateMismatch policy) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new KeyedLstmFunction(
                LstmSnapshotFixture.CONFIG.withOnStateMismatch(policy), model, "other model")),
                LstmStreams::keyOf, Types.STRING, LstmHarness.MAX_PARALLELISM, 1, 0);
    }

    /**
     * The operator of the release before the per-key engine kept its event-time buffer in a type-extracted format
     * ({@code savepoints/lstm-pre-engine}) that names the event class: such state is refused when restored, naming
     * the class, not dropped.
     */
    @Test
    void theBufferOfTheReleaseBeforeTheEngineIsRefusedNotDropped() throws Exception {
        byte[] model = Files.readAllBytes(fixture(LstmSnapshotFixture.MODEL_FILE));
        var h = LstmSnapshotFixture.harness(model);
        OperatorSubtaskState old = OperatorSnapshotUtil.readStateHandle(Path.of(LstmSnapshotCompatibilityTest.class
                .getResource("/savepoints/lstm-pre-engine/operator-snapshot").toURI()).toString());
        // the type-extracted format names the event class, which has since moved to dev.lstmflink.record
        String m = messages(assertThrows(Exception.class, () -> h.initializeState(old)));
        assertTrue(m.contains("Could not restore keyed state backend")
                && m.contains("Could not find class 'dev.lstmflink.flink.SensorEvent'"), m);
        h.close();
    }

    /** Stable by key: each key's lines keep their order. */
    private static List<String> byKey(List<String> lines) {
        return lines.stream().sorted(Comparator.comparing(l -> l.substring(0, l.indexOf(' ')))).toList();
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
