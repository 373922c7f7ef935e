package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.LstmHarness.Backend;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The keyed LSTM operator with an embedding front end (issue 7, item 4), in Flink's operator harness: events carry
 * categorical ids, and every output equals the core library's {@code Lstm.forward} over the key's whole sequence of
 * {@code [values ; E[ids]]} inputs, with ids that hit the padding row and rows rescaled by {@code max_norm}; an event
 * with bad ids is rejected with reason {@code bad_id} and leaves its key's state as it was; a model swap that changes
 * what an event carries is refused.
 */
class EmbeddingStreamingTest {

    /** N = 7 rows of D = 3, padding row 2, max_norm 1.2 (most N(0, 1) rows of 3 are longer), 2 ids per step. */
    static final EmbeddingConfig TABLE = EmbeddingConfig.of(7, 3, 2, 1.2, 2.0, 2);
    static final LstmModel MODEL = EmbeddingModels.model(2, TABLE, 6, 2, Map.of(), 11);
    static final float TOL = 1e-5f;

    /** Key {@code key}'s event {@code step}: two smooth values and two ids, the second always the padding row. */
    static SensorEvent event(String key, int step) {
        int h = Math.floorMod(key.hashCode(), 97);
        float[] v = {(float) Math.sin(0.3 * step + h), (float) Math.cos(0.2 * step - h)};
        int[] ids = {Math.floorMod(h + 3 * step, TABLE.numEmbeddings()), TABLE.paddingIdx()};
        return new SensorEvent(key, 1_000L * step + h % 7, false, v, ids);
    }

    static List<SensorEvent> sequence(String key, int from, int to) {
        List<SensorEvent> l = new ArrayList<>();
        for (int s = from; s < to; s++) {
            l.add(event(key, s));
        }
        return l;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput> harness(
            LstmFunctionConfig cfg, LstmModel model, Backend backend) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, LstmOutput>(
                new KeyedProcessOperator<>(EmbeddingModels.keyedFunction(cfg, model)), LstmStreams::keyOf,
                Types.STRING, LstmHarness.MAX_PARALLELISM, 1, 0);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        h.open();
        return h;
    }

