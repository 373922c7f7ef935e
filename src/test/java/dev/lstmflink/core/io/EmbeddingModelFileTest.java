package dev.lstmflink.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.EmbeddedInput;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model files with an embedding front end ({@code embedding.weight} + {@code embedding_config}) against PyTorch: the
 * fixtures of {@code src/test/resources/models/embedding} (see {@code make_embedding_fixtures.py}: plain, padding_idx
 * in both forms with a non-zero stored padding row, max_norm with p = 2 and p = 1 and rows over it, two ids per step,
 * ids only, two layers) load through {@link LstmModelFile} and give PyTorch's head outputs, LSTM outputs and final
 * h, c: float32 within golden/FORMAT.md's 1e-5 and float64 within its 1e-10 (the weights are float32 values, exact
 * in both). Then the file layout's variants (no metadata, F64/F16/BF16 tables) and every refused file.
 */
class EmbeddingModelFileTest {

    static final Path DIR = Path.of("src/test/resources/models/embedding");
    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".expected.json"))
                    .map(n -> n.substring(0, n.length() - ".expected.json".length())).sorted().toList();
            assertEquals(8, names.size(), "fixtures: " + names);
            return names.stream();
        }
    }

    /** A fixture's expected values and inputs, batch-first as the module takes them. */
    record Case(JsonNode json, int batch, int steps, int numeric, int k, float[] values, int[] ids) {

        static Case of(String name) throws IOException {
            JsonNode j = JSON.readTree(DIR.resolve(name + ".expected.json").toFile());
            JsonNode shape = j.at("/values/shape");
            double[] v = doubles(j.at("/values/data"));
            float[] vf = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                vf[i] = (float) v[i];   // float32 values stored as doubles: exact
            }
            JsonNode idData = j.at("/ids/data");
            int[] ids = new int[idData.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = idData.get(i).asInt();
            }
            return new Case(j, shape.get(0).asInt(), shape.get(1).asInt(), j.get("numeric").asInt(),
                    j.get("ids_per_step").asInt(), vf, ids);
        }

        double[] expected(String field) {
            return doubles(json.at("/" + field + "/data"));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyFixtureGivesPytorchsOutputsInFloat32(String name) throws IOException {
        Case c = Case.of(name);
        LstmModel model = LstmModelFile.read(DIR.resolve(name + ".safetensors"));
        Embedding e = model.embedding();
        assertTrue(e != null, name + ": the embedding loads");
        JsonNode cfg = c.json().get("embedding_config");
        assertEquals(EmbeddingConfigJson.fromJson(cfg.toString()), e.config(), name);
        assertEquals(c.numeric(), model.numericInputs(), name);
        assertEquals(c.k(), model.idsPerStep(), name);
        assertTrue(model.lstm().config().batchFirst(), "lstm_config says batch_first, as the module");

        ForwardPass<float[]> pass = model.forward(c.values(), c.ids(), c.steps(), c.batch(), null, null);
        Close.assertClose(name + " lstm output", c.expected("lstm_output"), Close.toDoubles(pass.output()), 1e-5);
        Close.assertClose(name + " h_n", c.expected("h_n"), Close.toDoubles(pass.hN()), 1e-5);
        Close.assertClose(name + " c_n", c.expected("c_n"), Close.toDoubles(pass.cN()), 1e-5);
        Close.assertClose(name + " head output", c.expected("head_output"), head(model.head(), pass.output()), 1e-5);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyFixtureGivesPytorchsOutputsInFloat64(String name) throws IOException {
        Case c = Case.of(name);
        LstmModel model = LstmModelFile.read(DIR.resolve(name + ".safetensors"));
        LstmConfig cfg = model.lstm().config();
        Lstm<double[]> lstm = Lstm.f64(cfg, Close.toDoubles(model.lstm().params()));
        double[] x = EmbeddedInput.f64(model.embedding(), Close.toDoubles(c.values()), c.numeric(), c.ids(),
                c.steps(), c.batch(), cfg.batchFirst());
        ForwardPass<double[]> pass = lstm.forward(x, c.steps(), c.batch(), null, null, null);
        Close.assertClose(name + " lstm output", c.expected("lstm_output"), pass.output(), 1e-10);
        Close.assertClose(name + " h_n", c.expected("h_n"), pass.hN(), 1e-10);
        Close.assertClose(name + " c_n", c.expected("c_n"), pass.cN(), 1e-10);
    }

    /**
     * The fixtures test what they claim: their padding rows are not zero, and max_norm moves the outputs far beyond
     * the tolerance (the same file read without max_norm misses PyTorch), so a reader that zeroed the padding row or
     * skipped the rescale would fail above.
     */
    @Test
    void theFixturesExerciseThePaddingRowAndTheRescale() throws IOException {
        for (String name : List.of("padding_negative", "padding_zero")) {
            Embedding e = LstmModelFile.read(DIR.resolve(name + ".safetensors")).embedding();
            assertTrue(e.config().hasPadding(), name);
            int d = e.config().embeddingDim();
            boolean nonZero = false;
            for (int j = 0; j < d; j++) {
                nonZero |= e.weight()[e.config().paddingIdx() * d + j] != 0;
            }
            assertTrue(nonZero, name + ": stored padding row is not zero");
            int[] ids = Case.of(name).ids();
            assertTrue(java.util.Arrays.stream(ids).anyMatch(i -> i == e.config().paddingIdx()), name + " uses it");
        }
        assertEquals(5, LstmModelFile.read(DIR.resolve("padding_negative.safetensors")).embedding().config()
                .paddingIdx(), "padding_idx -1 of 6 rows resolves to 5, as PyTorch");
        for (String name : List.of("max_norm_p2", "max_norm_p1", "two_layers")) {
            Case c = Case.of(name);
            LstmModel m = LstmModelFile.read(DIR.resolve(name + ".safetensors"));
            EmbeddingConfig cfg = m.embedding().config();
            assertTrue(cfg.hasMaxNorm(), name);
            Embedding unscaled = new Embedding(new EmbeddingConfig(cfg.numEmbeddings(), cfg.embeddingDim(),
                    cfg.paddingIdx(), Double.NaN, cfg.normType(), cfg.idsPerStep()), m.embedding().weight());
            LstmModel without = new LstmModel(m.lstm(), m.head(), unscaled, "x", Map.of());
            float[] out = without.forward(c.values(), c.ids(), c.steps(), c.batch(), null, null).output();
            double worst = 0;
            double[] exp = c.expected("lstm_output");
            for (int i = 0; i < exp.length; i++) {
                worst = Math.max(worst, Math.abs(out[i] - exp[i]));
            }
            assertTrue(worst > 1e-3, name + ": without the rescale the outputs miss PyTorch's by " + worst);
        }
    }

    // ---------------------------------------------------------------- the layout's variants

    /** A PyTorch state_dict saved as it is: no embedding_config, so N, D from the tensor, nn.Embedding's defaults. */
    @Test
    void withoutMetadataTheTensorGivesTheSizesAndPytorchsDefaults() throws IOException {
        Case c = Case.of("plain");
        byte[] bytes = rewrite("plain", meta -> {
            meta.remove(EmbeddingConfigJson.METADATA_KEY);
            return meta;
        }, t -> t);
        LstmModel m = LstmModelFile.read(bytes, "plain-no-meta");
        assertEquals(EmbeddingConfig.of(7, 3), m.embedding().config());
        ForwardPass<float[]> pass = m.forward(c.values(), c.ids(), c.steps(), c.batch(), null, null);
        Close.assertClose("output", c.expected("lstm_output"), Close.toDoubles(pass.output()), 1e-5);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F16", "BF16"})
    void theTableLoadsFromEveryFloatDtype(DType dtype) throws IOException {
        SafetensorsFile f32 = SafetensorsFile.read(DIR.resolve("two_ids.safetensors"));
        float[] table = f32.get(EmbeddingConfigJson.WEIGHT_NAME).orElseThrow().toFloats();
        Embedding original = LstmModelFile.read(DIR.resolve("two_ids.safetensors")).embedding();
        byte[] bytes = rewrite("two_ids", m -> m, t -> t.name().equals(EmbeddingConfigJson.WEIGHT_NAME)
                ? EmbeddingTensors.tensor(original, dtype) : t);
        assertEquals(dtype, SafetensorsFile.read(bytes, "x").get(EmbeddingConfigJson.WEIGHT_NAME).orElseThrow()
                .dtype());
        float[] loaded = LstmModelFile.read(bytes, "two_ids-" + dtype).embedding().weight();
        for (int i = 0; i < table.length; i++) {
            float expected = switch (dtype) {
                case F64 -> table[i];
                case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(table[i]));
                default -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(table[i]));
            };
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(loaded[i]), dtype + " value " + i);
        }
    }

    /** What the trainer writes ({@link EmbeddingTensors#tensor}, {@link EmbeddingTensors#metadata}) reads back. */
    @Test
    void theWritingHelpersRoundTripThroughTheLoader() throws IOException {
        LstmModel m = LstmModelFile.read(DIR.resolve("two_layers.safetensors"));
        EmbeddingConfig cfg = EmbeddingConfig.of(5, 3, -2, 0.5, 1.0, 1);
        Embedding e = new Embedding(cfg, m.embedding().weight().clone());
        List<NamedTensor> extra = new ArrayList<>(List.of(EmbeddingTensors.tensor(e)));
        extra.add(NamedTensor.ofFloats("head.weight", new int[] {m.head().outFeatures(), m.head().inFeatures()},
                m.head().weight()));
        byte[] bytes = LstmSafetensors.toFile(m.lstm(), "lstm.", DType.F32, extra, EmbeddingTensors.metadata(cfg))
                .toBytes();
        LstmModel back = LstmModelFile.read(bytes, "written");
        assertEquals(cfg, back.embedding().config());
        assertEquals(3, back.embedding().config().paddingIdx());
        assertArrayEquals(e.weight(), back.embedding().weight());
        assertEquals("{\"num_embeddings\":5,\"embedding_dim\":3,\"padding_idx\":3,\"max_norm\":0.5,"
                + "\"norm_type\":1.0,\"ids_per_step\":1}", EmbeddingTensors.metadata(cfg).get("embedding_config"));
        ModelContents contents = LstmModelFile.readContents(bytes, "written");
        assertEquals(contents.params().length + m.head().weight().length + 15L, contents.parameterCount(),
                "the embedding's 5 x 3 values count");
        assertThrows(IllegalArgumentException.class, () -> EmbeddingTensors.tensor(e, DType.I32));
    }

    @Test
    void aModelWithoutEmbeddingHasNoneAndTakesNoIds() throws IOException {
        LstmModel m = LstmModelFile.read(Path.of("src/test/resources/golden/train/sine_next_step.safetensors"));
        assertNull(m.embedding());
        assertEquals(0, m.idsPerStep());
        float[] v = {0.5f, 0.25f};
        assertTrue(v == m.lstmInput(v, null, 2, 1), "the values are the input");
        assertEquals("the model has no embedding, but 1 ids were given", assertThrows(
                IllegalArgumentException.class, () -> m.lstmInput(v, new int[] {0}, 2, 1)).getMessage());
    }

    @Test
    void aBadIdInABatchNamesItsBatchElementStepAndValue() throws IOException {
        Case c = Case.of("two_ids");
        LstmModel m = LstmModelFile.read(DIR.resolve("two_ids.safetensors"));
        int[] ids = c.ids().clone();
        ids[(1 * c.steps() + 3) * 2 + 1] = 9;   // batch-first [B,T,k]: b 1, t 3, id 1
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> m.forward(c.values(), ids, c.steps(), c.batch(), null, null));
        assertEquals("ids[b=1, t=3, 1] is 9, outside [0, num_embeddings = 9)", ex.getMessage());
    }

    // ---------------------------------------------------------------- refused files

    @Test
    void refusedFilesNameTheTensorOrFieldAndTheValue() throws IOException {
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("embedding_config \\{.*\\} but no tensor 'embedding.weight' \\[num_embeddings, embedding_dim\\]",
                rewrite("plain", m -> m, t -> t.name().equals("embedding.weight") ? null : t));
        bad.put("tensor 'embedding.weight' has shape \\[21\\], expected \\[num_embeddings, embedding_dim\\], both > 0",
                rewrite("plain", m -> m, t -> t.name().equals("embedding.weight")
                        ? NamedTensor.ofFloats(t.name(), new int[] {21}, t.toFloats()) : t));
        bad.put("tensor 'embedding.weight' has shape \\[7, 3, 1\\], expected \\[num_embeddings, embedding_dim\\]",
                rewrite("plain", m -> m, t -> t.name().equals("embedding.weight")
                        ? NamedTensor.ofFloats(t.name(), new int[] {7, 3, 1}, t.toFloats()) : t));
        bad.put("tensor 'embedding.weight' has dtype I32; it must be F32, F64, F16 or BF16",
                rewrite("plain", m -> m, t -> t.name().equals("embedding.weight")
                        ? NamedTensor.of(t.name(), DType.I32, t.shape(), t.littleEndianBytes()) : t));
        bad.put("metadata embedding_config: embedding config 'embedding_dim' is 4 but embedding.weight has 3",
                rewrite("plain", m -> {
                    m.put("embedding_config", "{\"embedding_dim\": 4}");
                    return m;
                }, t -> t));
        bad.put("metadata embedding_config: embedding config has an unknown key 'maxnorm'",
                rewrite("plain", m -> {
                    m.put("embedding_config", "{\"maxnorm\": 1}");
                    return m;
                }, t -> t));
        bad.put("metadata embedding_config: embedding padding_idx must be within \\[-num_embeddings, num_embeddings\\)"
                + " = \\[-7, 7\\), got 7", rewrite("plain", m -> {
                    m.put("embedding_config", "{\"padding_idx\": 7}");
                    return m;
                }, t -> t));
        // plain: LSTM input_size 2 + 1 x 3 = 5; 2 ids of 3 = 6 > 5
        bad.put("metadata embedding_config: ids_per_step 2 x embedding_dim 3 = 6 embedded values per step, more than "
                + "the LSTM's input_size 5", rewrite("plain", m -> {
                    m.put("embedding_config", "{\"ids_per_step\": 2}");
                    return m;
                }, t -> t));
        bad.put("unexpected tensor 'embedding.bias': an nn.Embedding child 'embedding' has only 'embedding.weight'",
                rewrite("plain", m -> m, t -> t, NamedTensor.ofFloats("embedding.bias", new int[] {3}, new float[3])));
        for (Map.Entry<String, byte[]> b : bad.entrySet()) {
            SafetensorsFormatException ex = assertThrows(SafetensorsFormatException.class,
                    () -> LstmModelFile.read(b.getValue(), "m.safetensors"), b.getKey());
            assertTrue(ex.getMessage().startsWith("m.safetensors: "), ex.getMessage());
            assertTrue(java.util.regex.Pattern.compile(b.getKey()).matcher(ex.getMessage()).find(),
                    "expected /" + b.getKey() + "/ in: " + ex.getMessage());
        }
        // an embedding wider than the input with no metadata (defaults: one id per step)
        byte[] wide = rewrite("plain", m -> {
            m.remove("embedding_config");
            return m;
        }, t -> t.name().equals("embedding.weight") ? NamedTensor.ofFloats(t.name(), new int[] {3, 7},
                new float[21]) : t);
        SafetensorsFormatException ex = assertThrows(SafetensorsFormatException.class,
                () -> LstmModelFile.read(wide, "w"));
        assertTrue(ex.getMessage().contains("ids_per_step 1 x embedding_dim 7 = 7 embedded values per step, more "
                + "than the LSTM's input_size 5 (no embedding_config entry: nn.Embedding's defaults, one id per "
                + "step)"), ex.getMessage());
    }

    /** Wolfram's JSON has no embedding: a model with one is not written, and metadata claiming one is refused. */
    @Test
    void wolframJsonRefusesAnEmbedding() throws IOException {
        byte[] st = Files.readAllBytes(DIR.resolve("plain.safetensors"));
        ModelContents c = LstmModelFile.readContents(st, "plain");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> WolframLstmJson.write(c));
        assertTrue(ex.getMessage().startsWith("the model has an embedding front end (embedding.weight 7 x 3)"),
                ex.getMessage());
        ModelContents noEmbedding = new ModelContents(c.format(), c.config(), c.params(), c.headWeight(),
                c.headBias(), c.headOut(), c.metadata());
        byte[] json = WolframLstmJson.write(noEmbedding);   // metadata still names embedding_config
        SafetensorsFormatException refused = assertThrows(SafetensorsFormatException.class,
                () -> LstmModelFile.readContents(json, "w.json"));
        assertTrue(refused.getMessage().startsWith("w.json: metadata embedding_config {")
                && refused.getMessage().endsWith("but the wolfram-lstm JSON file holds no embedding.weight (only "
                + "safetensors files carry an embedding)"), refused.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The fixture's bytes with its metadata and tensors edited: {@code tensors} maps each tensor to its replacement,
     * or null to drop it; {@code added} are appended.
     */
    private static byte[] rewrite(String name, UnaryOperator<Map<String, String>> metadata,
                                  UnaryOperator<NamedTensor> tensors, NamedTensor... added) throws IOException {
        SafetensorsFile f = SafetensorsFile.read(DIR.resolve(name + ".safetensors"));
        List<NamedTensor> out = new ArrayList<>();
        for (NamedTensor t : f.tensors()) {
            NamedTensor r = tensors.apply(t);
            if (r != null) {
                out.add(r);
            }
        }
        out.addAll(List.of(added));
        return SafetensorsFile.of(metadata.apply(new LinkedHashMap<>(f.metadata())), out).toBytes();
    }

    /** The head on every row of {@code [R, Hout]}: {@code [R, K]}. */
    private static double[] head(LinearHead h, float[] out) {
        int rows = out.length / h.inFeatures();
        float[] y = new float[rows * h.outFeatures()];
        for (int r = 0; r < rows; r++) {
            h.apply(out, r * h.inFeatures(), y, r * h.outFeatures());
        }
        return Close.toDoubles(y);
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asDouble();
        }
        return v;
    }
}
