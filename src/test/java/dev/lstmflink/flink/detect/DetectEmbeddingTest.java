package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.ScoringState;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.EmbeddingModels;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.flink.keyed.ModelShape;
import dev.lstmflink.record.Detection;
import dev.lstmflink.train.data.Normalization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link DetectFunction} with a model that embeds a categorical id per event (issue 7, item 4): the LSTM steps with
 * {@code [x_norm ; E[id]]}, the head predicts the next step's numeric values only, and the residual is over those.
 * Checked against an offline reference built from the core library ({@code Lstm.forward} over the whole sequence of
 * embedded inputs, the head, {@link KeyScorer}); bad ids are rejected as {@code bad_id} with the key's state
 * unchanged; a model whose head predicts the whole LSTM input is refused.
 */
class DetectEmbeddingTest {

    static final float[] MEAN = DetectFunctionTest.MEAN;
    static final float[] STD = DetectFunctionTest.STD;
    /** 5 categories of width 3, padding row 0, max_norm 1. */
    static final EmbeddingConfig TABLE = EmbeddingConfig.of(5, 3, 0, 1.0, 2.0, 1);
    static final LstmModel MODEL = EmbeddingModels.model(2, TABLE, 8, 2,
            Map.of(DetectFunction.NORMALIZATION_KEY, new Normalization(MEAN, STD).toJson()), 21);

    /** DetectFunctionTest's series, with a category that changes every four steps (and is the padding row at times). */
    static SensorEvent event(String key, int step) {
        SensorEvent e = DetectFunctionTest.event(key, step);
        e.ids = new int[] {Math.floorMod(key.hashCode() + step / 4, TABLE.numEmbeddings())};
        return e;
    }

    static List<SensorEvent> sequence(String key, int from, int to) {
        List<SensorEvent> l = new ArrayList<>();
        for (int s = from; s < to; s++) {
            l.add(event(key, s));
        }
        return l;
    }

