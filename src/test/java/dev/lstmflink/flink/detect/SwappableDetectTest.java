package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.DetectFunctionTest.CFG;
import static dev.lstmflink.flink.detect.DetectFunctionTest.MEAN;
import static dev.lstmflink.flink.detect.DetectFunctionTest.SCORING;
import static dev.lstmflink.flink.detect.DetectFunctionTest.STD;
import static dev.lstmflink.flink.detect.DetectFunctionTest.byKey;
import static dev.lstmflink.flink.detect.DetectFunctionTest.interleaved;
import static dev.lstmflink.flink.detect.DetectFunctionTest.model;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.MicroBatch;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.flink.detect.DetectFunctionTest.Backend;
import dev.lstmflink.flink.keyed.BroadcastMicroBatchOperator;
import dev.lstmflink.flink.keyed.MicroBatchOperator;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.train.data.Normalization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The detector's hot swap ({@link SwappableDetectFunction} in {@link BroadcastMicroBatchOperator}): after a model
 * update every detection is the new model's, computed as an offline reference computes it (the key's h and c and
 * scoring history carried over, its pending prediction made again by the new head, in the new normalisation); refused
 * updates leave the old model serving and say why; the accepted model survives a snapshot; a one-input detector's
 * snapshot restores into it; event time is the keyed input's alone.
 */
class SwappableDetectTest {

    /** Same shape as {@link DetectFunctionTest#MODEL}, other weights and another normalisation (retrained). */
    static final float[] MEAN2 = {11f, -4.5f};
    static final float[] STD2 = {2.5f, 0.4f};
    static final byte[] V1 = DetectFunctionTest.MODEL;
    static final byte[] V2 = model(CFG, 2, 99, new Normalization(MEAN2, STD2).toJson(), true);
    /** Another hidden size: every key's state is shaped by the running model, so refused. */
    static final byte[] OTHER_SHAPE = model(LstmConfig.of(2, 16).withNumLayers(2), 2, 5,
            new Normalization(MEAN, STD).toJson(), true);
    static final MicroBatch BATCH = new MicroBatch(4, Duration.ofSeconds(3600));

