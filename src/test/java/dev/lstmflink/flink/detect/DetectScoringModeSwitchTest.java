package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.DetectFunctionTest.MEAN;
import static dev.lstmflink.flink.detect.DetectFunctionTest.MODEL;
import static dev.lstmflink.flink.detect.DetectFunctionTest.STD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.LikelihoodScorer;
import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.anomaly.ScoringState;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.detect.DetectFunctionTest.Backend;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.Normalization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A snapshot written in one scoring mode restored into a job in the other: the upgrade from the old default
 * ({@code dynamic}, keyed state {@code scoring}) to the new one ({@code likelihood}, keyed state {@code likelihood}), and
 * back. The LSTM state, pending prediction and step count continue as if nothing had happened; the new mode's history
 * starts at the restore (its warm-up runs again: the old mode's history cannot be translated); and the old mode's state
 * of a key is dropped at the key's next event, so that it neither stays in every later checkpoint nor comes back as a
 * stale history when the mode is switched again.
 */
class DetectScoringModeSwitchTest {

    static final List<String> KEYS = List.of("a", "b", "c");
    static final int BEFORE = 70;
    static final int STEPS = 160;
    static final ScoringConfig DYNAMIC = DetectFunctionTest.SCORING;   // window 50, warm-up 20
    static final ScoringConfig LIKELIHOOD = DetectLikelihoodTest.SCORING;   // warm-up 20, rest 10

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> open(ScoringConfig scoring,
            Backend backend, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection>(
                new KeyedProcessOperator<>(new DetectFunction(scoring, DetectOptions.processingTime(), MODEL,
                        "test-model")), DetectStreams::keyOf, Types.STRING, 128, 1, 0);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** Events of every key, a spike on each key's step 130 (after the new mode's warm-up). */
    static List<SensorEvent> events(int from, int to) {
        List<SensorEvent> l = DetectFunctionTest.interleaved(KEYS, from, to);
        for (SensorEvent e : l) {
            if (e.ts == 130_000L) {
                e.values[0] += 25 * STD[0];
            }
        }
        return l;
    }

    /** The keys holding keyed state {@code name}. */
    static List<String> keysWith(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> h,
            String name) {
        KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
        return backend.getKeys(name, VoidNamespace.INSTANCE).sorted().toList();
    }

    /**
     * Per key, the detector's results from step {@code BEFORE} on: the LSTM from step 0 (the core's stepper and head),
     * the scorer of {@code to}'s mode started afresh at step {@code BEFORE}.
     */
    static Map<String, List<KeyScorer.Result>> reference(ScoringConfig to) throws Exception {
        LstmModel m = LstmModelFile.read(MODEL, "ref");
        Normalization norm = new Normalization(MEAN, STD);
        Map<String, List<KeyScorer.Result>> out = new java.util.LinkedHashMap<>();
        for (String key : KEYS) {
            LstmStepper<float[]> st = m.lstm().stepper();
            float[] hc = st.newState();
            LikelihoodScorer likelihood = new LikelihoodScorer(to.likelihood());
            LikelihoodState ls = likelihood.newState(2);
            KeyScorer dynamic = new KeyScorer(to);
            ScoringState sc = dynamic.newState();
            float[] predicted = null;
            List<KeyScorer.Result> results = new ArrayList<>();
            for (SensorEvent e : events(0, STEPS)) {
                if (!e.key.equals(key)) {
                    continue;
                }
                float[] xn = e.values.clone();
                norm.apply(xn);
                if (e.ts >= BEFORE * 1_000L) {
                    results.add(to.mode() == ScoringConfig.Mode.LIKELIHOOD ? likelihood.score(xn, predicted, ls)
                            : dynamic.score(xn, predicted, sc));
                }
                st.step(xn, 0, hc);
                predicted = new float[2];
                m.head().apply(hc, st.outputOffset(), predicted, 0);
            }
            out.put(key, results);
        }
        return out;
    }

    static void switchModes(ScoringConfig from, ScoringConfig to, String oldState, String newState, Backend backend)
            throws Exception {
        var straight = open(to, backend, null);
        DetectFunctionTest.feed(straight, events(0, STEPS));
        Map<String, List<Detection>> uninterrupted = DetectFunctionTest.byKey(straight.extractOutputValues());
        straight.close();

        var first = open(from, backend, null);
        DetectFunctionTest.feed(first, events(0, BEFORE));
        assertEquals(KEYS, keysWith(first, oldState), "every key has " + from.mode() + " state before the switch");
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();

        var restored = open(to, backend, snapshot);
        DetectFunctionTest.feed(restored, events(BEFORE, STEPS));
        Map<String, List<Detection>> got = DetectFunctionTest.byKey(restored.extractOutputValues());
        Map<String, List<KeyScorer.Result>> want = reference(to);
        long flagged = 0;
        for (String key : KEYS) {
            List<Detection> mine = got.get(key);
            List<Detection> straightOnes = uninterrupted.get(key).subList(BEFORE, STEPS);
            assertEquals(STEPS - BEFORE, mine.size(), key);
            for (int i = 0; i < mine.size(); i++) {
                Detection d = mine.get(i);
                Detection s = straightOnes.get(i);
                KeyScorer.Result r = want.get(key).get(i);
                String at = key + " step " + (BEFORE + i) + ": " + d;
                assertEquals(s.step, d.step, "the step count continues: " + at);
                assertEquals(java.util.Arrays.toString(s.prediction), java.util.Arrays.toString(d.prediction),
                        "the LSTM continues: " + at);
                assertEquals(s.residual, d.residual, 0, at);
                assertEquals(r.score(), d.score, 0, "the " + to.mode() + " history starts at the restore: " + at);
                assertEquals(r.threshold(), d.threshold, 0, at);
                assertEquals(r.anomaly(), d.anomaly, at);
                flagged += d.anomaly ? 1 : 0;
            }
        }
        assertTrue(flagged > 0, "the spike after the switch is flagged");
        assertEquals(KEYS, keysWith(restored, newState), "every key has " + to.mode() + " state now");
        assertEquals(List.of(), keysWith(restored, oldState), "the " + from.mode() + " state of every key that had an "
                + "event since the restore is gone");

        // so the next checkpoint holds none of it, and a switch back starts that mode's history afresh too
        OperatorSubtaskState second = restored.snapshot(2L, 2L);
        restored.close();
        var back = open(from, backend, second);
        assertEquals(List.of(), keysWith(back, oldState), "switched back: no " + from.mode() + " history from before "
                + "the first switch");
        assertEquals(KEYS, keysWith(back, newState));
        back.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void dynamicSnapshotRestoredInLikelihoodMode(Backend backend) throws Exception {
        switchModes(DYNAMIC, LIKELIHOOD, "scoring", "likelihood", backend);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void likelihoodSnapshotRestoredInDynamicMode(Backend backend) throws Exception {
        switchModes(LIKELIHOOD, DYNAMIC, "likelihood", "scoring", backend);
    }
}