    static DetectFunction function(LstmModel model, DetectOptions options) {
        return new DetectFunction(DetectFunctionTest.SCORING, options, new byte[0], "in-memory") {
            private static final long serialVersionUID = 1L;

            @Override
            protected LstmModel readModel(byte[] bytes, String source) {
                return model;
            }
        };
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> harness(
            LstmModel model, DetectOptions options, DetectFunctionTest.Backend backend) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection>(
                new KeyedProcessOperator<>(function(model, options)), DetectStreams::keyOf, Types.STRING, 128, 1, 0);
        if (backend == DetectFunctionTest.Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
    }

    /**
     * The offline reference of one key: x_norm, the inputs [x_norm ; E[id]] of the whole sequence, Lstm.forward over
     * them, x̂_{t+1} = head(h_t), and KeyScorer on (x_norm_t, x̂_t).
     */
    static List<Detection> reference(List<SensorEvent> events) {
        Normalization norm = new Normalization(MEAN, STD);
        List<SensorEvent> normalised = new ArrayList<>();
        for (SensorEvent e : events) {
            float[] xn = e.values.clone();
            norm.apply(xn);
            normalised.add(new SensorEvent(e.key, e.ts, false, xn, e.ids));
        }
        List<float[]> next = EmbeddingModels.predictions(MODEL, EmbeddingModels.hidden(MODEL, normalised));
        KeyScorer scorer = new KeyScorer(DetectFunctionTest.SCORING);
        ScoringState sc = scorer.newState();
        List<Detection> out = new ArrayList<>();
        for (int t = 0; t < events.size(); t++) {
            SensorEvent e = events.get(t);
            float[] predicted = t == 0 ? null : next.get(t - 1);
            KeyScorer.Result r = predicted == null ? null : scorer.score(normalised.get(t).values, predicted, sc);
            float[] raw = null;
            if (predicted != null) {
                raw = predicted.clone();
                norm.invert(raw);
            }
            out.add(new Detection(e.key, e.ts, e.values.clone(), raw, r == null ? Double.NaN : r.residual(),
                    r == null ? Double.NaN : r.score(), r == null ? Double.NaN : r.threshold(),
                    r != null && r.anomaly(), t + 1, MODEL.version()));
        }
        return out;
    }

    static void assertDetections(List<Detection> want, List<Detection> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            Detection w = want.get(i);
            Detection g = got.get(i);
            String at = "detection " + i + ": " + g;
            assertEquals(w.key, g.key, at);
            assertEquals(w.ts, g.ts, at);
            assertEquals(w.step, g.step, at);
            assertArrayEquals(w.values, g.values, at);
            assertEquals(MODEL.version(), g.modelVersion, at);
            if (w.prediction == null) {
                assertNull(g.prediction, at);
                assertTrue(Double.isNaN(g.residual), at);
            } else {
                assertEquals(2, g.prediction.length, "the head predicts the numeric values only: " + at);
                assertArrayEquals(w.prediction, g.prediction, 1e-4f, at);
                assertEquals(w.residual, g.residual, 1e-5, at);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DetectFunctionTest.Backend.class)
    void predictionsAndResidualsEqualTheOfflineReferenceOverTheEmbeddedInputs(DetectFunctionTest.Backend backend)
            throws Exception {
        var h = harness(MODEL, DetectOptions.processingTime(), backend);
        List<String> keys = List.of("s1", "s2");
        for (int s = 0; s < 40; s++) {
            for (String k : keys) {
                SensorEvent e = event(k, s);
                h.processElement(new StreamRecord<>(e, e.ts));
            }
        }
        var got = DetectFunctionTest.byKey(h.extractOutputValues());
        for (String k : keys) {
            assertDetections(reference(sequence(k, 0, 40)), got.get(k));
        }
        h.close();
    }

    @Test
    void eventTimeBufferedEventsKeepTheirIds() throws Exception {
        var h = harness(MODEL, DetectOptions.eventTime(java.time.Duration.ZERO), DetectFunctionTest.Backend.ROCKSDB);
        List<SensorEvent> events = sequence("s", 0, 16);
        List<SensorEvent> shuffled = new ArrayList<>(events);
        java.util.Collections.swap(shuffled, 2, 5);
        java.util.Collections.swap(shuffled, 9, 13);
        for (SensorEvent e : shuffled) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
        h.processWatermark(new Watermark(100_000));
        assertDetections(reference(events), h.extractOutputValues());
        h.close();
    }

    @Test
    void badIdsAreRejectedAsBadIdAndChangeNothing() throws Exception {
        var h = harness(MODEL, DetectOptions.processingTime(), DetectFunctionTest.Backend.HEAP);
        List<SensorEvent> good = sequence("s", 0, 10);
        SensorEvent outside = event("s", 4);
        outside.ids = new int[] {5};
        SensorEvent two = event("s", 4);
        two.ids = new int[] {1, 2};
        SensorEvent none = event("s", 4);
        none.ids = null;
        List<SensorEvent> fed = new ArrayList<>(good.subList(0, 4));
        fed.addAll(List.of(outside, two, none));
        fed.addAll(good.subList(4, 10));
        for (SensorEvent e : fed) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
        assertDetections(reference(good), h.extractOutputValues());
        List<RejectedEvent> rejected = new ArrayList<>();
        h.getSideOutput(LstmStreams.REJECTED).forEach(r -> rejected.add(r.getValue()));
        assertEquals(3, rejected.size());
        assertTrue(rejected.stream().allMatch(r -> RejectedEvent.BAD_ID.equals(r.reason)), rejected.toString());
        assertTrue(rejected.get(0).detail.contains("ids[0] is 5, outside [0, num_embeddings = 5)"),
                rejected.get(0).detail);
        assertTrue(rejected.get(1).detail.contains("ids has 2 entries"), rejected.get(1).detail);
        assertTrue(rejected.get(2).detail.contains("ids is missing"), rejected.get(2).detail);
        h.close();
    }

    @Test
    void aHeadPredictingTheWholeLstmInputIsRefusedNamingTheNumericInputs() {
        LstmModel wide = EmbeddingModels.model(2, TABLE, 8, 5, Map.of(), 3);   // head of input_size = 2 + 3 outputs
        Exception e = assertThrows(Exception.class, () -> harness(wide, DetectOptions.processingTime(),
                DetectFunctionTest.Backend.HEAP));
        Throwable t = e;
        while (t.getCause() != null && !(t instanceof IllegalArgumentException)) {
            t = t.getCause();
        }
        String m = t.getMessage();
        assertTrue(m.contains("head of 5 outputs") && m.contains("numeric inputs = input_size 5 - 1 ids x "
                + "embedding_dim 3 = 2"), m);
    }

    @Test
    void theStoredModelShapeNamesTheSplitOfTheInput() {
        ModelShape s = ModelShape.of(MODEL);
        assertEquals(2, s.numericInputs());
        assertEquals(1, s.idsPerStep());
        assertEquals(s, ModelShape.decode(s.encode()));
        assertTrue(s.describe().startsWith("input_size=5 (2 numeric + 1 embedded id), hidden_size=8"), s.describe());
        // a plain model of the same LSTM input size: another shape, and keys can tell (their predictions differ)
        ModelShape plain = new ModelShape(5, 8, 1, 0, 16, "plain");
        assertTrue(!s.sameShape(plain) && s.sizesDifferFrom(plain));
    }
}
