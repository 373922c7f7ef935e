package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.DetectFunctionTest.MEAN;
import static dev.lstmflink.flink.detect.DetectFunctionTest.MODEL;
import static dev.lstmflink.flink.detect.DetectFunctionTest.STD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.LikelihoodConfig;
import dev.lstmflink.anomaly.LikelihoodScorer;
import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.detect.DetectFunctionTest.Backend;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.Normalization;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link DetectFunction} in the likelihood mode (the default), with a model and without one, against
 * {@link LikelihoodScorer} driven directly, on the heap and RocksDB state backends.
 */
class DetectLikelihoodTest {

    /** A short warm-up and rest so that ~100 events get past them. */
    static final ScoringConfig SCORING = ScoringConfig.likelihoodDefaults()
            .withLikelihood(new LikelihoodConfig(5, 0, 200, 20, 0.05, 0.05, 10, 0, 0.5));

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> open(DetectFunction f,
            Backend backend, OperatorSubtaskState restore) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection>(
                new KeyedProcessOperator<>(f), DetectStreams::keyOf, Types.STRING, 128, 1, 0);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    static DetectFunction withModel() {
        return new DetectFunction(SCORING, DetectOptions.processingTime(), MODEL, "test-model");
    }

    static DetectFunction withoutModel() {
        return DetectFunction.withoutModel(SCORING, DetectOptions.processingTime(), 2);
    }

    static List<SensorEvent> spiked(String key, int n, int spikeAt) {
        List<SensorEvent> events = DetectFunctionTest.sequence(key, 0, n);
        events.get(spikeAt).values[0] += 25 * STD[0];
        return events;
    }

    static void feed(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> h, List<SensorEvent> events)
            throws Exception {
        DetectFunctionTest.feed(h, events);
    }

    /** The core's LSTM and head, then LikelihoodScorer on x_norm and the previous prediction. */
    static List<KeyScorer.Result> reference(List<SensorEvent> events) throws Exception {
        LstmModel m = LstmModelFile.read(MODEL, "ref");
        Normalization norm = new Normalization(MEAN, STD);
        LstmStepper<float[]> st = m.lstm().stepper();
        float[] state = st.newState();
        LikelihoodScorer scorer = new LikelihoodScorer(SCORING.likelihood());
        LikelihoodState ls = scorer.newState(2);
        float[] predicted = null;
        List<KeyScorer.Result> out = new ArrayList<>();
        for (SensorEvent e : events) {
            float[] xn = e.values.clone();
            norm.apply(xn);
            if (predicted == null) {
                scorer.observe(xn, ls);
                out.add(null);
            } else {
                out.add(scorer.score(xn, predicted, ls));
            }
            st.step(xn, 0, state);
            predicted = new float[2];
            m.head().apply(state, st.outputOffset(), predicted, 0);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void scoresEqualTheScorerOnTheCoresPredictions(Backend backend) throws Exception {
        List<SensorEvent> events = spiked("s", 120, 90);
        var h = open(withModel(), backend, null);
        feed(h, events);
        List<Detection> got = h.extractOutputValues();
        List<KeyScorer.Result> want = reference(events);
        assertEquals(events.size(), got.size());
        assertNull(got.get(0).prediction);
        assertTrue(Double.isNaN(got.get(0).score));
        for (int i = 1; i < got.size(); i++) {
            Detection d = got.get(i);
            KeyScorer.Result r = want.get(i);
            assertEquals(r.residual(), d.residual, 0, "residual at " + i);
            assertEquals(r.score(), d.score, 0, "score at " + i);
            assertEquals(r.anomaly(), d.anomaly, "flag at " + i);
            assertEquals(0.5, d.threshold, 0);
        }
        assertTrue(got.get(90).anomaly, "the spike is flagged: " + got.get(90));
        for (int i = 91; i <= 90 + SCORING.likelihood().rest(); i++) {
            assertFalse(got.get(i).anomaly, "the rest period after the alert, event " + i);
        }
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void snapshotRestoreContinueEqualsUninterruptedRun(Backend backend) throws Exception {
        List<SensorEvent> events = spiked("s", 120, 90);
        var straight = open(withModel(), backend, null);
        feed(straight, events);
        List<Detection> want = straight.extractOutputValues();
        straight.close();

        var first = open(withModel(), backend, null);
        feed(first, events.subList(0, 60));
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        var restored = open(withModel(), backend, snapshot);
        feed(restored, events.subList(60, events.size()));
        assertEquals(want.subList(60, want.size()), restored.extractOutputValues());
        restored.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void withoutAModelTheLastValuePredictsTheNext(Backend backend) throws Exception {
        List<SensorEvent> events = spiked("s", 120, 90);
        var h = open(withoutModel(), backend, null);
        feed(h, events);
        List<Detection> got = h.extractOutputValues();
        LikelihoodScorer scorer = new LikelihoodScorer(SCORING.likelihood());
        LikelihoodState ls = scorer.newState(2);
        scorer.observe(events.get(0).values, ls);
        assertNull(got.get(0).prediction);
        for (int i = 1; i < events.size(); i++) {
            Detection d = got.get(i);
            float[] previous = events.get(i - 1).values;
            assertArrayEquals(previous, d.prediction, "the prediction is the previous event's values, raw units");
            double residual = (Math.abs((double) events.get(i).values[0] - previous[0])
                    + Math.abs((double) events.get(i).values[1] - previous[1])) / 2;
            assertEquals(residual, d.residual, 1e-6, "residual at " + i);
            KeyScorer.Result r = scorer.score(events.get(i).values, previous, ls);
            assertEquals(r.score(), d.score, 0, "score at " + i);
            assertEquals(DetectFunction.NO_MODEL, d.modelVersion);
        }
        assertTrue(got.get(90).anomaly, "the spike is flagged without a model too: " + got.get(90));
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void withoutAModelBadEventsAreRejectedAndStateSurvivesARestore(Backend backend) throws Exception {
        List<SensorEvent> events = spiked("s", 120, 90);
        var straight = open(withoutModel(), backend, null);
        feed(straight, events);
        List<Detection> want = straight.extractOutputValues();
        straight.close();

        var first = open(withoutModel(), backend, null);
        feed(first, events.subList(0, 50));
        first.processElement(new StreamRecord<>(new SensorEvent("s", 50_500L, 1f), 50_500L));   // one value, not 2
        List<RejectedEvent> rejected = new ArrayList<>();
        first.getSideOutput(LstmStreams.REJECTED).forEach(r -> rejected.add(r.getValue()));
        assertEquals(1, rejected.size());
        assertEquals(RejectedEvent.INVALID, rejected.get(0).reason);
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        var restored = open(withoutModel(), backend, snapshot);
        feed(restored, events.subList(50, events.size()));
        assertEquals(want.subList(50, want.size()), restored.extractOutputValues());
        assertFalse(want.get(89).anomaly);
        restored.close();
    }
}