    static void assertOutputs(List<float[]> want, List<LstmOutput> got, String key) {
        assertEquals(want.size(), got.size(), "outputs of key " + key);
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals(want.get(i), got.get(i).values, TOL, "key " + key + " output " + i);
            assertEquals(i + 1, got.get(i).step, "key " + key + " step index");
        }
    }

    @Test
    void theFixtureReachesThePaddingRowAndRowsRescaledByMaxNorm() {
        Embedding e = MODEL.embedding();
        int d = TABLE.embeddingDim();
        int rescaled = 0;
        for (int id = 0; id < TABLE.numEmbeddings(); id++) {
            float[] row = new float[d];
            e.lookup(id, row, 0);
            double stored = 0;
            double looked = 0;
            for (int j = 0; j < d; j++) {
                stored += e.weight()[id * d + j] * e.weight()[id * d + j];
                looked += row[j] * row[j];
            }
            if (Math.sqrt(stored) > TABLE.maxNorm()) {
                rescaled++;
                assertEquals(TABLE.maxNorm(), Math.sqrt(looked), 1e-5, "row " + id + " is rescaled to max_norm");
            }
        }
        assertTrue(rescaled >= 2, "rows over max_norm: " + rescaled);
        float[] pad = new float[d];
        e.lookup(TABLE.paddingIdx(), pad, 0);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f}, pad, "the padding row as stored (norm < max_norm)");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyOutputEqualsTheCoreForwardOverTheEmbeddedSequence(Backend backend) throws Exception {
        List<String> keys = List.of("pump-1", "pump-2", "pump-3");
        var h = harness(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), MODEL, backend);
        for (int s = 0; s < 25; s++) {
            for (String k : keys) {
                SensorEvent e = event(k, s);
                h.processElement(new StreamRecord<>(e, e.ts));
            }
        }
        Map<String, List<LstmOutput>> got = LstmHarness.byKey(h.extractOutputValues());
        for (String k : keys) {
            assertOutputs(EmbeddingModels.hidden(MODEL, sequence(k, 0, 25)), got.get(k), k);
            assertTrue(got.get(k).stream().allMatch(o -> MODEL.version().equals(o.modelVersion)));
        }
        assertTrue(h.getSideOutput(LstmStreams.REJECTED) == null || h.getSideOutput(LstmStreams.REJECTED).isEmpty());
        h.close();
    }

    /**
     * Event time on RocksDB: out-of-order events wait in keyed state (their ids serialized with them) and are stepped
     * in timestamp order; the predictions equal head(h_t) of the forward over the sorted sequence.
     */
    @Test
    void bufferedEventsKeepTheirIdsAndAreSteppedInTimestampOrder() throws Exception {
        var h = harness(LstmFunctionConfig.eventTime(OutputKind.PREDICTION), MODEL, Backend.ROCKSDB);
        List<SensorEvent> events = sequence("k", 0, 12);
        List<SensorEvent> shuffled = new ArrayList<>(events);
        Collections.swap(shuffled, 1, 4);
        Collections.swap(shuffled, 7, 10);
        for (SensorEvent e : shuffled) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE - 1));
        List<float[]> want = EmbeddingModels.predictions(MODEL, EmbeddingModels.hidden(MODEL, events));
        assertOutputs(want, h.extractOutputValues(), "k");
        h.close();
    }

    @Test
    void badIdsAreRejectedWithTheirReasonAndLeaveTheKeysStateAsItWas() throws Exception {
        var h = harness(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), MODEL, Backend.HEAP);
        List<SensorEvent> good = sequence("k", 0, 6);
        SensorEvent tooBig = new SensorEvent("k", 2_500, false, new float[] {0.1f, 0.2f}, new int[] {7, 0});
        SensorEvent negative = new SensorEvent("k", 2_600, false, new float[] {0.1f, 0.2f}, new int[] {1, -1});
        SensorEvent oneId = new SensorEvent("k", 2_700, false, new float[] {0.1f, 0.2f}, new int[] {1});
        SensorEvent noIds = new SensorEvent("k", 2_800, 0.1f, 0.2f);
        SensorEvent badValue = new SensorEvent("k", 2_900, false, new float[] {Float.NaN, 0.2f}, new int[] {1, 2});
        List<SensorEvent> fed = new ArrayList<>(good.subList(0, 3));
        fed.addAll(List.of(tooBig, negative, oneId, noIds, badValue));
        fed.addAll(good.subList(3, 6));
        for (SensorEvent e : fed) {
            h.processElement(new StreamRecord<>(e, e.ts));
        }
        assertOutputs(EmbeddingModels.hidden(MODEL, good), h.extractOutputValues(), "k");

        List<RejectedEvent> rejected = new ArrayList<>();
        h.getSideOutput(LstmStreams.REJECTED).forEach(r -> rejected.add(r.getValue()));
        assertEquals(5, rejected.size(), rejected.toString());
        String[][] want = {
            {RejectedEvent.BAD_ID, "ids[0] is 7, outside [0, num_embeddings = 7)"},
            {RejectedEvent.BAD_ID, "ids[1] is -1, outside [0, num_embeddings = 7)"},
            {RejectedEvent.BAD_ID, "ids has 1 entries, the model embeds ids_per_step 2"},
            {RejectedEvent.BAD_ID, "ids is missing"},
            {RejectedEvent.INVALID, "values[0] is NaN"},
        };
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i][0], rejected.get(i).reason, rejected.get(i).toString());
            assertTrue(rejected.get(i).detail.contains(want[i][1]), rejected.get(i).detail);
            assertEquals(fed.get(3 + i), rejected.get(i).event);
        }
        h.close();
    }

    @Test
    void idsSentToAModelWithoutAnEmbeddingAreRejected() throws Exception {
        var h = LstmHarness.open(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), KeyedLstmFunctionTest.MODEL,
                Backend.HEAP);
        SensorEvent withIds = new SensorEvent("k", 1, false, new float[] {0.5f, 0.25f}, new int[] {3});
        SensorEvent emptyIds = new SensorEvent("k", 2, false, new float[] {0.5f, 0.25f}, new int[0]);
        h.processElement(new StreamRecord<>(withIds, 1));
        h.processElement(new StreamRecord<>(emptyIds, 2));
        assertEquals(1, h.extractOutputValues().size(), "an empty ids array is no ids");
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.REJECTED));
        assertEquals(1, rejected.size());
        assertEquals(RejectedEvent.BAD_ID, rejected.get(0).getValue().reason);
        assertTrue(rejected.get(0).getValue().detail.contains("no embedding"), rejected.get(0).getValue().detail);
        h.close();
    }

    /**
     * A swap keeps every key's state, so what an event carries must stay the same: a model with another ids_per_step
     * or another numeric width (same LSTM input size) is refused; one with another table of the same width is taken,
     * and an id beyond its smaller table is then rejected.
     */
    @Test
    void aSwapMustKeepTheNumericValuesAndIdsPerStep() throws Exception {
        EmbeddingConfig oneId = EmbeddingConfig.of(7, 3, null, null, 2.0, 1);
        LstmModel a = EmbeddingModels.model(2, oneId, 6, 2, Map.of(), 1);
        LstmModel smallerTable = EmbeddingModels.model(2, EmbeddingConfig.of(4, 3), 6, 2, Map.of(), 2);
        LstmModel noEmbedding = new LstmModel(
                dev.lstmflink.core.nn.Lstm.f32(a.lstm().config(), a.lstm().params().clone()), a.head(), "plain",
                Map.of());
        LstmModel narrower = EmbeddingModels.model(3, EmbeddingConfig.of(7, 2), 6, 2, Map.of(), 3);
        Map<String, LstmModel> models = Map.of("a", a, "smaller", smallerTable, "plain", noEmbedding,
                "narrower", narrower);
        var op = new CoBroadcastWithKeyedOperator<>(
                EmbeddingModels.swappableFunction(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), models, "a"),
                List.of(SwappableLstmFunction.MODEL_STATE));
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, LstmOutput>(
                op, LstmStreams::keyOf, null, Types.STRING);
        h.open();
        h.processElement2(new StreamRecord<>(update("plain")));
        h.processElement2(new StreamRecord<>(update("narrower")));
        var refused = new ArrayList<>(h.getSideOutput(LstmStreams.MODEL_REJECTED));
        assertEquals(2, refused.size(), refused.toString());
        for (var r : refused) {
            assertTrue(r.getValue().reason.contains("the running model emb-1 has input_size=5 (2 numeric + 1 embedded "
                    + "id)"), r.getValue().reason);
        }
        h.processElement2(new StreamRecord<>(update("smaller")));
        assertEquals(2, h.getSideOutput(LstmStreams.MODEL_REJECTED).size(), "the smaller table is accepted");
        SensorEvent fits = new SensorEvent("k", 1, false, new float[] {0.5f, 0.25f}, new int[] {3});
        SensorEvent beyond = new SensorEvent("k", 2, false, new float[] {0.5f, 0.25f}, new int[] {5});
        h.processElement1(new StreamRecord<>(fits, 1));
        h.processElement1(new StreamRecord<>(beyond, 2));
        List<LstmOutput> out = h.extractOutputValues();
        assertEquals(1, out.size());
        assertEquals("smaller", out.get(0).modelVersion);
        assertArrayEquals(EmbeddingModels.hidden(smallerTable, List.of(fits)).get(0), out.get(0).values, TOL);
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.REJECTED));
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).getValue().detail.contains("ids[0] is 5, outside [0, num_embeddings = 4)"),
                rejected.get(0).getValue().detail);
        h.close();
    }

    private static ModelUpdate update(String name) {
        return new ModelUpdate(name, name.getBytes(StandardCharsets.UTF_8));
    }
}
