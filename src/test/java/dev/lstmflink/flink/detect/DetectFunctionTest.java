package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.anomaly.ScoringState;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.core.io.DType;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.NamedTensor;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.RandomLstm;
import dev.lstmflink.testutil.TestModels;
import dev.lstmflink.train.data.Normalization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link DetectFunction} in Flink's keyed operator harness, on the heap and the RocksDB state backends. */
class DetectFunctionTest {

    enum Backend { HEAP, ROCKSDB }

    static final LstmConfig CFG = LstmConfig.of(2, 8).withNumLayers(2);
    static final float[] MEAN = {10f, -5f};
    static final float[] STD = {2f, 0.5f};
    static final byte[] MODEL = model(CFG, 2, 7, new Normalization(MEAN, STD).toJson(), true);
    /** Small window and warm-up so that a test of ~100 events gets past them. */
    static final ScoringConfig SCORING = ScoringConfig.dynamic().withWindow(50).withWarmup(20).withRecomputeEvery(10);

    /** An LSTM with an optional head of {@code headOut} outputs and optional normalization metadata. */
    static byte[] model(LstmConfig cfg, int headOut, long seed, String normalizationJson, boolean withHead) {
        Random rnd = new Random(seed);
        double[] params = RandomLstm.params(cfg, rnd);
        List<NamedTensor> head = List.of();
        if (withHead) {
            float[] w = TestModels.toFloats(RandomLstm.values(headOut * cfg.outputSize(), 0.5, rnd));
            float[] b = TestModels.toFloats(RandomLstm.values(headOut, 0.1, rnd));
            head = List.of(NamedTensor.ofFloats("head.weight", new int[] {headOut, cfg.outputSize()}, w),
                    NamedTensor.ofFloats("head.bias", new int[] {headOut}, b));
        }
        Map<String, String> meta = normalizationJson == null ? Map.of()
                : Map.of(DetectFunction.NORMALIZATION_KEY, normalizationJson);
        return LstmSafetensors.toFile(Lstm.f64(cfg, params), "lstm.", DType.F32, head, meta).toBytes();
    }

    /** A smooth series in raw units around MEAN, phase-shifted per key. */
    static SensorEvent event(String key, int step) {
        int h = Math.floorMod(key.hashCode(), 100);
        return new SensorEvent(key, 1_000L * step,
                (float) (MEAN[0] + STD[0] * Math.sin(0.2 * step + h)),
                (float) (MEAN[1] + STD[1] * Math.cos(0.15 * step - h)));
    }

    static List<SensorEvent> sequence(String key, int from, int to) {
        List<SensorEvent> l = new ArrayList<>();
        for (int s = from; s < to; s++) {
            l.add(event(key, s));
        }
        return l;
    }

