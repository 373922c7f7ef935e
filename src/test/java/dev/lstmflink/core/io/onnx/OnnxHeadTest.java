package dev.lstmflink.core.io.onnx;

import static dev.lstmflink.core.io.onnx.OnnxLstmTest.data;
import static dev.lstmflink.core.io.onnx.OnnxLstmTest.floats;
import static dev.lstmflink.core.io.onnx.OnnxLstmTest.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An {@code nn.Linear} exported after an {@code nn.LSTM} ({@code head(lstm(x)[0])}, {@code models/onnx/
 * make_onnx_models.py}) is read as the model's head and gives PyTorch's outputs; computations the core does not do
 * (before or after the head, on {@code h_n}, a non-zero constant initial state) are refused naming the node; a zero or
 * runtime initial state is accepted.
 */
class OnnxHeadTest {

    private static final Path DIR = Path.of("src/test/resources/models/onnx");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Through the format-detecting reader, as the jobs load models: LSTM, then the head on every step's output. */
    @ParameterizedTest
    @CsvSource({"head_2layer_batch_first, head_2layer_batch_first", "head_no_bias, head_no_bias",
        "head_gemm_unbatched, head_gemm_unbatched",
            "head_gemm_transb0, head_gemm_unbatched"})
    void headOutputsArePyTorchs(String file, String expectedName) throws Exception {
        JsonNode e = JSON.readTree(DIR.resolve(expectedName + ".expected.json").toFile());
        JsonNode c = e.path("config");
        LstmModel model = LstmModelFile.read(DIR.resolve(file + ".onnx"));
        LstmConfig config = model.lstm().config();
        assertEquals(c.path("num_layers").intValue(), config.numLayers(), file);
        assertEquals(c.path("bidirectional").booleanValue(), config.bidirectional(), file);
        LinearHead head = model.head();
        assertNotNull(head, file);
        assertEquals(c.path("head_in").intValue(), head.inFeatures(), file);
        assertEquals(c.path("head_out").intValue(), head.outFeatures(), file);
        assertEquals(c.path("head_bias").booleanValue(), head.bias() != null, file);

        // the module's input as [T, B, I]: batch_first modules take [B, T, I], unbatched ones [T, I]
        int[] s = shape(e.path("input"));
        boolean batchFirst = c.path("batch_first").booleanValue();
        int t = s.length == 2 ? s[0] : batchFirst ? s[1] : s[0];
        int b = s.length == 2 ? 1 : batchFirst ? s[0] : s[1];
        double[] x = timeMajor(data(e.path("input")), batchFirst && s.length == 3, t, b, config.inputSize());
        float[] in = floats(config.batchFirst() ? batchMajor(x, t, b, config.inputSize()) : x);
        ForwardPass<float[]> pass = model.lstm().forward(in, t, b, null, null, null);
        double[] y = Close.toDoubles(pass.output());
        int hout = config.outputSize();
        if (config.batchFirst()) {
            y = timeMajor(y, true, t, b, hout);
        }
        Close.assertClose(file + " lstm output",
                timeMajor(data(e.path("lstm_output")), batchFirst, t, b, hout), y, 1e-5);

        int k = head.outFeatures();
        float[] out = new float[t * b * k];
        float[] yf = floats(y);
        for (int r = 0; r < t * b; r++) {
            head.apply(yf, r * hout, out, r * k);
        }
        Close.assertClose(file + " head output", timeMajor(data(e.path("head_output")), batchFirst, t, b, k),
                Close.toDoubles(out), 1e-5);
    }

    /**
     * A head on a bidirectional LSTM reads both directions' output [2H], which a model's head (one forward LSTM's h_t)
     * cannot hold: refused. The head itself is read right (the exporter's Transpose + Reshape joins the directions in
     * PyTorch's order): applied to PyTorch's LSTM output it gives PyTorch's head output.
     */
    @Test
    void headOnBidirectionalLstmIsReadButRefused() throws Exception {
        byte[] bytes = Files.readAllBytes(DIR.resolve("head_bidir.onnx"));
        OnnxFormatException ex = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(bytes, "bidir"));
        assertTrue(ex.getMessage().startsWith("bidir: LSTM node '/lstm/LSTM' is bidirectional and has a Linear head "
                + "on both directions' output [8]"), ex.getMessage());

