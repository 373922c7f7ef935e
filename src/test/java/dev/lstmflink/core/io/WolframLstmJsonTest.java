package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.io.file.FileTooLargeException;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.GoldenCase;
import dev.lstmflink.testutil.GoldenFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WolframLstmJson}: every PyTorch golden case (and the trained sine model with its head) written as Wolfram's
 * named arrays and read back gives PyTorch's outputs; write(read(json)) is the same text; a hand-made file is checked
 * against Wolfram's documented equations computed here; and malformed files are refused naming the array.
 */
class WolframLstmJsonTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseThroughWolframJsonGivesPyTorchsOutputs() {
        return GoldenFiles.list("golden.dir", "src/test/resources/golden/lstm").stream()
                .map(p -> dynamicTest(p.getFileName().toString(), () -> goldenCase(p)));
    }

    private static void goldenCase(Path json) throws IOException {
        GoldenCase c = GoldenCase.read(json);
        Path st = json.resolveSibling(json.getFileName().toString().replace(".json", ".safetensors"));
        byte[] stBytes = Files.readAllBytes(st);
        ModelContents fromPyTorch = LstmModelFile.readContents(stBytes, st.toString());
        if (c.config.projSize() > 0) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WolframLstmJson.write(fromPyTorch));
            assertTrue(e.getMessage().contains("proj_size " + c.config.projSize()), e.getMessage());
            return;
        }
        byte[] wolfram = WolframLstmJson.write(fromPyTorch);
        assertEquals(ModelFormat.WOLFRAM_JSON, ModelFormat.detect(wolfram, wolfram.length).orElseThrow());
        LstmModel m = LstmModelFile.read(wolfram, "w.json");
        assertEquals(c.config, m.lstm().config(), "config, batch_first included, from the metadata");
        // the biases were summed in double and rounded once: float32 rounding only, the golden float32 tolerance
        ForwardPass<float[]> pass = m.lstm().forward(Precision.F32.fromDoubles(c.input.data()), c.seqLen(), c.batch(),
                c.h0 == null ? null : Precision.F32.fromDoubles(c.h0.data()),
                c.c0 == null ? null : Precision.F32.fromDoubles(c.c0.data()), c.lengths);
        Close.assertClose("output", c.output.data(), Close.toDoubles(pass.output()), 1e-5);
        Close.assertClose("h_n", c.hN.data(), Close.toDoubles(pass.hN()), 1e-5);
        Close.assertClose("c_n", c.cN.data(), Close.toDoubles(pass.cN()), 1e-5);
        // the weights themselves are copied exactly
        LstmLayout layout = new LstmLayout(c.config);
        float[] golden = c.packedParams(Precision.F32);
        for (LstmLayout.TensorSpec spec : layout.tensors()) {
            if (spec.kind() == LstmLayout.Kind.WEIGHT_IH || spec.kind() == LstmLayout.Kind.WEIGHT_HH) {
                assertArrayEquals(layout.unpack(spec, Precision.F32, golden),
                        layout.unpack(spec, Precision.F32, m.lstm().params()), spec.name());
            }
        }
        // a round trip through our own JSON changes nothing: the same text, the same model
        ModelContents again = LstmModelFile.readContents(wolfram, "w.json");
        assertArrayEquals(wolfram, WolframLstmJson.write(again), "write(read(json)) == json");
        assertArrayEquals(m.lstm().params(), again.params());
    }

    @Test
    void theTrainedModelKeepsItsHeadNormalizationAndVersion() throws IOException {
        Path st = Path.of("src/test/resources/golden/train/sine_next_step.safetensors");
        byte[] bytes = Files.readAllBytes(st);
        ModelContents c = LstmModelFile.readContents(bytes, st.toString());
        assertEquals(1, c.headOut());
        byte[] wolfram = WolframLstmJson.write(c);
        JsonNode tree = JSON.readTree(wolfram);
        assertEquals(8, tree.at("/head/Weights/0").size(), "head Weights [1, 8]");
        assertEquals(1, tree.at("/head/Biases").size());
        LstmModel fromJson = LstmModelFile.read(wolfram, "sine.json");
        LstmModel fromSt = LstmModelFile.read(bytes, "sine.safetensors");
        assertEquals(fromSt.version(), fromJson.version().startsWith("sha256:") ? fromSt.version()
                : fromJson.version(), "a model_version entry is kept; a hash names the file it came from");
        float[] h = new float[8];
        for (int i = 0; i < 8; i++) {
            h[i] = (i - 3.5f) / 4;
        }
        float[] a = new float[1];
        float[] b = new float[1];
        fromJson.head().apply(h, 0, a, 0);
        fromSt.head().apply(h, 0, b, 0);
        assertArrayEquals(b, a, "the head is copied exactly");
    }

    /**
     * A hand-made file with distinct values per gate: each array lands in its PyTorch block (i, f, g, o), and one
     * step of the model equals Wolfram's documented equations evaluated here in double.
     */
    @Test
    void namedArraysMapToPyTorchsGateBlocksAndWolframsEquations() throws IOException {
        int n = 2;
        int k = 3;
        ObjectNode root = JSON.createObjectNode().put("format", "wolfram-lstm");
        ObjectNode layer = root.putArray("layers").addObject();
        String[] gates = {"InputGate", "OutputGate", "ForgetGate", "MemoryGate"};   // Wolfram's documented order
        double[][][] wx = new double[4][n][k];
        double[][][] ws = new double[4][n][n];
        double[][] bias = new double[4][n];
        for (int g = 0; g < 4; g++) {
            ArrayNode ix = layer.putArray(gates[g] + "InputWeights");
            ArrayNode is = layer.putArray(gates[g] + "StateWeights");
            ArrayNode b = layer.putArray(gates[g] + "Biases");
            for (int r = 0; r < n; r++) {
                ArrayNode row = ix.addArray();
                for (int j = 0; j < k; j++) {
                    wx[g][r][j] = (float) (0.1 * (g + 1) + 0.01 * r - 0.03 * j);
                    row.add((float) wx[g][r][j]);
                }
                ArrayNode srow = is.addArray();
                for (int j = 0; j < n; j++) {
                    ws[g][r][j] = (float) (-0.05 * (g + 1) + 0.02 * j - 0.01 * r);
                    srow.add((float) ws[g][r][j]);
                }
                bias[g][r] = (float) (0.2 * g - 0.3 + 0.1 * r);
                b.add((float) bias[g][r]);
            }
        }
        LstmModel m = LstmModelFile.read(JSON.writeValueAsBytes(root), "hand.json");
        assertEquals(LstmConfig.of(k, n), m.lstm().config());
        LstmLayout layout = new LstmLayout(m.lstm().config());
        double[] ih = layout.unpack(layout.tensors().get(0), Precision.F32, m.lstm().params());
        double[] bih = layout.unpack(layout.tensors().get(2), Precision.F32, m.lstm().params());
        double[] bhh = layout.unpack(layout.tensors().get(3), Precision.F32, m.lstm().params());
        int[] torchBlock = {0, 3, 1, 2};   // Input -> i, Output -> o, Forget -> f, Memory -> g
        for (int g = 0; g < 4; g++) {
            assertEquals(wx[g][1][2], ih[(torchBlock[g] * n + 1) * k + 2], gates[g] + "InputWeights[1][2]");
            assertEquals(bias[g][1], bih[torchBlock[g] * n + 1], gates[g] + "Biases[1]");
        }
        assertArrayEquals(new double[4 * n], bhh, "Wolfram's one bias is bias_ih; bias_hh is zero");

        // two steps of Wolfram's equations, from s_0 = c_0 = 0
        double[][] xs = {{0.5, -1.0, 2.0}, {-0.25, 0.75, 1.5}};
        double[] s = new double[n];
        double[] c = new double[n];
        double[] expected = new double[2 * n];
        for (int t = 0; t < 2; t++) {
            double[][] z = new double[4][n];
            for (int g = 0; g < 4; g++) {
                for (int r = 0; r < n; r++) {
                    z[g][r] = bias[g][r];
                    for (int j = 0; j < k; j++) {
                        z[g][r] += wx[g][r][j] * xs[t][j];
                    }
                    for (int j = 0; j < n; j++) {
                        z[g][r] += ws[g][r][j] * s[j];
                    }
                }
            }
            for (int r = 0; r < n; r++) {
                double i = sigmoid(z[0][r]);
                double o = sigmoid(z[1][r]);
                double f = sigmoid(z[2][r]);
                double mem = Math.tanh(z[3][r]);
                c[r] = f * c[r] + i * mem;
                s[r] = o * Math.tanh(c[r]);
                expected[t * n + r] = s[r];
            }
        }
        ForwardPass<float[]> pass = m.lstm().forward(Precision.F32.fromDoubles(new double[] {0.5, -1.0, 2.0, -0.25,
            0.75, 1.5}), 2, 1, null, null, null);
        Close.assertClose("Wolfram's equations", expected, Close.toDoubles(pass.output()), 1e-6);
    }

    @Test
    void noBiasesBidirectionalAndStackedLayersRoundTrip() throws IOException {
        LstmConfig cfg = LstmConfig.of(2, 3).withNumLayers(2).withBidirectional(true).withBias(false);
        float[] p = new float[new LstmLayout(cfg).size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.sin(i * 0.7) / 2;
        }
        ModelContents c = new ModelContents(ModelFormat.SAFETENSORS, cfg, p, null, null, 0, java.util.Map.of());
        byte[] json = WolframLstmJson.write(c);
        JsonNode tree = JSON.readTree(json);
        assertNull(tree.at("/layers/0").get("InputGateBiases"), "bias=false: no *Biases arrays");
        assertEquals(6, tree.at("/layers/1/Backward/ForgetGateInputWeights/0").size(), "layer 1 reads D·n = 6");
        ModelContents back = WolframLstmJson.read(json, "b.json");
        assertEquals(cfg, back.config());
        assertArrayEquals(p, back.params());
    }

    @Test
    void malformedFilesAreRefusedNamingTheArray() throws IOException {
        ModelContents c = new ModelContents(ModelFormat.SAFETENSORS, LstmConfig.of(2, 2), new float[48], null, null, 0,
                java.util.Map.of());
        String valid = new String(WolframLstmJson.write(c), StandardCharsets.UTF_8);
        ObjectNode base = (ObjectNode) JSON.readTree(valid);
        record Case(String json, String message) {}
        ObjectNode wrongRows = base.deepCopy();
        ((ArrayNode) wrongRows.at("/layers/0/ForgetGateStateWeights")).remove(1);
        ObjectNode wrongCols = base.deepCopy();
        ((ArrayNode) wrongCols.at("/layers/0/MemoryGateInputWeights/1")).add(1.0);
        ObjectNode missing = base.deepCopy();
        ((ObjectNode) missing.at("/layers/0")).remove("OutputGateBiases");
        ObjectNode unknown = base.deepCopy();
        ((ObjectNode) unknown.at("/layers/0")).put("PeepholeWeights", 1);
        ObjectNode text = base.deepCopy();
        ((ArrayNode) text.at("/layers/0/InputGateBiases")).set(0, JSON.getNodeFactory().textNode("0.5"));
        ObjectNode huge = base.deepCopy();
        ((ArrayNode) huge.at("/layers/0/InputGateBiases")).set(0, JSON.getNodeFactory().numberNode(
                new java.math.BigDecimal("1e39")));
        ObjectNode noFormat = base.deepCopy();
        noFormat.remove("format");
        // a crafted file: a million empty rows claim n = 10^6 (10^12 weights) but hold no numbers
        String emptyRows = "{\"format\":\"wolfram-lstm\",\"layers\":[{\"InputGateInputWeights\":[[1.0]],"
                + "\"InputGateStateWeights\":[" + "[],".repeat(999_999) + "[]]}]}";
        for (Case k : List.of(
                new Case(wrongRows.toString(), "layers[0].ForgetGateStateWeights has 1 rows, expected shape 2×2"),
                new Case(wrongCols.toString(), "layers[0].MemoryGateInputWeights[1] must be a row of 2 numbers"),
                new Case(missing.toString(), "layers[0] has no array \"OutputGateBiases\""),
                new Case(unknown.toString(), "unknown key 'PeepholeWeights'"),
                new Case(text.toString(), "layers[0].InputGateBiases[0] must be a number, got \"0.5\""),
                new Case(huge.toString(), "layers[0].InputGateBiases[0] = 1E+39 is outside float32's range"),
                new Case(noFormat.toString(), "its \"format\" is missing"),
                new Case(valid.replace("\"format\"", "\"format\":\"wolfram-lstm\",\"format\""), "Duplicate field"),
                new Case(valid.substring(0, valid.length() / 2), "not valid JSON"),
                new Case(emptyRows, "InputGateInputWeights has 1 rows, expected shape 1000000×1"))) {
            SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                    () -> LstmModelFile.read(k.json().getBytes(StandardCharsets.UTF_8), "bad.json"), k.message());
            assertTrue(e.getMessage().startsWith("bad.json: "), e.getMessage());
            if (!e.getMessage().contains(k.message())) {
                fail("expected '" + k.message() + "' in: " + e.getMessage());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> WolframLstmJson.write(new ModelContents(
                ModelFormat.SAFETENSORS, LstmConfig.of(1, 1), new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0}, null, null, 0, java.util.Map.of())), "JSON has no NaN");
    }

    /** Random edits of a valid file: each loads or is refused with the loader's own exception, nothing else. */
    @Test
    void randomEditsLoadOrAreRefusedWithTheLoadersException() throws IOException {
        byte[] valid = WolframLstmJson.write(LstmModelFile.readContents(Files.readAllBytes(
                Path.of("src/test/resources/golden/train/sine_next_step.safetensors")), "sine"));
        String alphabet = "{}[]\",:0123456789.-eE tnrufalsBackwardGateWeights\\\u0000\u00e9";
        java.util.Random random = new java.util.Random(4);
        int loaded = 0;
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] b = valid.clone();
            for (int k = 1 + random.nextInt(3); k > 0; k--) {
                b[random.nextInt(b.length)] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
            }
            try {
                LstmModelFile.read(b, "edited.json");
                loaded++;
            } catch (SafetensorsFormatException e) {
                assertTrue(e.getMessage().startsWith("edited.json: "), e.getMessage());
                refused++;
            } catch (Throwable t) {
                throw new AssertionError("the loader threw " + t + " on edit " + i, t);
            }
        }
        assertTrue(loaded > 100 && refused > 100, "edits of numbers load, edits of structure are refused: "
                + loaded + " loaded, " + refused + " refused");
    }

    @Test
    void aWolframFileIsReadThroughTheSizeLimitedPathAsEveryModelFile() throws IOException {
        ModelContents c = new ModelContents(ModelFormat.SAFETENSORS, LstmConfig.of(2, 2), new float[48], null, null, 0,
                java.util.Map.of(LstmModelFile.VERSION_KEY, "w1"));
        byte[] json = WolframLstmJson.write(c);
        Path p = Files.write(tmp.resolve("model.bin"), json);   // the name says nothing
        assertEquals("w1", LstmModelFile.read(p, json.length).version());
        assertArrayEquals(json, LstmModelFile.readBytes(p, json.length));
        FileTooLargeException e = assertThrows(FileTooLargeException.class,
                () -> LstmModelFile.readBytes(p, json.length - 1));
        assertEquals(json.length, e.size());
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