    static KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, Detection> create(
            DetectOptions options, Backend backend, int subtask) throws Exception {
        var fn = new SwappableDetectFunction(SCORING, options, V1, "v1.safetensors");
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, Detection>(
                new BroadcastMicroBatchOperator<>(fn, List.of(SwappableDetectFunction.MODEL_STATE), BATCH),
                DetectStreams::keyOf, null, Types.STRING, 128, subtask + 1, subtask);
        if (backend == Backend.ROCKSDB) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, Detection> open(Backend backend)
            throws Exception {
        var h = create(DetectOptions.processingTime(), backend, 0);
        h.open();
        return h;
    }

    static void feed(KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, Detection> h,
                     List<SensorEvent> events) throws Exception {
        for (SensorEvent e : events) {
            h.processElement1(new StreamRecord<>(e, e.ts));
        }
    }

    static ModelUpdate published(byte[] bytes, String file, long at) {
        ModelUpdate u = new ModelUpdate(null, bytes);
        u.source = "file:///models/" + file;
        u.publishedAt = at;
        return u;
    }

    static String version(byte[] bytes) throws Exception {
        return LstmModelFile.read(bytes, "test").version();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void afterASwapEveryDetectionIsTheNewModelsAsTheReferenceComputesIt(Backend backend) throws Exception {
        var h = open(backend);
        List<String> keys = List.of("a", "b", "c", "d", "e");
        List<SensorEvent> before = interleaved(keys, 0, 30);
        List<SensorEvent> after = interleaved(keys, 30, 70);
        feed(h, before.subList(0, before.size() - 3));   // the last ones still wait in a batch at the update
        feed(h, before.subList(before.size() - 3, before.size()));
        h.processElement2(new StreamRecord<>(published(V2, "v2.safetensors", 1_000)));
        feed(h, after);
        Map<String, List<Detection>> got = byKey(h.extractOutputValues());
        String v1 = version(V1);
        String v2 = version(V2);
        assertNotEquals(v1, v2);
        for (String k : keys) {
            List<SensorEvent> all = new ArrayList<>();
            for (SensorEvent e : before) {
                if (e.key.equals(k)) {
                    all.add(e);
                }
            }
            for (SensorEvent e : after) {
                if (e.key.equals(k)) {
                    all.add(e);
                }
            }
            List<Detection> want = DetectFunctionTest.reference(all, SCORING, 30, V1, new Normalization(MEAN, STD), V2,
                    new Normalization(MEAN2, STD2));
            assertEquals(want, got.get(k), "key " + k);
            assertEquals(v1, got.get(k).get(29).modelVersion, "the events before the update, batched or not");
            assertEquals(v2, got.get(k).get(30).modelVersion);
        }
        assertTrue(h.getSideOutput(SwappableDetectFunction.MODEL_REJECTED) == null
                || h.getSideOutput(SwappableDetectFunction.MODEL_REJECTED).isEmpty());
        h.close();
    }

    @Test
    void refusedUpdatesLeaveTheOldModelServingAndSayWhy() throws Exception {
        var h = open(Backend.HEAP);
        feed(h, interleaved(List.of("a", "b"), 0, 5));
        h.processElement2(new StreamRecord<>(published(OTHER_SHAPE, "h16.safetensors", 2_000)));
        h.processElement2(new StreamRecord<>(published("not a model".getBytes(), "junk.safetensors", 2_000)));
        ModelUpdate tooLarge = published(null, "huge.safetensors", 2_000);
        tooLarge.error = "huge.safetensors: 300000000 bytes, over the limit of 268435456";
        h.processElement2(new StreamRecord<>(tooLarge));
        h.processElement2(new StreamRecord<>(published(V2, "v2.safetensors", 3_000)));
        h.processElement2(new StreamRecord<>(published(OTHER_SHAPE, "old.safetensors", 2_500)));   // older than v2
        feed(h, interleaved(List.of("a", "b"), 5, 9));   // two full batches
        List<DeadLetter> refused = new ArrayList<>();
        h.getSideOutput(SwappableDetectFunction.MODEL_REJECTED).forEach(r -> refused.add(r.getValue()));
        assertEquals(4, refused.size(), refused.toString());
        for (DeadLetter d : refused) {
            assertEquals(DeadLetter.MODEL_REJECTED, d.reason);
            assertTrue(d.source.startsWith("file:///models/"), d.toString());
        }
        assertTrue(refused.get(0).detail.contains("hidden_size=16") || refused.get(0).detail.contains("hidden"),
                refused.get(0).detail);
        assertTrue(refused.get(0).detail.endsWith("model " + version(V1) + " keeps serving"), refused.get(0).detail);
        assertTrue(refused.get(1).detail.contains("junk.safetensors"), refused.get(1).detail);
        assertTrue(refused.get(2).detail.startsWith(tooLarge.error), refused.get(2).detail);
        assertTrue(refused.get(3).detail.contains("before the model serving (" + version(V2)), refused.get(3).detail);
        List<Detection> out = h.extractOutputValues();
        assertEquals(18, out.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(version(V1), out.get(i).modelVersion);
        }
        for (int i = 10; i < 18; i++) {
            assertEquals(version(V2), out.get(i).modelVersion, "v2 was accepted between the refusals");
        }
        h.close();
    }

    @Test
    void onlySubtaskZeroWritesTheRejection() throws Exception {
        var h = create(DetectOptions.processingTime(), Backend.HEAP, 1);
        h.open();
        h.processElement2(new StreamRecord<>(published(OTHER_SHAPE, "h16.safetensors", 2_000)));
        assertTrue(h.getSideOutput(SwappableDetectFunction.MODEL_REJECTED) == null
                || h.getSideOutput(SwappableDetectFunction.MODEL_REJECTED).isEmpty());
        h.close();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theAcceptedModelIsRestoredWithTheState(Backend backend) throws Exception {
        var h = open(backend);
        feed(h, interleaved(List.of("a", "b"), 0, 10));
        h.processElement2(new StreamRecord<>(published(V2, "v2.safetensors", 1_000)));
        feed(h, interleaved(List.of("a", "b"), 10, 12));
        OperatorSubtaskState snapshot = h.snapshot(1L, 1L);
        h.close();
        var restored = create(DetectOptions.processingTime(), backend, 0);
        restored.initializeState(snapshot);
        restored.open();
        feed(restored, interleaved(List.of("a", "b"), 12, 14));
        // an older publication than the restored one is still refused: the publication time was restored too
        restored.processElement2(new StreamRecord<>(published(V1, "v1-again.safetensors", 500)));
        List<Detection> out = restored.extractOutputValues();
        assertEquals(4, out.size());
        for (Detection d : out) {
            assertEquals(version(V2), d.modelVersion);
            assertEquals(13, d.step, 1, "the key's step count continues: " + d);
        }
        assertEquals(1, restored.getSideOutput(SwappableDetectFunction.MODEL_REJECTED).size());
        restored.close();
    }

    @Test
    void aSnapshotOfTheOneInputDetectorRestoresIntoTheSwappableOne() throws Exception {
        var one = new KeyedOneInputStreamOperatorTestHarness<String, SensorEvent, Detection>(
                new MicroBatchOperator<>(new DetectFunction(SCORING, DetectOptions.processingTime(), V1,
                        "v1.safetensors"), BATCH), DetectStreams::keyOf, Types.STRING, 128, 1, 0);
        one.open();
        List<SensorEvent> events = interleaved(List.of("a", "b"), 0, 20);
        for (SensorEvent e : events.subList(0, 20)) {
            one.processElement(new StreamRecord<>(e, e.ts));
        }
        OperatorSubtaskState snapshot = one.snapshot(1L, 1L);
        one.close();
        var two = create(DetectOptions.processingTime(), Backend.HEAP, 0);
        two.initializeState(snapshot);
        two.open();
        feed(two, events.subList(20, 40));
        Map<String, List<Detection>> got = byKey(two.extractOutputValues());
        for (String k : List.of("a", "b")) {
            List<SensorEvent> all = events.stream().filter(e -> e.key.equals(k)).toList();
            List<Detection> want = DetectFunctionTest.reference(all, SCORING);
            assertEquals(want.subList(10, 20), got.get(k), "key " + k + " continues where the snapshot left it");
        }
        two.close();
    }

    @Test
    void eventTimeIsTheKeyedInputsAlone() throws Exception {
        var h = create(DetectOptions.eventTime(Duration.ZERO), Backend.HEAP, 0);
        h.open();
        feed(h, interleaved(List.of("a", "b"), 0, 5));
        assertTrue(h.extractOutputValues().isEmpty(), "events wait for the watermark");
        h.processWatermark1(new Watermark(2_000));   // the broadcast input never sends one
        List<Detection> out = h.extractOutputValues();
        assertEquals(6, out.size(), "events at 0, 1 and 2 s of both keys: " + out);
        assertTrue(h.getOutput().stream().anyMatch(o -> o instanceof Watermark w && w.getTimestamp() == 2_000),
                "the watermark is forwarded");
        h.processElement2(new StreamRecord<>(published(V2, "v2.safetensors", 1_000)));
        h.processWatermark1(new Watermark(4_000));
        List<Detection> later = h.extractOutputValues().subList(6, 10);
        for (Detection d : later) {
            assertEquals(version(V2), d.modelVersion, "buffered events are scored by the model serving at release");
        }
        assertNull(h.getSideOutput(SwappableDetectFunction.MODEL_REJECTED));
        h.close();
    }
}