        JsonNode e = JSON.readTree(DIR.resolve("head_bidir.expected.json").toFile());
        OnnxGraph graph = OnnxGraph.parse(bytes, "bidir");
        OnnxGraph.Node lstm = graph.nodes.stream().filter(n -> n.opType().equals("LSTM")).reduce((a, b) -> b)
                .orElseThrow();
        LinearHead head = OnnxHead.read(graph, graph.constants(), lstm, 8, "bidir");
        assertEquals(3, head.outFeatures());
        float[] y = floats(data(e.path("lstm_output")));   // [T, B, 2H]
        int rows = y.length / 8;
        float[] out = new float[rows * 3];
        for (int r = 0; r < rows; r++) {
            head.apply(y, r * 8, out, r * 3);
        }
        Close.assertClose("bidirectional head output", data(e.path("head_output")), Close.toDoubles(out), 1e-5);
    }

    /** Gemm with transB=0 stores W transposed; the head read from it is the transB=1 one, bit for bit. */
    @Test
    void gemmTransBZeroIsTheTransposedWeight() throws Exception {
        LinearHead plain = read("head_gemm_unbatched").head();
        LinearHead transposed = read("head_gemm_transb0").head();
        assertArrayEquals(plain.weight(), transposed.weight());
        assertArrayEquals(plain.bias(), transposed.bias());
    }

    /** Constant zeros and a graph input as initial_h/initial_c: the same model as the exporter's own zero state. */
    @ParameterizedTest
    @ValueSource(strings = {"initial_state_zero", "initial_h_graph_input"})
    void zeroOrRuntimeInitialStateIsAccepted(String file) throws Exception {
        LstmModel plain = read("single_layer");
        LstmModel edited = read(file);
        assertEquals(plain.lstm().config(), edited.lstm().config());
        assertArrayEquals(plain.lstm().params(), edited.lstm().params());
        assertNull(edited.head());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "refused_head_then_sigmoid | node '/1/Sigmoid' (Sigmoid) reads '/0/head/Add_output_0', the result of the "
                + "Linear head '/0/head/MatMul' (MatMul)",
        "refused_relu_before_head | node '/head/head.0/Relu' (Relu) computes on the output Y of LSTM node "
                + "'/lstm/LSTM' before any Linear head",
        "refused_head_on_h_n | node '/Gather' (Gather) computes on the final state Y_h of LSTM node '/lstm/LSTM'",
        "refused_initial_h_nonzero | LSTM node '/LSTM': input initial_h ('h0_const') holds non-zero values "
                + "(index 0: 0.25)",
        "refused_learned_h0 | LSTM node '/lstm/LSTM': input initial_h ('/lstm/Slice_output_0') is computed from "
                + "constant 'h0', which holds non-zero values"})
    void computationsTheCoreLacksAreRefusedNamingTheNode(String file, String expected) throws Exception {
        byte[] bytes = Files.readAllBytes(DIR.resolve(file + ".onnx"));
        OnnxFormatException ex = assertThrows(OnnxFormatException.class, () -> OnnxLstm.read(bytes, file));
        assertTrue(ex.getMessage().startsWith(file + ": ") && ex.getMessage().contains(expected), ex.getMessage());
    }

    private static LstmModel read(String file) throws Exception {
        return OnnxLstm.read(Files.readAllBytes(DIR.resolve(file + ".onnx")), file);
    }

    /** {@code [B, T, n]} → {@code [T, B, n]} when {@code batchFirst}, else a copy. */
    private static double[] timeMajor(double[] v, boolean batchFirst, int t, int b, int n) {
        if (!batchFirst) {
            return v.clone();
        }
        double[] out = new double[v.length];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(v, (j * t + i) * n, out, (i * b + j) * n, n);
            }
        }
        return out;
    }

    /** {@code [T, B, n]} → {@code [B, T, n]}. */
    private static double[] batchMajor(double[] v, int t, int b, int n) {
        double[] out = new double[v.length];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(v, (i * b + j) * n, out, (j * t + i) * n, n);
            }
        }
        return out;
    }
}
