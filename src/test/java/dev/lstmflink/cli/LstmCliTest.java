package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.io.LstmConfigJson;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.ModelContents;
import dev.lstmflink.core.io.WolframLstmJson;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.ForwardPass;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The {@code lstm} command line tool: forward against PyTorch's golden values, inspect, errors, and jobs/lstm. */
class LstmCliTest {

    private static final Path GOLDEN = Path.of("src/test/resources/golden/lstm");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** One run of the tool through picocli, as {@code main} does it but without exiting. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new LstmCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    // ---------------------------------------------------------------- forward

    @Test
    void forwardMatchesPyTorchOnStreamingCase() throws IOException {
        JsonNode c = golden("i_streaming");
        Path in = writeInput(c, 0, "x0,x1\n");   // with a header line, which must be skipped
        Path out = tmp.resolve("out.csv");
        Path state = tmp.resolve("state.csv");
        Run r = run("forward", "--model", model("i_streaming"), "--input", in.toString(), "--output", out.toString(),
                "--state-out", state.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals("", r.err());

        int t = c.at("/input/shape/0").asInt();
        List<double[]> rows = readCsv(out);
        assertEquals(t, rows.size(), "one output row per input row");
        assertClose("output", flatten(rows), doubles(c.at("/expected/output/data")), 1e-5);

        Map<String, List<double[]>> s = readState(state);
        assertEquals(1, s.get("h_n").size());
        assertClose("h_n", s.get("h_n").get(0), doubles(c.at("/expected/h_n/data")), 1e-5);
        assertClose("c_n", s.get("c_n").get(0), doubles(c.at("/expected/c_n/data")), 1e-5);
    }

    @Test
    void float64MatchesPyTorchToDoublePrecision() throws IOException {
        JsonNode c = golden("i_streaming");
        Path in = writeInput(c, 0, "");
        Path out = tmp.resolve("out.csv");
        Run r = run("forward", "--model", model("i_streaming"), "--input", in.toString(), "--output", out.toString(),
                "--precision", "f64");
        assertEquals(0, r.code(), r.err());
        // float32 output would miss this by ~1e-8; the params are float32 values, exact in both files.
        assertClose("output", flatten(readCsv(out)), doubles(c.at("/expected/output/data")), 1e-10);
    }

    /**
     * Multi-layer, bidirectional, projected and batch-first models on batch element 0 of the golden input, against
     * a float64 forward pass of the library on that one sequence from zero state (the golden cases have h0/c0).
     */
    @ParameterizedTest
    @ValueSource(strings = {"d_three_layers", "f_bidirectional_2layer", "g2_projection_bidir_2layer",
        "e_batch_first"})
    void forwardMatchesLibraryOnOneSequence(String name) throws IOException {
        JsonNode c = golden(name);
        Path in = writeInput(c, 0, "");
        Path out = tmp.resolve("out.csv");
        Path state = tmp.resolve("state.csv");
        Run r = run("forward", "--model", model(name), "--input", in.toString(), "--output", out.toString(),
                "--state-out", state.toString());
        assertEquals(0, r.code(), r.err());

        LstmSafetensors.Loaded loaded = LstmSafetensors.read(GOLDEN.resolve(name + ".safetensors"));
        LstmConfig cfg = loaded.config();
        List<double[]> inputRows = readCsv(in);
        ForwardPass<double[]> ref = loaded.f64().forward(flatten(inputRows), inputRows.size(), 1, null, null, null);

        List<double[]> rows = readCsv(out);
        assertEquals(inputRows.size(), rows.size());
        assertEquals(cfg.numDirections() * cfg.outputSize(), rows.get(0).length, "output columns");
        assertClose("output", flatten(rows), ref.output(), 1e-5);

        Map<String, List<double[]>> s = readState(state);
        int cells = cfg.numLayers() * cfg.numDirections();
        assertEquals(cells, s.get("h_n").size());
        assertEquals(cells, s.get("c_n").size());
        assertEquals(cfg.outputSize(), s.get("h_n").get(0).length, "h_n has H_out values per row");
        assertEquals(cfg.hiddenSize(), s.get("c_n").get(0).length, "c_n has H values per row");
        assertClose("h_n", flatten(s.get("h_n")), ref.hN(), 1e-5);
        assertClose("c_n", flatten(s.get("c_n")), ref.cN(), 1e-5);
    }

    // ---------------------------------------------------------------- inspect

    @Test
    void inspectPrintsConfigTensorsAndParameterCount() throws IOException {
        String name = "g2_projection_bidir_2layer";
        Run r = run("inspect", model(name));
        assertEquals(0, r.code(), r.err());
        LstmConfig cfg = LstmSafetensors.read(GOLDEN.resolve(name + ".safetensors")).config();
        assertTrue(r.out().contains(LstmConfigJson.toJson(cfg)), r.out());
        assertTrue(r.out().contains("2-layer bidirectional LSTM: input_size 3, hidden_size 6, h projected to "
                + "proj_size 3"), r.out());
        assertTrue(r.out().contains("prefix: \"\""), r.out());
        JsonNode params = golden(name).get("params");
        long count = 0;
        int tensors = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            List<String> dims = new ArrayList<>();
            p.getValue().get("shape").forEach(d -> dims.add(d.asText()));
            String line = "(?m)^\\s+" + Pattern.quote(p.getKey()) + "\\s+F32\\s+"
                    + Pattern.quote("[" + String.join(", ", dims) + "]") + "\\s.*lstm$";
            assertTrue(Pattern.compile(line).matcher(r.out()).find(), "no line for " + p.getKey() + ":\n" + r.out());
            count += p.getValue().get("data").size();
            tensors++;
        }
        assertEquals(20, tensors);
        assertTrue(r.out().contains("tensors (20):"), r.out());
        assertTrue(r.out().contains("parameters: " + count + " in the LSTM, " + count + " in the file"), r.out());
        assertTrue(r.out().contains("case = " + name), "metadata:\n" + r.out());
    }

