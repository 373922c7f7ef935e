package dev.lstmflink.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.cli.DetectCli;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.ModelContents;
import dev.lstmflink.core.io.ModelFormat;
import dev.lstmflink.core.io.WolframLstmJson;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.jobs.detect.CsvReplay;
import dev.lstmflink.record.Detection;
import dev.lstmflink.train.data.Normalization;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The detection job's CSV replay ({@code jobs/detect --input CSV --model FILE}) with model files of every format that
 * has a fixture fit for anomaly detection (a head predicting the next step's numeric values, K = numeric inputs),
 * each under a name that says another format (issue 7, item 3):
 * <ul>
 *   <li>Keras: {@code sine_next_step.keras} (archive) and {@code sine_next_step.weights.h5}, LSTM(1 -> 8) +
 *       Dense(1);</li>
 *   <li>wolfram-lstm JSON: the same arrays written by {@link WolframLstmJson#write}, once with relu / hard_sigmoid in
 *       its config, so that the activations are ones only the file carries;</li>
 *   <li>safetensors with an embedding: {@code embedding/two_ids.safetensors}, 3 values and 2 ids per row, a head
 *       of 3.</li>
 * </ul>
 * No ONNX or F16/BF16 fixture fits: every ONNX head has K = 2 for input_size 3 (and {@code head_bidir}, K = 3, is
 * bidirectional and refused), the half-precision ones are LSTM(3) + Linear(2). The streaming operator's test
 * ({@code ModelFormatsStreamingTest}) runs those.
 *
 * <p>Each run must give one detection per row, every key's first without a prediction, and every other prediction
 * equal, within {@value #TOLERANCE}, to the core's: each key's rows as one sequence through {@link LstmModel#forward}
 * from zero state, the head on step t-1's output predicting row t, with the file's normalisation when it has one
 * (these have none: their values are used as they are).
 */
class DetectModelFormatsITCase {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    static final Path MODELS = Path.of("src/test/resources/models");
    static final String[] KEYS = {"line-a", "line-b", "line-c"};
    static final int STEPS = 30;
    static final long T0 = 1_767_225_600_000L;   // 2026-01-01T00:00:00Z
    static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /** A model file's bytes, from a fixture or made by the test. */
    interface Source {
        byte[] bytes() throws IOException;
    }

    static Source fixture(String rel) {
        return () -> Files.readAllBytes(MODELS.resolve(rel));
    }

    /**
     * A wolfram-lstm JSON of {@code sine_next_step.keras}'s arrays, its LSTM's activations replaced by
     * {@code activation} / {@code recurrent} (the JSON's metadata carries the config).
     */
    static Source wolframSine(Activation activation, Activation recurrent) {
        return () -> {
            ModelContents c = LstmModelFile.readContents(
                    Files.readAllBytes(MODELS.resolve("keras/sine_next_step.keras")), "sine_next_step.keras");
            return WolframLstmJson.write(new ModelContents(c.format(),
                    c.config().withActivation(activation).withRecurrentActivation(recurrent), c.params(),
                    c.headWeight(), c.headBias(), c.headOut(), c.metadata()));
        };
    }

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("keras archive", fixture("keras/sine_next_step.keras"), "model.safetensors",
                        ModelFormat.KERAS),
                Arguments.of("keras weights.h5", fixture("keras/sine_next_step.weights.h5"), "model.onnx",
                        ModelFormat.KERAS),
                Arguments.of("wolfram-lstm JSON, relu / hard_sigmoid",
                        wolframSine(Activation.RELU, Activation.HARD_SIGMOID), "model.bin", ModelFormat.WOLFRAM_JSON),
                Arguments.of("safetensors with an embedding", fixture("embedding/two_ids.safetensors"), "model.h5",
                        ModelFormat.SAFETENSORS));
    }

    @ParameterizedTest(name = "{0} named {2}")
    @MethodSource("models")
    void csvReplayScoresWithTheModelOfTheFileAsTheCoreComputes(String label, Source source, String misleadingName,
            ModelFormat format) throws Exception {
        Path modelFile = Files.write(Files.createDirectories(dir.resolve("models")).resolve(misleadingName),
                source.bytes());
        byte[] bytes = LstmModelFile.readBytes(modelFile, LstmModelFile.DEFAULT_MAX_BYTES);
        assertEquals(format, LstmModelFile.readContents(bytes, modelFile.toString()).format(), label);
        LstmModel model = LstmModelFile.read(bytes, "reference");
        assertNotNull(model.head(), label);
        assertEquals(model.numericInputs(), model.head().outFeatures(), label + ": the head predicts every value");
        if (format == ModelFormat.WOLFRAM_JSON) {
            assertEquals(Activation.RELU, model.lstm().config().activation(), "the JSON's config is read");
            assertEquals(Activation.HARD_SIGMOID, model.lstm().config().recurrentActivation(), "the JSON's config");
        }

        List<Row> rows = rows(model);
        Path csv = write(dir.resolve("in/sensors.csv"), model, rows);
        DetectConfig c = DetectConfig.defaults();
        c.model = modelFile.toString();
        c.output = dir.resolve("out").toString();
        c.flink.parallelism = 2;
        long t0 = System.nanoTime();
        CsvReplay.Outcome o = CsvReplay.run(c, csv, epoch -> { }, line -> { });
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertEquals(1, o.files().size(), label);
        CsvReplay.FileResult f = o.files().get(0);
        assertEquals(model.version(), f.modelVersion(), label + ": the model of these bytes");
        assertTrue(f.run().counts().balances(), f.run().counts().summary());
        assertEquals(0, f.run().counts().deadLettered(), f.run().counts().summary());
        List<Detection> detections = f.run().detections();
        assertEquals(rows.size(), detections.size(), label + ": one detection per row");
        assertEquals(rows.size() + 1, Files.readAllLines(f.output()).size(), label + ": one result row per row");

        Map<String, List<float[]>> want = reference(model, rows);
        Map<String, List<Detection>> got = new LinkedHashMap<>();
        detections.forEach(d -> got.computeIfAbsent(d.key, x -> new ArrayList<>()).add(d));
        double maxDiff = 0;
        for (String key : KEYS) {
            List<Detection> ds = got.get(key);
            assertNotNull(ds, label + ": detections of key " + key);
            assertEquals(STEPS, ds.size(), label + ": detections of key " + key);
            for (int t = 0; t < STEPS; t++) {
                Detection d = ds.get(t);
                assertEquals(T0 + 60_000L * t, d.ts, label + ": key " + key + " in row order");
                assertEquals(model.version(), d.modelVersion, label);
                if (t == 0) {
                    assertNull(d.prediction, label + ": a key's first row has no prediction");
                    continue;
                }
                float[] w = want.get(key).get(t);
                assertEquals(w.length, d.prediction.length, label + ": key " + key + " row " + t);
                for (int j = 0; j < w.length; j++) {
                    double diff = Math.abs(d.prediction[j] - w[j]);
                    maxDiff = Math.max(maxDiff, diff);
                    assertTrue(diff <= TOLERANCE, String.format(Locale.ROOT, "%s: key %s row %d value %d: detector "
                            + "predicted %s, the core %s", label, key, t, j, d.prediction[j], w[j]));
                }
            }
        }
        LstmConfig cfg = model.lstm().config();
        if (cfg.activation() != Activation.TANH || cfg.recurrentActivation() != Activation.SIGMOID) {
            // the same weights with tanh / sigmoid predict far from what the detector did: the file's activations
            // reached it
            LstmModel plain = new LstmModel(Lstm.f32(cfg.withActivation(Activation.TANH)
                    .withRecurrentActivation(Activation.SIGMOID), model.lstm().params()), model.head(),
                    model.embedding(), model.version(), model.metadata());
            Map<String, List<float[]>> other = reference(plain, rows);
            double far = 0;
            for (String key : KEYS) {
                for (int t = 1; t < STEPS; t++) {
                    for (int j = 0; j < model.numericInputs(); j++) {
                        far = Math.max(far, Math.abs(other.get(key).get(t)[j] - got.get(key).get(t).prediction[j]));
                    }
                }
            }
            assertTrue(far > 1e-2, label + ": with tanh/sigmoid the predictions would differ by only " + far);
        }
        System.out.printf(Locale.ROOT, "DetectModelFormatsITCase: %-40s %-12s as %-17s %d rows in %d ms, max "
                + "|detector - core| %.1e%n", label, format, misleadingName, rows.size(), ms, maxDiff);
    }

    /**
     * The same through the command a user runs, {@code jobs/detect --input CSV --model model.safetensors} (a
     * {@code .keras} archive): the result CSV's prediction column is the core's.
     */
    @Test
    void detectCommandTakesAKerasArchiveNamedSafetensors() throws Exception {
        Path modelFile = Files.write(dir.resolve("model.safetensors"),
                fixture("keras/sine_next_step.keras").bytes());
        LstmModel model = LstmModelFile.read(modelFile);
        List<Row> rows = rows(model);
        Path csv = write(dir.resolve("in/sensors.csv"), model, rows);
        Path out = dir.resolve("out");
        StringWriter log = new StringWriter();
        int code = new CommandLine(new DetectCli()).setOut(new PrintWriter(log)).setErr(new PrintWriter(log))
                .execute("--input", csv.toString(), "--model", modelFile.toString(), "--output", out.toString(),
                        "--parallelism", "2");
        assertEquals(0, code, log.toString());

        List<String> result = Files.readAllLines(out.resolve("sensors.csv"));
        assertEquals(rows.size() + 1, result.size(), "one result row per row");
        Map<String, List<float[]>> want = reference(model, rows);
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String[] cells = result.get(i + 1).split(",", -1);
            assertEquals(r.key(), cells[7], result.get(i + 1));
            assertEquals("", cells[8], "no dead letter: " + result.get(i + 1));
            int t = seen.merge(r.key(), 1, Integer::sum) - 1;
            if (t == 0) {
                assertEquals("", cells[3], "a key's first row has no prediction: " + result.get(i + 1));
                continue;
            }
            float w = want.get(r.key()).get(t)[0];
            float got = Float.parseFloat(cells[3]);
            assertTrue(Math.abs(got - w) <= TOLERANCE, "row " + (i + 2) + ": detector " + got + ", core " + w);
        }
    }

    /** One CSV row: a key's values and ids at step {@code t}. */
    record Row(String key, int t, float[] values, int[] ids) {}

    /** {@value #STEPS} steps of every key, rows interleaved by time: sines of the model's numeric inputs and ids. */
    static List<Row> rows(LstmModel m) {
        List<Row> rows = new ArrayList<>();
        for (int t = 0; t < STEPS; t++) {
            for (int k = 0; k < KEYS.length; k++) {
                float[] v = new float[m.numericInputs()];
                for (int j = 0; j < v.length; j++) {
                    // printed with 4 decimals: the value the CSV holds is the value the reference uses
                    v[j] = Float.parseFloat(String.format(Locale.ROOT, "%.4f",
                            Math.sin(0.25 * t + 1.1 * k + 0.7 * j) * (1 + 0.2 * k)));
                }
                int[] ids = new int[m.idsPerStep()];
                for (int p = 0; p < ids.length; p++) {
                    ids[p] = Math.floorMod(t + 2 * k + 3 * p, m.embedding().config().numEmbeddings());
                }
                rows.add(new Row(KEYS[k], t, v, ids));
            }
        }
        return rows;
    }

    /** The keyed layout {@code key,ts,v1..vm,id1..idk}. */
    static Path write(Path csv, LstmModel m, List<Row> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder header = new StringBuilder("key,ts");
        for (int j = 0; j < m.numericInputs(); j++) {
            header.append(",v").append(j + 1);
        }
        for (int p = 0; p < m.idsPerStep(); p++) {
            header.append(",id").append(p + 1);
        }
        lines.add(header.toString());
        for (Row r : rows) {
            StringBuilder line = new StringBuilder(r.key()).append(',').append(T0 + 60_000L * r.t());
            for (float v : r.values()) {
                line.append(',').append(String.format(Locale.ROOT, "%.4f", v));
            }
            for (int id : r.ids()) {
                line.append(',').append(id);
            }
            lines.add(line.toString());
        }
        Files.createDirectories(csv.getParent());
        return Files.write(csv, lines);
    }

    /**
     * Per key, per step t &gt; 0, the prediction for row t in the data's units: the key's rows as one sequence,
     * normalised with the file's normalisation if it has one, through {@link LstmModel#forward}; the head on step
     * t-1's output, de-normalised. Index 0 is null (a key's first row has no prediction).
     */
    static Map<String, List<float[]>> reference(LstmModel model, List<Row> rows) {
        String normJson = model.metadata().get("normalization");
        Normalization norm = normJson == null ? null : Normalization.fromJson(normJson);
        int mIn = model.numericInputs();
        int k = model.idsPerStep();
        int hOut = model.lstm().config().outputSize();
        Map<String, List<float[]>> out = new LinkedHashMap<>();
        for (String key : KEYS) {
            List<Row> seq = rows.stream().filter(r -> r.key().equals(key)).toList();
            int n = seq.size();
            float[] values = new float[n * mIn];
            int[] ids = k == 0 ? null : new int[n * k];
            for (int t = 0; t < n; t++) {
                float[] v = seq.get(t).values().clone();
                if (norm != null) {
                    norm.apply(v);
                }
                System.arraycopy(v, 0, values, t * mIn, mIn);
                if (ids != null) {
                    System.arraycopy(seq.get(t).ids(), 0, ids, t * k, k);
                }
            }
            float[] h = model.forward(values, ids, n, 1, null, null).output();   // [T, 1, Hout] (B = 1)
            List<float[]> preds = new ArrayList<>();
            preds.add(null);
            for (int t = 1; t < n; t++) {
                float[] y = new float[mIn];
                model.head().apply(h, (t - 1) * hOut, y, 0);
                if (norm != null) {
                    norm.invert(y);
                }
                preds.add(y);
            }
            out.put(key, preds);
        }
        return out;
    }
}
