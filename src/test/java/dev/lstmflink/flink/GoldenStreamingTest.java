package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.lstmflink.core.io.DType;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmStepper;
import dev.lstmflink.flink.LstmHarness.Backend;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenCase;
import dev.lstmflink.testutil.GoldenFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden cases that have {@code per_step_h} (PyTorch fed one event at a time), streamed through the keyed operator
 * event by event, one key per sequence of the batch, on the heap and RocksDB backends: after every event the key's
 * whole state (h and c of every layer) matches PyTorch within 1e-5. Reads {@code -Dgolden.dir} like
 * {@code GoldenLstmTest}; a folder without any streaming case fails.
 */
class GoldenStreamingTest {

    @TestFactory
    Stream<DynamicTest> streamingCasesThroughTheOperator() {
        List<GoldenCase> cases = new ArrayList<>();
        for (Path p : GoldenFiles.list("golden.dir", "src/test/resources/golden/lstm")) {
            GoldenCase c = GoldenCase.read(p);
            if (c.perStepH != null) {
                cases.add(c);
            }
        }
        if (cases.isEmpty()) {
            fail("no golden case in the folder has per_step_h");
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (GoldenCase c : cases) {
            for (Backend b : Backend.values()) {
                tests.add(dynamicTest(c.name + " " + b, () -> check(c, b)));
            }
        }
        return tests.stream();
    }

    private static void check(GoldenCase c, Backend backend) throws Exception {
        Lstm<double[]> lstm = Lstm.f64(c.config, c.packedParams(Precision.F64));
        byte[] model = LstmSafetensors.toFile(lstm, "", DType.F32, List.of(), Map.of()).toBytes();
        int t = c.seqLen();
        int batch = c.batch();
        int layers = c.config.numLayers();
        int hOut = c.config.outputSize();
        int hid = c.config.hiddenSize();
        int in = c.config.inputSize();
        LstmStepper<float[]> layout = Lstm.f32(c.config, c.packedParams(Precision.F32)).stepper();
        for (int b = 0; b < batch; b++) {
            // h0/c0 of this sequence as the operator's initial state
            float[] init = layout.newState();
            layout.loadState(init, c.h0 == null ? null : Precision.F32.fromDoubles(c.h0.data()),
                    c.c0 == null ? null : Precision.F32.fromDoubles(c.c0.data()), batch, b);
            LstmFunctionConfig cfg = LstmFunctionConfig.processingTime(OutputKind.STATE).withInitialState(init);
            var h = LstmHarness.open(cfg, model, backend);
            String key = "seq-" + b;
            for (int s = 0; s < t; s++) {
                int row = c.config.batchFirst() ? b * t + s : s * batch + b;
                float[] x = new float[in];
                for (int i = 0; i < in; i++) {
                    x[i] = (float) c.input.data()[row * in + i];
                }
                LstmHarness.feed(h, List.of(new SensorEvent(key, s, x)));
            }
            List<LstmOutput> outs = h.extractOutputValues();
            assertEquals(t, outs.size(), c.name + " " + key + ": one output per event");
            for (int s = 0; s < t; s++) {
                double[] got = Close.toDoubles(outs.get(s).values);
                for (int l = 0; l < layers; l++) {
                    String at = c.name + " " + backend + " step " + s + " layer " + l + " seq " + b;
                    Close.assertClose(at + " h", slice(c.perStepH.data(), ((s * layers + l) * batch + b) * hOut, hOut),
                            slice(got, layout.hOffset(l), hOut), 1e-5);
                    Close.assertClose(at + " c", slice(c.perStepC.data(), ((s * layers + l) * batch + b) * hid, hid),
                            slice(got, layout.cOffset(l), hid), 1e-5);
                }
            }
            h.close();
        }
    }

    private static double[] slice(double[] a, int off, int n) {
        double[] s = new double[n];
        System.arraycopy(a, off, s, 0, n);
        return s;
    }
}