    @Test
    void inspectShowsOtherTensorsAndThePrefix() {
        Run r = run("inspect", "src/test/resources/golden/train/sine_next_step.safetensors");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prefix: \"lstm.\""), r.out());
        assertTrue(Pattern.compile("(?m)^\\s+head\\.weight\\s+F32\\s+\\[1, 8\\]\\s+8\\s+other$").matcher(r.out()).find(),
                r.out());
        // LSTM(1, 8): 4·8·(1 + 8) weights + 2·32 biases = 352; head 8 + 1.
        assertTrue(r.out().contains("parameters: 352 in the LSTM, 361 in the file (9 in other tensors)"), r.out());
    }

    // ---------------------------------------------------------------- other formats

    /** The same golden model as wolfram-lstm JSON in a file named .bin: forward matches PyTorch, f32 and f64. */
    @ParameterizedTest
    @ValueSource(strings = {"f32", "f64"})
    void forwardReadsWolframJsonChosenByContent(String precision) throws IOException {
        JsonNode c = golden("i_streaming");
        Path json = Files.write(tmp.resolve("model.bin"), WolframLstmJson.write(LstmModelFile.readContents(
                Files.readAllBytes(GOLDEN.resolve("i_streaming.safetensors")), "golden")));
        Path in = writeInput(c, 0, "");
        Path out = tmp.resolve("out.csv");
        Run r = run("forward", "--model", json.toString(), "--input", in.toString(), "--output", out.toString(),
                "--precision", precision);
        assertEquals(0, r.code(), r.err());
        // Wolfram's one bias per gate is bias_ih + bias_hh rounded to float32: float32 tolerance in both precisions
        assertClose("output", flatten(readCsv(out)), doubles(c.at("/expected/output/data")), 1e-5);
    }

    @Test
    void forwardAndInspectReadHalfPrecision() throws IOException {
        Path half = Path.of("src/test/resources/models/half/lstm_f16.safetensors");
        Path in = write("seq.csv", "0.5,-1,2\n0.25,0.5,-0.75\n");
        Path out = tmp.resolve("out.csv");
        Run r = run("forward", "--model", half.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(2, readCsv(out).size());
        Run i = run("inspect", half.toString());
        assertEquals(0, i.code(), i.err());
        assertTrue(Pattern.compile("(?m)^\\s+lstm\\.weight_ih_l1\\s+F16\\s+\\[16, 4\\]\\s+64\\s+lstm$")
                .matcher(i.out()).find(), i.out());
        assertTrue(Pattern.compile("(?m)^\\s+head\\.weight\\s+F16\\s+\\[2, 4\\]\\s+8\\s+other$")
                .matcher(i.out()).find(), i.out());
    }

    /** Every array under its PyTorch, Keras and Wolfram names, like Keras' summary(). */
    @Test
    void inspectNamesEveryArrayInPyTorchKerasAndWolframTerms() throws IOException {
        Run r = run("inspect", model("f_bidirectional_2layer"));
        assertEquals(0, r.code(), r.err());
        String o = r.out();
        assertTrue(o.contains("format: safetensors"), o);
        // I=3, H=5, bidirectional, 2 layers: layer 1 reads 2·5 = 10 inputs
        for (String line : new String[] {
            "weight_ih_l0 [20, 3] 60 bidirectional/forward_lstm/kernel [3, 20] (transposed) "
                    + "layers[0].{Input,Forget,Memory,Output}GateInputWeights 4 x [5, 3]",
            "weight_hh_l0_reverse [20, 5] 100 bidirectional/backward_lstm/recurrent_kernel [5, 20] (transposed) "
                    + "layers[0].Backward.{Input,Forget,Memory,Output}GateStateWeights 4 x [5, 5]",
            "weight_ih_l1 [20, 10] 200 bidirectional_1/forward_lstm_1/kernel [10, 20] (transposed) "
                    + "layers[1].{Input,Forget,Memory,Output}GateInputWeights 4 x [5, 10]",
            "bias_ih_l1_reverse [20] 20 bidirectional_1/backward_lstm_1/bias [20] = bias_ih + bias_hh "
                    + "layers[1].Backward.{Input,Forget,Memory,Output}GateBiases 4 x [5] = bias_ih + bias_hh"}) {
            assertTrue(squeezed(o).contains(line), "no line '" + line + "' in:\n" + o);
        }
        // 4 cells x (4·5·(3 or 10) + 4·5·5 + 2·4·5): 2·(60+100+40) + 2·(200+100+40) = 1080; one bias: 4 x 20 fewer
        assertTrue(o.contains("parameters: 1080 in the LSTM, 1080 in the file (0 in other tensors); Keras and Wolfram "
                + "count 80 fewer (one bias per gate)"), o);
        assertTrue(o.contains("normalization: none"), o);
    }

    @Test
    void inspectReadsWolframJsonWithHeadAndNormalization() throws IOException {
        Path st = Path.of("src/test/resources/golden/train/sine_next_step.safetensors");
        ModelContents c = LstmModelFile.readContents(Files.readAllBytes(st), st.toString());
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("normalization", "{\"mean\": [0.5], \"std\": [2.0]}");
        ModelContents withNorm = new ModelContents(c.format(), c.config(), c.params(), c.headWeight(), c.headBias(),
                c.headOut(), meta);
        Path json = Files.write(tmp.resolve("sine.json"), WolframLstmJson.write(withNorm));
        Run r = run("inspect", json.toString());
        assertEquals(0, r.code(), r.err());
        String o = r.out();
        assertTrue(o.contains("format: wolfram-lstm JSON"), o);
        assertTrue(o.contains("1-layer unidirectional LSTM: input_size 1, hidden_size 8"), o);
        for (String line : new String[] {
            "lstm.weight_ih_l0 [32, 1] 32 lstm/kernel [1, 32] (transposed) "
                    + "layers[0].{Input,Forget,Memory,Output}GateInputWeights 4 x [8, 1]",
            "lstm.bias_hh_l0 [32] 32 (in lstm/bias) (in layers[0].*GateBiases)",
            "head.weight [1, 8] 8 dense/kernel [8, 1] (transposed) head.Weights [1, 8]",
            "head.bias [1] 1 dense/bias [1] head.Biases [1]"}) {
            assertTrue(squeezed(o).contains(line), "no line '" + line + "' in:\n" + o);
        }
        assertTrue(o.contains("normalization: x_norm = (x - mean) / std per input column: {\"mean\": [0.5], "
                + "\"std\": [2.0]}"), o);
        // Wolfram's biases land in bias_ih (bias_hh zero), so the PyTorch count is unchanged: 352 + 9
        assertTrue(o.contains("parameters: 352 in the LSTM, 361 in the file (9 in the head); Keras and Wolfram count "
                + "32 fewer (one bias per gate)"), o);
    }

    @Test
    void aFileOfNoKnownFormatIsRefusedNamingTheFormats() throws IOException {
        Path bad = write("model.onnx", "\u0007garbage that is no model at all");
        for (String cmd : new String[] {"inspect", "forward"}) {
            Run r = cmd.equals("inspect") ? run("inspect", bad.toString())
                    : run("forward", "--model", bad.toString(), "--input", write("s.csv", "1\n").toString(),
                            "--output", tmp.resolve("o.csv").toString());
            assertEquals(2, r.code());
            assertTrue(r.err().contains(bad + ": not a model file of a known format. Known: safetensors")
                    && r.err().contains("wolfram-lstm JSON"), r.err());
            assertNoStackTrace(r);
        }
    }

    /** Runs of spaces as one, so that table lines compare whatever the column widths. */
    private static String squeezed(String s) {
        return s.replaceAll("[ ]+", " ");
    }

    // ---------------------------------------------------------------- embedding front end

    private static final Path EMBEDDING = Path.of("src/test/resources/models/embedding");

    /**
     * Models with an embedding (PyTorch's fixtures, see make_embedding_fixtures.py): batch element 0 as CSV of m
     * numeric values then k ids per row; the output and final state are PyTorch's for that element, float32 within
     * 1e-5 and float64 within 1e-10.
     */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "padding_negative", "max_norm_p2", "max_norm_p1", "two_ids", "ids_only",
        "two_layers"})
    void forwardWithEmbeddingMatchesPyTorch(String name) throws IOException {
        JsonNode c = JSON.readTree(EMBEDDING.resolve(name + ".expected.json").toFile());
        int batch = c.at("/values/shape/0").asInt();
        int t = c.at("/values/shape/1").asInt();
        int m = c.get("numeric").asInt();
        int k = c.get("ids_per_step").asInt();
        double[] v = doubles(c.at("/values/data"));
        JsonNode ids = c.at("/ids/data");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < m + k; i++) {
            csv.append(i == 0 ? "" : ",").append(i < m ? "v" + i : "id" + (i - m));
        }
        csv.append('\n');
        for (int s = 0; s < t; s++) {   // element b = 0 of [B,T,·]
            List<String> cells = new ArrayList<>();
            for (int i = 0; i < m; i++) {
                cells.add(Double.toString(v[s * m + i]));
            }
            for (int j = 0; j < k; j++) {
                cells.add(Integer.toString(ids.get(s * k + j).asInt()));
            }
            csv.append(String.join(",", cells)).append('\n');
        }
        Path in = write("seq.csv", csv.toString());
        String model = EMBEDDING.resolve(name + ".safetensors").toString();
        double[] out = doubles(c.at("/lstm_output/data"));
        int h = c.at("/lstm_output/shape/2").asInt();
        int layers = c.at("/h_n/shape/0").asInt();
        double[] hN = doubles(c.at("/h_n/data"));
        double[] cN = doubles(c.at("/c_n/data"));
        double[] expectedOut = java.util.Arrays.copyOf(out, t * h);
        double[] expectedH = new double[layers * h];
        double[] expectedC = new double[layers * h];
        for (int l = 0; l < layers; l++) {
            System.arraycopy(hN, l * batch * h, expectedH, l * h, h);
            System.arraycopy(cN, l * batch * h, expectedC, l * h, h);
        }
        for (String precision : new String[] {"f32", "f64"}) {
            double tol = precision.equals("f32") ? 1e-5 : 1e-10;
            Path o = tmp.resolve("out-" + precision + ".csv");
            Path state = tmp.resolve("state-" + precision + ".csv");
            Run r = run("forward", "--model", model, "--input", in.toString(), "--output", o.toString(),
                    "--state-out", state.toString(), "--precision", precision);
            assertEquals(0, r.code(), r.err());
            assertClose(name + " " + precision + " output", flatten(readCsv(o)), expectedOut, tol);
            Map<String, List<double[]>> st = readState(state);
            assertClose(name + " " + precision + " h_n", flatten(st.get("h_n")), expectedH, tol);
            assertClose(name + " " + precision + " c_n", flatten(st.get("c_n")), expectedC, tol);
        }
        // --prefix takes the same route through the file's embedding
        Path o = tmp.resolve("out-prefix.csv");
        Run r = run("forward", "--model", model, "--input", in.toString(), "--output", o.toString(), "--prefix",
                "lstm.");
        assertEquals(0, r.code(), r.err());
        assertClose(name + " --prefix output", flatten(readCsv(o)), expectedOut, 1e-5);
    }

    @Test
    void badIdsNameLineColumnAndValue() throws IOException {
        String model = EMBEDDING.resolve("plain.safetensors").toString();   // 2 numeric values, 1 id in [0, 7)
        String[][] cases = {
            {"v0,v1,id0\n0.5,1,3\n0.5,1,7\n", ":3, column 3: ids[0] is 7, outside [0, num_embeddings = 7)"},
            {"0.5,1,-1\n", ":1, column 3: ids[0] is -1, outside [0, num_embeddings = 7)"},
            {"0.5,1,2\n0.5,1,1.0\n", ":2, column 3: ids[0] '1.0' is not an integer; an id is a row of "
                + "embedding.weight, in [0, num_embeddings = 7)"},
            {"0.5,1, \n", ":1, column 3: ids[0] is empty; an id is a row of embedding.weight"},
            {"0.5,1,99999999999999999999\n", ":1, column 3: ids[0] is 99999999999999999999, outside "
                + "[0, num_embeddings = 7)"},
            {"0.5,1\n", ":1: expected 3 columns (2 numeric values, then 1 id of the embedding), found 2"},
            {"0.5,x,1\n", ":1, column 2: value 'x' is not a number"},
        };
        for (String[] c : cases) {
            Path in = write("ids.csv", c[0]);
            Path out = tmp.resolve("o.csv");
            Run r = run("forward", "--model", model, "--input", in.toString(), "--output", out.toString());
            assertEquals(2, r.code(), c[0]);
            assertTrue(r.err().contains(in + c[1]), c[0] + " -> " + r.err());
            assertFalse(Files.exists(out), "no output on error");
            assertNoStackTrace(r);
        }
        // ids only: every column is an id
        Path in = write("only.csv", "1,2\n3,8\n");
        Run r = run("forward", "--model", EMBEDDING.resolve("ids_only.safetensors").toString(), "--input",
                in.toString(), "--output", tmp.resolve("o.csv").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(in + ":2, column 2: ids[1] is 8, outside [0, num_embeddings = 8)"), r.err());
    }

    @Test
    void inspectShowsTheEmbedding() {
        Run r = run("inspect", EMBEDDING.resolve("padding_negative.safetensors").toString());
        assertEquals(0, r.code(), r.err());
        String o = r.out();
        assertTrue(Pattern.compile("(?m)^\\s+embedding\\.weight\\s+F32\\s+\\[6, 3\\]\\s+18\\s+embedding$")
                .matcher(o).find(), o);
        assertTrue(o.contains("embedding config: {\"num_embeddings\":6,\"embedding_dim\":3,\"padding_idx\":5,"
                + "\"max_norm\":null,\"norm_type\":2.0,\"ids_per_step\":1}"), o);
        assertTrue(o.contains("nn.Embedding(6, 3, padding_idx=5); each step: 2 numeric values then 1 id in [0, 6), "
                + "LSTM input = 2 + 1 x 3 = 5; padding row 5 is used as stored"), o);
        assertTrue(squeezed(o).contains("embedding.weight [6, 3] 18 embedding/embeddings [6, 3] embedding "
                + "EmbeddingLayer \"Weights\" [6, 3]"), o);
        // LSTM(5, 4): 4·4·(5 + 4) + 2·16 = 176; head 2 x 4 + 2 = 10; embedding 18
        assertTrue(o.contains("parameters: 176 in the LSTM, 204 in the file (28 in other tensors, of them 18 in the "
                + "embedding)"), o);

        Run p = run("inspect", EMBEDDING.resolve("max_norm_p1.safetensors").toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("nn.Embedding(7, 3, max_norm=1.5, norm_type=1.0); each step: 2 numeric values "
                + "then 1 id in [0, 7), LSTM input = 2 + 1 x 3 = 5; rows whose 1.0-norm exceeds 1.5 are rescaled to "
                + "it when looked up"), p.out());
        Run none = run("inspect", model("i_streaming"));
        assertTrue(none.out().contains("embedding: none"), none.out());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void wrongColumnCountNamesLineAndCountsAndWritesNothing() throws IOException {
        Path in = write("bad.csv", "x0,x1\n0.5,1.5\n0.25,1,2\n");
        Path out = tmp.resolve("out.csv");
        Path state = tmp.resolve("state.csv");
        Run r = runForward(in, out, "--state-out", state.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains(in + ":3: expected 2 columns (the model's input_size), found 3"), r.err());
        assertFalse(Files.exists(out), "no output file on error");
        assertFalse(Files.exists(state), "no state file on error");
        assertNoStackTrace(r);
    }

    @Test
    void nonNumericCellNamesLineColumnAndValue() throws IOException {
        Path in = write("bad.csv", "0.5,1.5\n0.25,abc\n");
        Path out = write("out.csv", "keep me\n");
        Run r = runForward(in, out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains(in + ":2, column 2: value 'abc' is not a number"), r.err());
        assertEquals("keep me\n", Files.readString(out), "an existing output is left alone on error");
        assertNoStackTrace(r);
    }

    @Test
    void nonFiniteCellIsRejected() throws IOException {
        Path in = write("bad.csv", "0.5,1.5\n-Infinity,1\n");
        Path out = tmp.resolve("out.csv");
        Run r = runForward(in, out);
        assertEquals(2, r.code());
        assertTrue(r.err().contains(in + ":2, column 1: value '-Infinity' is not a finite number"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void emptyInputIsRejected() throws IOException {
        Path in = write("empty.csv", "");
        Run r = runForward(in, tmp.resolve("out.csv"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains(in + ": no data rows (the file is empty)"), r.err());
    }

    @Test
    void missingModelFileIsAClearError() throws IOException {
        Path in = write("seq.csv", "0.5,1.5\n");
        Path missing = tmp.resolve("no-such-model.safetensors");
        Path out = tmp.resolve("out.csv");
        Run r = run("forward", "--model", missing.toString(), "--input", in.toString(), "--output", out.toString());
        assertEquals(2, r.code());
        assertEquals("lstm forward: " + missing + ": no such file", r.err().strip());
        assertFalse(Files.exists(out));
    }

    @Test
    void malformedModelFileGivesTheReadersMessage() throws IOException {
        Path bad = write("bad.safetensors", "this is not a safetensors file");
        Run r = run("inspect", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("lstm inspect: " + bad + ": "), r.err());
        assertNoStackTrace(r);
        Run verbose = run("--verbose", "inspect", bad.toString());
        assertTrue(verbose.err().contains("SafetensorsFormatException"), "--verbose prints the stack trace");
    }

    @Test
    void helpVersionAndMissingSubcommand() {
        Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("forward") && help.out().contains("inspect"), help.out());
        Run fwdHelp = run("forward", "--help");
        assertEquals(0, fwdHelp.code());
        assertTrue(fwdHelp.out().contains("--state-out"), fwdHelp.out());
        Run version = run("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("lstm-flink "), version.out());
        Run none = run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("missing subcommand"), none.err());
        Run badPrecision = run("forward", "--model", "m", "--input", "i", "--output", "o", "--precision", "f16");
        assertEquals(2, badPrecision.code());
    }

    // ---------------------------------------------------------------- jobs/lstm

    @Test
    void scriptWithoutBuildTellsToBuild() throws Exception {
        Path fakeRoot = tmp.resolve("repo");
        Files.createDirectories(fakeRoot.resolve("jobs/lib"));
        Path script = Files.copy(Path.of("jobs/lstm"), fakeRoot.resolve("jobs/lstm"));
        Files.copy(Path.of("jobs/lib/launch.sh"), fakeRoot.resolve("jobs/lib/launch.sh"));
        Process p = new ProcessBuilder("bash", script.toString(), "--help").directory(tmp.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("mvn -q package -DskipTests"), out);
    }

    // ---------------------------------------------------------------- helpers

    private Run runForward(Path in, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("forward", "--model", model("i_streaming"), "--input",
                in.toString(), "--output", out.toString()));
        args.addAll(List.of(extra));
        return run(args.toArray(new String[0]));
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
    }

    private static String model(String name) {
        return GOLDEN.resolve(name + ".safetensors").toString();
    }

    private static JsonNode golden(String name) throws IOException {
        return JSON.readTree(GOLDEN.resolve(name + ".json").toFile());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    /** Sequence {@code b} of the golden input ({@code [T,B,I]}, or {@code [B,T,I]} when batch-first) as CSV. */
    private Path writeInput(JsonNode c, int b, String header) throws IOException {
        JsonNode shape = c.at("/input/shape");
        boolean batchFirst = c.at("/config/batch_first").asBoolean();
        int t = shape.get(batchFirst ? 1 : 0).asInt();
        int batch = shape.get(batchFirst ? 0 : 1).asInt();
        int in = shape.get(2).asInt();
        double[] x = doubles(c.at("/input/data"));
        StringBuilder csv = new StringBuilder(header);
        for (int s = 0; s < t; s++) {
            int row = batchFirst ? b * t + s : s * batch + b;
            for (int i = 0; i < in; i++) {
                csv.append(i == 0 ? "" : ",").append(x[row * in + i]);
            }
            csv.append('\n');
        }
        return write("seq.csv", csv.toString());
    }

    private static List<double[]> readCsv(Path file) throws IOException {
        List<double[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            rows.add(parse(line.split(",", -1), 0));   // no header, no blank lines
        }
        return rows;
    }

    /** {@code tensor -> rows in index order}, checking the header and the indices. */
    private static Map<String, List<double[]>> readState(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals("tensor,index,values", lines.get(0));
        Map<String, List<double[]>> m = Map.of("h_n", new ArrayList<>(), "c_n", new ArrayList<>());
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            List<double[]> rows = m.get(f[0]);
            if (rows == null) {
                fail("unexpected state row: " + line);
            }
            assertEquals(rows.size(), Integer.parseInt(f[1]), "index of " + line);
            rows.add(parse(f, 2));
        }
        return m;
    }

    private static double[] parse(String[] fields, int from) {
        double[] v = new double[fields.length - from];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.parseDouble(fields[from + i]);
        }
        return v;
    }

    private static double[] flatten(List<double[]> rows) {
        return rows.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static double[] doubles(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        return v;
    }

    private static void assertClose(String what, double[] actual, double[] expected, double tol) {
        assertEquals(expected.length, actual.length, what + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            if (!(Math.abs(actual[i] - e) <= tol * (1 + Math.abs(e)))) {
                fail(what + "[" + i + "] = " + actual[i] + ", expected " + e + " (tolerance " + tol + ")");
            }
        }
    }
}
