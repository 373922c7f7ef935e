package dev.lstmflink.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.io.LstmConfigJson;
import dev.lstmflink.core.io.LstmSafetensors;
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