    static List<SensorEvent> interleaved(List<String> keys, int from, int to) {
        List<SensorEvent> l = new ArrayList<>();
        for (int s = from; s < to; s++) {
            for (String k : keys) {
                l.add(event(k, s));
            }
        }
        return l;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> create(
            ScoringConfig scoring, byte[] model, Backend backend) throws Exception {
        return create(scoring, DetectOptions.processingTime(), model, backend);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> create(
            ScoringConfig scoring, DetectOptions options, byte[] model, Backend backend) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection>(
                new KeyedProcessOperator<>(new DetectFunction(scoring, options, model, "test-model")),
                DetectStreams::keyOf, Types.STRING, 128, 1, 0);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> open(
            ScoringConfig scoring, byte[] model, Backend backend) throws Exception {
        var h = create(scoring, model, backend);
        h.open();
        return h;
    }

    static void feed(KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection> h, List<SensorEvent> events)
            throws Exception {
        for (SensorEvent e : events) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
    }

    static Map<String, List<Detection>> byKey(List<Detection> outputs) {
        Map<String, List<Detection>> m = new LinkedHashMap<>();
        for (Detection d : outputs) {
            m.computeIfAbsent(d.key, k -> new ArrayList<>()).add(d);
        }
        return m;
    }

    /**
     * The offline reference for one key, from the core library and KeyScorer directly: normalise, score against the
     * previous prediction, step, predict with the head.
     */
    static List<Detection> reference(List<SensorEvent> events, ScoringConfig scoring) throws Exception {
        Normalization norm = new Normalization(MEAN, STD);
        return reference(events, scoring, events.size(), MODEL, norm, MODEL, norm);
    }

    /**
     * The offline reference for one key, with a hot swap ({@code SwappableDetectTest}): model A (normalisation A) for events [0, swapAt), then B: the prediction
     * for event swapAt made again by B's head from the state A left, B's normalisation from then on, one scoring
     * history throughout.
     */
    static List<Detection> reference(List<SensorEvent> events, ScoringConfig scoring, int swapAt, byte[] a,
                                     Normalization na, byte[] b, Normalization nb) throws Exception {
        LstmModel ma = LstmModelFile.read(a, "a");
        LstmModel mb = LstmModelFile.read(b, "b");
        LstmStepper<float[]> sa = ma.lstm().stepper();
        LstmStepper<float[]> sb = mb.lstm().stepper();
        float[] state = sa.newState();
        KeyScorer scorer = new KeyScorer(scoring);
        ScoringState sc = scorer.newState();
        float[] predicted = null;
        List<Detection> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            boolean after = i >= swapAt;
            LstmModel m = after ? mb : ma;
            LstmStepper<float[]> st = after ? sb : sa;
            Normalization n = after ? nb : na;
            if (i == swapAt && predicted != null) {
                predicted = new float[2];
                mb.head().apply(state, sb.outputOffset(), predicted, 0);
            }
            SensorEvent e = events.get(i);
            float[] xn = e.values.clone();
            n.apply(xn);
            KeyScorer.Result r = predicted == null ? null : scorer.score(xn, predicted, sc);
            float[] raw = null;
            if (predicted != null) {
                raw = predicted.clone();
                n.invert(raw);
            }
            st.step(xn, 0, state);
            float[] next = new float[2];
            m.head().apply(state, st.outputOffset(), next, 0);
            out.add(new Detection(e.key, e.ts, e.values.clone(), raw,
                    r == null ? Double.NaN : r.residual(), r == null ? Double.NaN : r.score(),
                    r == null ? Double.NaN : r.threshold(), r != null && r.anomaly(), i + 1, m.version()));
            predicted = next;
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void predictionsAndScoresEqualTheOfflineReference(Backend backend) throws Exception {
        var h = open(SCORING, MODEL, backend);
        List<SensorEvent> events = sequence("s", 0, 60);
        feed(h, events);
        List<Detection> got = h.extractOutputValues();
        List<Detection> want = reference(events, SCORING);
        assertEquals(want, got);
        // the first event has no prediction and no score
        Detection first = got.get(0);
        assertNull(first.prediction);
        assertTrue(Double.isNaN(first.residual) && Double.isNaN(first.score) && Double.isNaN(first.threshold));
        assertFalse(first.anomaly);
        assertEquals(1, first.step);
        // later events have one, in raw units (near the data, not near 0 as normalised values would be)
        Detection d = got.get(10);
        assertNotNull(d.prediction);
        assertEquals(2, d.prediction.length);
        assertTrue(Math.abs(d.prediction[0] - MEAN[0]) < 5 * STD[0], "raw units: " + d);
        assertTrue(Math.abs(d.prediction[1] - MEAN[1]) < 5 * STD[1] && Math.abs(d.prediction[1]) > 1, "raw: " + d);
        assertTrue(d.residual >= 0 && d.score >= 0 && d.score <= 1, d.toString());
        assertTrue(d.modelVersion.startsWith("sha256:"), d.modelVersion);
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSpikeAfterTheWarmUpIsFlaggedOnItsEvent(Backend backend) throws Exception {
        int spikeAt = 70;
        List<SensorEvent> clean = sequence("spiky", 0, 100);
        List<SensorEvent> spiked = new ArrayList<>(clean);
        SensorEvent s = event("spiky", spikeAt);
        s.values[0] += 20 * STD[0];
        spiked.set(spikeAt, s);

        var a = open(SCORING, MODEL, backend);
        feed(a, clean);
        List<Detection> quiet = a.extractOutputValues();
        var b = open(SCORING, MODEL, backend);
        feed(b, spiked);
        List<Detection> got = b.extractOutputValues();

        assertFalse(quiet.get(spikeAt).anomaly, "without the spike the event is not flagged");
        for (int i = 0; i < spikeAt; i++) {
            assertFalse(got.get(i).anomaly, "no flag before the spike, event " + i);
        }
        Detection d = got.get(spikeAt);
        assertTrue(d.anomaly, "the spike is flagged on its own event: " + d);
        assertTrue(d.score > 0.99, "score " + d.score);
        assertTrue(d.residual > 5, "residual in normalised units " + d.residual);
        a.close();
        b.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void snapshotRestoreContinueEqualsUninterruptedRun(Backend backend) throws Exception {
        List<String> keys = List.of("k1", "k2", "k3");
        List<SensorEvent> all = interleaved(keys, 0, 90);
        // a spike on one key after the restore, so that the restored threshold and window decide a flag
        int spikeIndex = 75 * keys.size() + 1;
        SensorEvent spike = all.get(spikeIndex);
        spike.values[1] += 30 * STD[1];
        int cut = 40 * keys.size();

        var straight = open(SCORING, MODEL, backend);
        feed(straight, all);
        Map<String, List<Detection>> want = byKey(straight.extractOutputValues());
        straight.close();

        var first = open(SCORING, MODEL, backend);
        feed(first, all.subList(0, cut));
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        var restored = create(SCORING, MODEL, backend);
        restored.initializeState(snapshot);
        restored.open();
        feed(restored, all.subList(cut, all.size()));
        Map<String, List<Detection>> after = byKey(restored.extractOutputValues());
        restored.close();

        for (String k : keys) {
            List<Detection> tail = want.get(k).subList(40, 90);
            assertEquals(tail, after.get(k), "key " + k);
            assertEquals(41, after.get(k).get(0).step, "step count continues");
            assertNotNull(after.get(k).get(0).prediction, "the pending prediction survives the restore");
        }
        assertTrue(after.get(spike.key).get(75 - 40).anomaly, "the spike after the restore is flagged");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void interleavedKeysEqualEachAlone(Backend backend) throws Exception {
        List<String> keys = List.of("a", "b", "c");
        var h = open(SCORING, MODEL, backend);
        feed(h, interleaved(keys, 0, 50));
        Map<String, List<Detection>> got = byKey(h.extractOutputValues());
        h.close();
        for (String k : keys) {
            var alone = open(SCORING, MODEL, backend);
            feed(alone, sequence(k, 0, 50));
            assertEquals(alone.extractOutputValues(), got.get(k), "key " + k);
            alone.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void invalidEventsGoToTheSideOutputAndChangeNothing(Backend backend) throws Exception {
        var h = open(SCORING, MODEL, backend);
        List<SensorEvent> valid = sequence("v", 0, 10);
        List<SensorEvent> bad = List.of(
                new SensorEvent("v", 100, 1f),
                new SensorEvent("v", 101, 1f, 2f, 3f),
                new SensorEvent("v", 102, Float.NaN, 1f),
                new SensorEvent("v", 103, 1f, Float.POSITIVE_INFINITY),
                new SensorEvent("v", 104, (float[]) null),
                new SensorEvent(null, 105, 1f, 2f));
        List<SensorEvent> mixed = new ArrayList<>(valid.subList(0, 5));
        mixed.addAll(bad);
        mixed.addAll(valid.subList(5, 10));
        feed(h, mixed);
        assertEquals(reference(valid, SCORING), h.extractOutputValues(), "invalid events leave the key untouched");
        List<RejectedEvent> rejected = new ArrayList<>();
        h.getSideOutput(LstmStreams.REJECTED).forEach(r -> rejected.add(r.getValue()));
        assertEquals(bad.size(), rejected.size());
        for (int i = 0; i < bad.size(); i++) {
            assertEquals(RejectedEvent.INVALID, rejected.get(i).reason);
            assertEquals(bad.get(i).ts, rejected.get(i).event.ts);
        }
        assertTrue(rejected.get(0).detail.contains("1 entries"), rejected.get(0).detail);
        assertTrue(rejected.get(2).detail.contains("NaN"), rejected.get(2).detail);
        assertTrue(rejected.get(5).detail.contains("key"), rejected.get(5).detail);
        h.close();
    }

    @Test
    void withoutNormalizationValuesAreUsedAsTheyAre() throws Exception {
        byte[] plain = model(CFG, 2, 7, null, true);
        var h = open(SCORING, plain, Backend.HEAP);
        List<SensorEvent> events = sequence("p", 0, 5);
        feed(h, events);
        LstmModel m = LstmModelFile.read(plain, "p");
        LstmStepper<float[]> st = m.lstm().stepper();
        float[] state = st.newState();
        float[] prev = null;
        List<Detection> got = h.extractOutputValues();
        for (int i = 0; i < events.size(); i++) {
            assertArrayEquals(prev, got.get(i).prediction, "event " + i);
            st.step(events.get(i).values.clone(), 0, state);
            prev = new float[2];
            m.head().apply(state, st.outputOffset(), prev, 0);
        }
        h.close();
    }

    @Test
    void aModelWithoutAMatchingHeadFailsAtOpenWithAClearError() throws Exception {
        var noHead = create(SCORING, model(CFG, 2, 1, null, false), Backend.HEAP);
        Exception e = assertThrows(Exception.class, noHead::open);
        assertTrue(messages(e).contains("has no head"), messages(e));
        var wrongHead = create(SCORING, model(CFG, 1, 1, null, true), Backend.HEAP);
        e = assertThrows(Exception.class, wrongHead::open);
        assertTrue(messages(e).contains("head of 1 outputs") && messages(e).contains("input_size = 2"), messages(e));
        var wrongNorm = create(SCORING, model(CFG, 2, 1, new Normalization(new float[] {0f}, new float[] {1f})
                .toJson(), true), Backend.HEAP);
        e = assertThrows(Exception.class, wrongNorm::open);
        assertTrue(messages(e).contains("normalization has 1 features"), messages(e));
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}
