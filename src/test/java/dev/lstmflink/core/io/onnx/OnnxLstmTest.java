package dev.lstmflink.core.io.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by {@code torch.onnx.export} ({@code models/onnx/make_onnx_models.py}) give the outputs PyTorch
 * computed for the same module, within golden/FORMAT.md's float32 tolerance; ONNX options the core lacks are refused
 * with the node and the value named.
 */
class OnnxLstmTest {

    private static final Path DIR = Path.of("src/test/resources/models/onnx");
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @CsvSource({"single_layer, single_layer", "bidir_2layer, bidir_2layer", "no_bias_3layer, no_bias_3layer",
            "single_layer_float_data, single_layer"})
    void exportedModelGivesPyTorchsOutputs(String file, String expectedName) throws Exception {
        JsonNode e = JSON.readTree(DIR.resolve(expectedName + ".expected.json").toFile());
        LstmModel model = OnnxLstm.read(Files.readAllBytes(DIR.resolve(file + ".onnx")), file);
        JsonNode c = e.path("config");
        LstmConfig expectedConfig = new LstmConfig(c.path("input_size").intValue(), c.path("hidden_size").intValue(),
                c.path("num_layers").intValue(), c.path("bias").booleanValue(), false, 0.0,
                c.path("bidirectional").booleanValue(), 0);
        assertEquals(expectedConfig, model.lstm().config());
        assertNull(model.head());
        assertEquals("onnx", model.metadata().get("format"));
        assertTrue(model.metadata().get("onnx_producer").startsWith("pytorch"), model.metadata().toString());
        check(model.lstm(), e, file);
    }

    /** float_data and raw_data hold the same values: the same parameters, bit for bit. */
    @Test
    void floatDataAndRawDataReadAlike() throws Exception {
        LstmModel raw = OnnxLstm.read(Files.readAllBytes(DIR.resolve("single_layer.onnx")), "raw");
        LstmModel typed = OnnxLstm.read(Files.readAllBytes(DIR.resolve("single_layer_float_data.onnx")), "typed");
        assertArrayEquals(raw.lstm().params(), typed.lstm().params());
    }

    /** layout=1 is batch-first: same weights, input read as [B, T, I]. */
    @Test
    void layoutOneIsBatchFirst() throws Exception {
        JsonNode e = JSON.readTree(DIR.resolve("single_layer.expected.json").toFile());
        LstmModel model = OnnxLstm.read(Files.readAllBytes(DIR.resolve("single_layer_layout1.onnx")), "l1");
        assertTrue(model.lstm().config().batchFirst());
        int[] s = shape(e.path("input"));
        double[] x = data(e.path("input"));
        double[] xb = new double[x.length];
        for (int t = 0; t < s[0]; t++) {
            for (int b = 0; b < s[1]; b++) {
                System.arraycopy(x, (t * s[1] + b) * s[2], xb, (b * s[0] + t) * s[2], s[2]);
            }
        }
        ForwardPass<float[]> pass = model.lstm().forward(floats(xb), s[0], s[1], null, null, null);
        double[] out = Close.toDoubles(pass.output());
        double[] expected = data(e.path("output"));
        int h = shape(e.path("output"))[2];
        double[] expectedBatchFirst = new double[expected.length];
        for (int t = 0; t < s[0]; t++) {
            for (int b = 0; b < s[1]; b++) {
                System.arraycopy(expected, (t * s[1] + b) * h, expectedBatchFirst, (b * s[0] + t) * h, h);
            }
        }
        Close.assertClose("batch-first output", expectedBatchFirst, out, 1e-5);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "refused_activations | activations=[Sigmoid, Relu, Tanh]",
        "refused_hard_sigmoid_onnx_default | HardSigmoid with alpha=0.2",
        "refused_clip | clip=3.0",
        "refused_input_forget | input_forget=1",
        "refused_peepholes | peephole weights P ('peepholes')"})
    void unsupportedOptionsAreRefusedNamingThem(String file, String expected) throws Exception {
        byte[] bytes = Files.readAllBytes(DIR.resolve(file + ".onnx"));
        OnnxFormatException ex = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(bytes, file));
        assertTrue(ex.getMessage().startsWith(file + ": LSTM node '") && ex.getMessage().contains(expected),
                ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 100, 1000, 2000})
    void truncatedFilesFailWithAMessage(int length) throws Exception {
        byte[] bytes = Files.readAllBytes(DIR.resolve("bidir_2layer.onnx"));
        byte[] cut = Arrays.copyOf(bytes, Math.min(length, bytes.length - 1));
        OnnxFormatException ex = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(cut, "cut"));
        assertTrue(ex.getMessage().startsWith("cut: "), ex.getMessage());
    }

    @Test
    void aFileWithoutLstmIsRefused() throws Exception {
        byte[] safetensors = Files.readAllBytes(Path.of("src/test/resources/golden/lstm/a_single_layer.safetensors"));
        OnnxFormatException ex = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(safetensors, "st"));
        assertTrue(ex.getMessage().startsWith("st: "), ex.getMessage());
    }

    private static void check(Lstm<float[]> lstm, JsonNode e, String what) {
        int[] s = shape(e.path("input"));
        ForwardPass<float[]> pass = lstm.forward(floats(data(e.path("input"))), s[0], s[1], null, null, null);
        Close.assertClose(what + " output", data(e.path("output")), Close.toDoubles(pass.output()), 1e-5);
        Close.assertClose(what + " h_n", data(e.path("h_n")), Close.toDoubles(pass.hN()), 1e-5);
        Close.assertClose(what + " c_n", data(e.path("c_n")), Close.toDoubles(pass.cN()), 1e-5);
    }

    /** Shared with {@link OnnxHeadTest}: the fixtures' JSON arrays. */
    static int[] shape(JsonNode t) {
        JsonNode s = t.path("shape");
        int[] out = new int[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).intValue();
        }
        return out;
    }

    static double[] data(JsonNode t) {
        JsonNode d = t.path("data");
        double[] v = new double[d.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.get(i).doubleValue();
        }
        return v;
    }

    static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "activations_relu_cell | SIGMOID | RELU",
        "activations_hard_sigmoid_gates | HARD_SIGMOID | TANH",
        "activations_linear_cell | SIGMOID | LINEAR"})
    void activationsTheCoreHasReachTheConfigWithTheSameWeights(String file, Activation gates, Activation cell)
            throws Exception {
        LstmModel plain = OnnxLstm.read(Files.readAllBytes(DIR.resolve("single_layer.onnx")), "single_layer");
        LstmModel edited = OnnxLstm.read(Files.readAllBytes(DIR.resolve(file + ".onnx")), file);
        LstmConfig c = edited.lstm().config();
        assertEquals(gates, c.recurrentActivation(), file);
        assertEquals(cell, c.activation(), file);
        assertEquals(plain.lstm().config().withRecurrentActivation(gates).withActivation(cell), c, file);
        assertArrayEquals(plain.lstm().params(), edited.lstm().params(), file);
    }
}
