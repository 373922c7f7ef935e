package dev.lstmflink.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.ModelFormat;
import dev.lstmflink.core.io.WolframLstmJson;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.LstmHarness.Backend;
import dev.lstmflink.record.LstmOutput;
import dev.lstmflink.record.OutputKind;
import dev.lstmflink.record.SensorEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model file format reaches the keyed LSTM operator (issue 7, item 3: "every format works wherever a model file
 * is accepted ... chosen by the file's content, not only its name"). Each fixture (Keras {@code .keras} and
 * {@code .weights.h5}, ONNX with and without a Linear head, F16/BF16 safetensors, wolfram-lstm JSON written by
 * {@link WolframLstmJson#write}, safetensors with an embedding) is copied to a file whose name says another format,
 * read as {@code jobs/stream} reads it ({@link LstmModelFile#readBytes}), and its bytes given to the operator, which
 * parses them itself in {@code open()}, as in a job. Every output of a few interleaved keys must equal the core's
 * sequence forward ({@link LstmModel#forward} of each key's whole sequence, plus the head where the output needs it)
 * over the same bytes, within {@value #TOL}.
 *
 * <p>Activations: the ONNX {@code activations_*} fixtures, a wolfram-lstm JSON written from one, and a {@code .keras}
 * archive whose config.json is edited here to relu / hard_sigmoid have activations other than tanh and sigmoid; for
 * those the test also checks that the same weights with tanh and sigmoid give outputs far from the operator's, so the
 * equality can only hold if the file's activations reached the operator.
 */
class ModelFormatsStreamingTest {

    static final Path MODELS = Path.of("src/test/resources/models");
    static final float TOL = 1e-5f;
    static final List<String> KEYS = List.of("press-1", "press-2", "pump-7");
    static final int STEPS = 12;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A model file's bytes, from a fixture or made by the test. */
    interface Source {
        byte[] bytes() throws IOException;
    }

    static Source fixture(String rel) {
        return () -> Files.readAllBytes(MODELS.resolve(rel));
    }

    /** A wolfram-lstm JSON of the arrays the core reads from a fixture (the LSTM, the head and the metadata). */
    static Source wolfram(String rel) {
        return () -> WolframLstmJson.write(LstmModelFile.readContents(Files.readAllBytes(MODELS.resolve(rel)), rel));
    }

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of("keras archive", fixture("keras/sine_next_step.keras"), "model.safetensors",
                        ModelFormat.KERAS, OutputKind.PREDICTION),
                Arguments.of("keras archive, relu + hard_sigmoid in its config",
                        (Source) ModelFormatsStreamingTest::kerasArchiveWithReluAndHardSigmoid, "model.bin",
                        ModelFormat.KERAS, OutputKind.PREDICTION),
                Arguments.of("keras weights.h5 (dense head)", fixture("keras/sine_next_step.weights.h5"), "model.onnx",
                        ModelFormat.KERAS, OutputKind.PREDICTION),
                Arguments.of("keras weights.h5, 2 layers", fixture("keras/i2_streaming_2layer.weights.h5"),
                        "model.onnx", ModelFormat.KERAS, OutputKind.HIDDEN),
                Arguments.of("keras weights.h5, 3 layers", fixture("keras/d_three_layers.weights.h5"), "lstm.json",
                        ModelFormat.KERAS, OutputKind.HIDDEN),
                Arguments.of("onnx", fixture("onnx/single_layer.onnx"), "model.safetensors", ModelFormat.ONNX,
                        OutputKind.HIDDEN),
                Arguments.of("onnx layout=1", fixture("onnx/single_layer_layout1.onnx"), "model.keras",
                        ModelFormat.ONNX, OutputKind.HIDDEN),
                Arguments.of("onnx relu cell", fixture("onnx/activations_relu_cell.onnx"), "model.keras",
                        ModelFormat.ONNX, OutputKind.HIDDEN),
                Arguments.of("onnx hard_sigmoid gates", fixture("onnx/activations_hard_sigmoid_gates.onnx"),
                        "model.weights.h5", ModelFormat.ONNX, OutputKind.HIDDEN),
                Arguments.of("onnx linear cell", fixture("onnx/activations_linear_cell.onnx"), "model.bin",
                        ModelFormat.ONNX, OutputKind.HIDDEN),
                Arguments.of("onnx no bias, 3 layers", fixture("onnx/no_bias_3layer.onnx"), "model.bin",
                        ModelFormat.ONNX, OutputKind.HIDDEN),
                Arguments.of("onnx linear head, 2 layers", fixture("onnx/head_2layer_batch_first.onnx"),
                        "model.safetensors", ModelFormat.ONNX, OutputKind.PREDICTION),
                Arguments.of("onnx Gemm head transB=0", fixture("onnx/head_gemm_transb0.onnx"), "model.json",
                        ModelFormat.ONNX, OutputKind.PREDICTION),
                Arguments.of("onnx head without bias, softmax", fixture("onnx/head_no_bias.onnx"), "model.bin",
                        ModelFormat.ONNX, OutputKind.PROBABILITIES),
                Arguments.of("safetensors F16", fixture("half/lstm_f16.safetensors"), "model.onnx",
                        ModelFormat.SAFETENSORS, OutputKind.PREDICTION),
                Arguments.of("safetensors BF16", fixture("half/lstm_bf16.safetensors"), "model.keras",
                        ModelFormat.SAFETENSORS, OutputKind.PREDICTION),
                Arguments.of("wolfram-lstm JSON with head", wolfram("onnx/head_2layer_batch_first.onnx"),
                        "model.safetensors", ModelFormat.WOLFRAM_JSON, OutputKind.PREDICTION),
                Arguments.of("wolfram-lstm JSON, hard_sigmoid gates",
                        wolfram("onnx/activations_hard_sigmoid_gates.onnx"), "model.onnx", ModelFormat.WOLFRAM_JSON,
                        OutputKind.HIDDEN),
                Arguments.of("safetensors with embedding, 2 ids", fixture("embedding/two_ids.safetensors"),
                        "model.onnx", ModelFormat.SAFETENSORS, OutputKind.PREDICTION),
                Arguments.of("safetensors with embedding, 2 layers", fixture("embedding/two_layers.safetensors"),
                        "model.bin", ModelFormat.SAFETENSORS, OutputKind.HIDDEN));
    }

    @ParameterizedTest(name = "{0} named {2}")
    @MethodSource("formats")
    void everyFormatRunsInTheOperatorAsTheCoreComputesIt(String label, Source source, String misleadingName,
            ModelFormat format, OutputKind output) throws Exception {
        Path file = Files.write(tmp.resolve(misleadingName), source.bytes());
        byte[] bytes = LstmModelFile.readBytes(file, LstmModelFile.DEFAULT_MAX_BYTES);   // as jobs/stream reads it
        assertEquals(format, LstmModelFile.readContents(bytes, file.toString()).format(), label + ": format detected");
        LstmModel core = LstmModelFile.read(bytes, "reference");

        var h = LstmHarness.open(LstmFunctionConfig.processingTime(output), bytes, Backend.HEAP);
        List<SensorEvent> events = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            for (String k : KEYS) {
                events.add(event(core, k, s));
            }
        }
        LstmHarness.feed(h, events);
        Map<String, List<LstmOutput>> got = LstmHarness.byKey(h.extractOutputValues());
        assertNull(h.getSideOutput(LstmStreams.REJECTED), label + ": no event rejected");
        h.close();

        double maxDiff = 0;
        double activationEffect = Double.POSITIVE_INFINITY;
        boolean customActivations = core.lstm().config().activation() != Activation.TANH
                || core.lstm().config().recurrentActivation() != Activation.SIGMOID;
        for (String k : KEYS) {
            List<LstmOutput> outs = got.get(k);
            assertNotNull(outs, label + ": outputs of key " + k);
            assertEquals(STEPS, outs.size(), label + ": outputs of key " + k);
            List<float[]> want = reference(core, core.lstm(), output, k);
            for (int t = 0; t < STEPS; t++) {
                LstmOutput o = outs.get(t);
                assertEquals(t + 1, o.step, label + ": key " + k + " step index");
                assertEquals(core.version(), o.modelVersion, label + ": the model of these bytes");
                assertEquals(want.get(t).length, o.values.length, label + ": key " + k + " output " + t);
                for (int j = 0; j < o.values.length; j++) {
                    double d = Math.abs(o.values[j] - want.get(t)[j]);
                    maxDiff = Math.max(maxDiff, d);
                    assertTrue(d <= TOL, String.format(Locale.ROOT, "%s: key %s step %d value %d: operator %s, "
                            + "core %s", label, k, t + 1, j, o.values[j], want.get(t)[j]));
                }
            }
            if (customActivations) {
                // the same weights with PyTorch's activations: far from what the operator gave
                LstmConfig c = core.lstm().config().withActivation(Activation.TANH)
                        .withRecurrentActivation(Activation.SIGMOID);
                List<float[]> plain = reference(core, Lstm.f32(c, core.lstm().params()), output, k);
                double far = 0;
                for (int t = 0; t < STEPS; t++) {
                    for (int j = 0; j < plain.get(t).length; j++) {
                        far = Math.max(far, Math.abs(plain.get(t)[j] - outs.get(t).values[j]));
                    }
                }
                activationEffect = Math.min(activationEffect, far);
            }
        }
        if (customActivations) {
            assertTrue(activationEffect > 1e-2, label + ": with tanh/sigmoid the outputs would differ by only "
                    + activationEffect);
        }
        System.out.printf(Locale.ROOT, "ModelFormatsStreamingTest: %-45s %-13s as %-18s %s %s, max |operator - core| "
                        + "%.1e%n", label, format, misleadingName, output, describe(core), maxDiff);
    }

    /**
     * Model swaps across formats: a Keras {@code .weights.h5} runs first, then an ONNX file (relu cell) and a
     * wolfram-lstm JSON (hard_sigmoid gates) arrive as model updates, each under a misleading name; all three are
     * LSTM(3 -> 5). Every key's state carries over each swap, so the reference is the core's forward of each segment
     * from the previous segment's final h and c, with that segment's model.
     */
    @Test
    void modelUpdatesInOtherFormatsAreSwappedIn() throws Exception {
        byte[] keras = LstmModelFile.readBytes(Files.write(tmp.resolve("v1.safetensors"),
                fixture("keras/a_single_layer.weights.h5").bytes()), LstmModelFile.DEFAULT_MAX_BYTES);
        byte[] onnx = LstmModelFile.readBytes(Files.write(tmp.resolve("v2.weights.h5"),
                fixture("onnx/activations_relu_cell.onnx").bytes()), LstmModelFile.DEFAULT_MAX_BYTES);
        byte[] json = LstmModelFile.readBytes(Files.write(tmp.resolve("v3.onnx"),
                wolfram("onnx/activations_hard_sigmoid_gates.onnx").bytes()), LstmModelFile.DEFAULT_MAX_BYTES);
        List<LstmModel> models = List.of(LstmModelFile.read(keras, "v1"), LstmModelFile.read(onnx, "v2"),
                LstmModelFile.read(json, "v3"));
        List<String> versions = List.of(models.get(0).version(), "v2-onnx", "v3-wolfram");
        int[] segmentEnds = {5, 9, 14};

        var op = new CoBroadcastWithKeyedOperator<>(new SwappableLstmFunction(
                LstmFunctionConfig.processingTime(OutputKind.HIDDEN), keras, "v1.safetensors"),
                List.of(SwappableLstmFunction.MODEL_STATE));
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, SensorEvent, ModelUpdate, LstmOutput>(
                op, LstmStreams::keyOf, null, Types.STRING);
        h.open();
        int s = 0;
        for (int seg = 0; seg < segmentEnds.length; seg++) {
            if (seg == 1) {
                h.processElement2(new StreamRecord<>(new ModelUpdate(versions.get(1), onnx)));
            } else if (seg == 2) {
                h.processElement2(new StreamRecord<>(new ModelUpdate(versions.get(2), json)));
            }
            for (; s < segmentEnds[seg]; s++) {
                for (String k : KEYS) {
                    SensorEvent e = event(models.get(0), k, s);
                    h.processElement1(new StreamRecord<>(e, e.ts));
                }
            }
        }
        assertNull(h.getSideOutput(LstmStreams.MODEL_REJECTED), "no model update refused");
        Map<String, List<LstmOutput>> got = LstmHarness.byKey(h.extractOutputValues());
        h.close();

        double maxDiff = 0;
        for (String k : KEYS) {
            List<LstmOutput> outs = got.get(k);
            assertEquals(segmentEnds[segmentEnds.length - 1], outs.size(), "outputs of key " + k);
            float[] h0 = null;
            float[] c0 = null;
            int from = 0;
            for (int seg = 0; seg < segmentEnds.length; seg++) {
                LstmModel m = models.get(seg);
                int n = segmentEnds[seg] - from;
                float[] x = new float[n * m.numericInputs()];
                for (int t = 0; t < n; t++) {
                    float[] v = event(m, k, from + t).values;
                    System.arraycopy(v, 0, x, t * v.length, v.length);
                }
                ForwardPass<float[]> pass = m.forward(x, null, n, 1, h0, c0);
                float[] y = pass.output();
                int hOut = m.lstm().config().outputSize();
                for (int t = 0; t < n; t++) {
                    LstmOutput o = outs.get(from + t);
                    assertEquals(versions.get(seg), o.modelVersion, "key " + k + " step " + (from + t + 1));
                    assertEquals(from + t + 1, o.step, "key " + k + ": the step count carries over the swap");
                    for (int j = 0; j < hOut; j++) {
                        double d = Math.abs(o.values[j] - y[t * hOut + j]);
                        maxDiff = Math.max(maxDiff, d);
                        assertTrue(d <= TOL, String.format(Locale.ROOT, "key %s step %d (model %s) h[%d]: operator "
                                + "%s, core %s", k, from + t + 1, versions.get(seg), j, o.values[j], y[t * hOut + j]));
                    }
                }
                h0 = pass.hN();
                c0 = pass.cN();
                from = segmentEnds[seg];
            }
        }
        assertEquals(Activation.RELU, models.get(1).lstm().config().activation());
        assertEquals(Activation.HARD_SIGMOID, models.get(2).lstm().config().recurrentActivation());
        System.out.printf(Locale.ROOT, "ModelFormatsStreamingTest: swaps keras -> onnx -> wolfram-lstm JSON, max "
                + "|operator - core| %.1e%n", maxDiff);
    }

    /**
     * Key {@code key}'s event {@code step} for {@code m}: its numeric values (smooth, of both signs, about unit size)
     * and, with an embedding, its ids (every row reached over the steps).
     */
    static SensorEvent event(LstmModel m, String key, int step) {
        int kh = Math.floorMod(key.hashCode(), 97);
        float[] v = new float[m.numericInputs()];
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (1.3 * Math.sin(0.37 * step + 0.9 * j + kh));
        }
        long ts = 1_000L * step + kh % 7;
        if (m.embedding() == null) {
            return new SensorEvent(key, ts, v);
        }
        int[] ids = new int[m.idsPerStep()];
        for (int p = 0; p < ids.length; p++) {
            ids[p] = Math.floorMod(kh + 3 * step + 5 * p, m.embedding().config().numEmbeddings());
        }
        return new SensorEvent(key, ts, false, v, ids);
    }

    /**
     * The core's outputs for one key: its {@value #STEPS} events as one sequence through {@code lstm} (the model's
     * own, or the same weights with other activations) after the model's embedding, then the model's head (and a
     * softmax) when the output needs it.
     */
    static List<float[]> reference(LstmModel m, Lstm<float[]> lstm, OutputKind output, String key) {
        int mIn = m.numericInputs();
        int k = m.idsPerStep();
        float[] values = new float[STEPS * mIn];
        int[] ids = k == 0 ? null : new int[STEPS * k];
        for (int t = 0; t < STEPS; t++) {
            SensorEvent e = event(m, key, t);
            System.arraycopy(e.values, 0, values, t * mIn, mIn);
            if (ids != null) {
                System.arraycopy(e.ids, 0, ids, t * k, k);
            }
        }
        float[] y = lstm.forward(m.lstmInput(values, ids, STEPS, 1), STEPS, 1, null, null, null).output();
        int hOut = lstm.config().outputSize();
        List<float[]> out = new ArrayList<>();
        for (int t = 0; t < STEPS; t++) {
            if (output.needsHead()) {
                LinearHead head = m.head();
                float[] p = new float[head.outFeatures()];
                head.apply(y, t * hOut, p, 0);
                if (output == OutputKind.PROBABILITIES) {
                    LinearHead.softmax(p, 0, p.length);
                }
                out.add(p);
            } else {
                out.add(Arrays.copyOfRange(y, t * hOut, (t + 1) * hOut));
            }
        }
        return out;
    }

    /**
     * {@code keras/sine_next_step.keras} with its LSTM layer's config edited to {@code activation: relu},
     * {@code recurrent_activation: hard_sigmoid}: a whole {@code .keras} archive (config.json, metadata.json,
     * model.weights.h5) whose activations only its config.json carries.
     */
    static byte[] kerasArchiveWithReluAndHardSigmoid() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int lstmLayers = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(
                Files.readAllBytes(MODELS.resolve("keras/sine_next_step.keras"))));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] data = in.readAllBytes();
                if (e.getName().equals("config.json")) {
                    JsonNode root = JSON.readTree(data);
                    for (JsonNode layer : root.path("config").path("layers")) {
                        if (layer.path("class_name").asText().equals("LSTM")) {
                            ((ObjectNode) layer.get("config")).put("activation", "relu")
                                    .put("recurrent_activation", "hard_sigmoid");
                            lstmLayers++;
                        }
                    }
                    data = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(e.getName()));
                zip.write(data);
                zip.closeEntry();
            }
        }
        assertEquals(1, lstmLayers, "sine_next_step.keras has one LSTM layer");
        byte[] archive = out.toByteArray();
        LstmConfig c = LstmModelFile.read(archive, "edited.keras").lstm().config();
        assertEquals(Activation.RELU, c.activation(), "the core reads the edited config");
        assertEquals(Activation.HARD_SIGMOID, c.recurrentActivation(), "the core reads the edited config");
        return archive;
    }

    /** A model for the test's log line, e.g. {@code LSTM(3 -> 5, 2 layer(s), tanh/sigmoid) + Linear(2)}. */
    private static String describe(LstmModel m) {
        LstmConfig c = m.lstm().config();
        return "LSTM(" + c.inputSize() + " -> " + c.hiddenSize() + ", " + c.numLayers() + " layer(s), "
                + c.activation().name().toLowerCase(Locale.ROOT) + "/"
                + c.recurrentActivation().name().toLowerCase(Locale.ROOT) + ")"
                + (m.head() == null ? "" : " + Linear(" + m.head().outFeatures() + ")")
                + (m.embedding() == null ? "" : " + embedding");
    }
}
