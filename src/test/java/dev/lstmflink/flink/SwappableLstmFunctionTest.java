package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Model swap in the operator harness: versions on outputs, state carried over, incompatible models refused. */
class SwappableLstmFunctionTest {

    static final LstmConfig CFG = KeyedLstmFunctionTest.CFG;
    static final byte[] V1 = KeyedLstmFunctionTest.MODEL;
    static final byte[] V2 = TestModels.withHead(CFG, 1, 99);
    static final byte[] BAD = TestModels.withHead(LstmConfig.of(2, 5), 1, 5);

    private static KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, LstmOutput> harness()
            throws Exception {
        var h = create();
        h.open();
        return h;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, LstmOutput> create()
            throws Exception {
        var op = new CoBroadcastWithKeyedOperator<>(
                new SwappableLstmFunction(LstmFunctionConfig.processingTime(OutputKind.HIDDEN), V1, "v1.safetensors"),
                List.of(SwappableLstmFunction.MODEL_STATE));
        return new KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, LstmOutput>(
                op, LstmStreams::keyOf, null, Types.STRING);
    }

    @Test
    void updatesWithoutVersionOrBytesAreRefusedNotFatal() throws Exception {
        var h = harness();
        h.processElement2(new StreamRecord<>(new ModelUpdate(null, V2)));
        h.processElement2(new StreamRecord<>(new ModelUpdate("no-bytes", null)));
        h.processElement1(new StreamRecord<>(KeyedLstmFunctionTest.event("n", 0)));
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.MODEL_REJECTED));
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(1).getValue().reason.contains("needs a version and the model file's bytes"),
                rejected.get(1).getValue().reason);
        assertEquals(LstmModelFile.read(V1, "v1").version(), h.extractOutputValues().get(0).modelVersion);
        h.close();
    }

    /** A re-used version name with other weights must still be restored as those weights. */
    @Test
    void restoredSwapIsRecognisedByContentNotByName() throws Exception {
        String v1Name = LstmModelFile.read(V1, "v1").version();
        var h = harness();
        h.processElement2(new StreamRecord<>(new ModelUpdate(v1Name, V2)));
        var snapshot = h.snapshot(1L, 1L);
        h.close();
        var restored = create();
        restored.initializeState(snapshot);
        restored.open();
        SensorEvent e = KeyedLstmFunctionTest.event("w", 0);
        restored.processElement1(new StreamRecord<>(e));
        LstmModel m2 = LstmModelFile.read(V2, "v2");
        LstmStepper<float[]> s2 = m2.lstm().stepper();
        float[] state = s2.newState();
        s2.step(e.values, 0, state);
        assertArrayEquals(Arrays.copyOfRange(state, s2.outputOffset(), s2.outputOffset() + CFG.outputSize()),
                restored.extractOutputValues().get(0).values, "the restored job serves model 2's weights");
        restored.close();
    }

    @Test
    void eventWithoutKeyIsRejectedNotFatal() throws Exception {
        var h = harness();
        SensorEvent e = KeyedLstmFunctionTest.event("x", 0);
        e.key = null;
        h.processElement1(new StreamRecord<>(e));
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.REJECTED));
        assertEquals(1, rejected.size());
        assertEquals("key is missing", rejected.get(0).getValue().detail);
        assertTrue(h.extractOutputValues().isEmpty());
        h.close();
    }

    @Test
    void swapCarriesStateOverAndTagsOutputsWithTheVersion() throws Exception {
        var h = harness();
        List<SensorEvent> events = KeyedLstmFunctionTest.sequence("m", 0, 6);
        for (int i = 0; i < 3; i++) {
            h.processElement1(new StreamRecord<>(events.get(i)));
        }
        h.processElement2(new StreamRecord<>(new ModelUpdate("v2", V2)));
        h.processElement2(new StreamRecord<>(new ModelUpdate("v3-bad", BAD)));
        for (int i = 3; i < 6; i++) {
            h.processElement1(new StreamRecord<>(events.get(i)));
        }
        List<LstmOutput> out = h.extractOutputValues();
        assertEquals(6, out.size());
        String v1 = LstmModelFile.read(V1, "v1").version();
        for (int i = 0; i < 6; i++) {
            assertEquals(i < 3 ? v1 : "v2", out.get(i).modelVersion, "output " + i);
            assertEquals(i + 1, out.get(i).step, "the key's step index continues across the swap");
        }
        // offline: model 1 for three steps, then model 2 on the same state
        LstmModel m1 = LstmModelFile.read(V1, "v1");
        LstmModel m2 = LstmModelFile.read(V2, "v2");
        LstmStepper<float[]> s1 = m1.lstm().stepper();
        LstmStepper<float[]> s2 = m2.lstm().stepper();
        float[] state = s1.newState();
        for (int i = 0; i < 6; i++) {
            (i < 3 ? s1 : s2).step(events.get(i).values, 0, state);
            int off = s1.outputOffset();
            assertArrayEquals(Arrays.copyOfRange(state, off, off + CFG.outputSize()), out.get(i).values, "step " + i);
        }
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.MODEL_REJECTED));
        assertEquals(1, rejected.size());
        assertEquals("v3-bad", rejected.get(0).getValue().version);
        assertTrue(rejected.get(0).getValue().reason.contains("hidden_size=5"), rejected.get(0).getValue().reason);
        h.close();
    }

    @Test
    void corruptModelFileIsRefusedAndTheOldModelKeepsServing() throws Exception {
        var h = harness();
        h.processElement2(new StreamRecord<>(new ModelUpdate("broken", Arrays.copyOf(V2, 100))));
        h.processElement1(new StreamRecord<>(KeyedLstmFunctionTest.event("z", 0)));
        var rejected = new ArrayList<>(h.getSideOutput(LstmStreams.MODEL_REJECTED));
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).getValue().reason.contains("model update broken"), rejected.get(0).getValue().reason);
        assertEquals(LstmModelFile.read(V1, "v1").version(), h.extractOutputValues().get(0).modelVersion);
        h.close();
    }
}
