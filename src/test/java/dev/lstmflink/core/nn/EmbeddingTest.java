package dev.lstmflink.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.core.io.EmbeddingConfigJson;
import dev.lstmflink.core.model.EmbeddingConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedding front end on small hand-derived cases: lookup, the padding row, PyTorch's {@code max_norm} rescale
 * (p = 2 and p = 1, a row exactly at the limit), {@code renormRows}, the batch input of {@link EmbeddedInput}, and the
 * config's validation and JSON. PyTorch itself is the reference of {@code EmbeddingModelFileTest}.
 */
class EmbeddingTest {

    /** N = 4, D = 2: rows [1, 2], [3, 4], [0, -2], [-1, 3]. */
    private static float[] table() {
        return new float[] {1, 2, 3, 4, 0, -2, -1, 3};
    }

    private static float[] lookup(Embedding e, int id) {
        float[] out = new float[e.config().embeddingDim()];
        e.lookup(id, out, 0);
        return out;
    }

    @Test
    void lookupCopiesTheRowAndInputConcatenatesValuesThenRows() {
        Embedding e = new Embedding(new EmbeddingConfig(4, 2, EmbeddingConfig.NO_PADDING, Double.NaN, 2.0, 2),
                table());
        assertArrayEquals(new float[] {3, 4}, lookup(e, 1));
        float[] out = {9, 9, 9, 9};
        e.lookup(3, out, 1);
        assertArrayEquals(new float[] {9, -1, 3, 9}, out, "written at the offset, nothing else touched");

        float[] x = new float[2 + 2 * 2];
        e.input(new float[] {0.5f, -0.5f, 7f}, 2, new int[] {2, 0}, x);
        assertArrayEquals(new float[] {0.5f, -0.5f, 0, -2, 1, 2}, x, "[v ; E[2] ; E[0]]");
        assertEquals(3, e.numericInputs(7), "input_size 7 less 2 ids x 2");
        assertArrayEquals(table(), e.weight(), "lookups leave the table alone");
    }

    @Test
    void thePaddingRowIsUsedAsStored() {
        float[] w = table();
        // padding_idx -3 of N = 4 is row 1, whose stored values are not zero (a trained or edited file)
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, -3, null, 2.0, 1), w);
        assertEquals(1, e.config().paddingIdx());
        assertArrayEquals(new float[] {3, 4}, lookup(e, 1), "inference reads the padding row as it is, as PyTorch");
    }

    /** p = 2: row [3, 4] has norm 5 > 1, so it is multiplied by 1 / (5 + 1e-7), in float after a double scale. */
    @Test
    void maxNormRescalesRowsOverItWithPytorchsEpsilonL2() {
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, null, 1.0, 2.0, 1), table());
        float s = (float) (1.0 / (5.0 + 1e-7));
        float[] r = lookup(e, 1);
        assertArrayEquals(new float[] {3 * s, 4 * s}, r);
        // PyTorch 1.13, float32 nn.Embedding(4, 2, max_norm=1.0) on this table: row 1 becomes these two floats
        assertArrayEquals(new float[] {0.6000000238418579f, 0.800000011920929f}, r);
        double norm = Math.hypot(r[0], r[1]);
        assertEquals(1.0f, (float) norm, "rescaled to max_norm as float32 measures it (exactly " + norm + ")");

        double[] d = new double[2];
        e.lookup(1, d, 0);
        double sd = 1.0 / (5.0 + 1e-7);
        assertArrayEquals(new double[] {3 * sd, 4 * sd}, d, 0.0, "float64 lookup: the scale in double");
        assertArrayEquals(table(), e.weight(), "rescale on read: the table is not changed");
    }

    /** p = 1: row [-1, 3] has L1 norm 4 > 2: scale 2 / (4 + 1e-7); row [1, 2] has 3 > 2 too; row [0, -2] is at 2. */
    @Test
    void maxNormWithL1NormAndARowExactlyAtTheLimitIsKept() {
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, null, 2.0, 1.0, 1), table());
        float s = (float) (2.0 / (4.0 + 1e-7));
        assertArrayEquals(new float[] {-1 * s, 3 * s}, lookup(e, 3));
        assertEquals(-0.5f, lookup(e, 3)[0], 1e-6f);
        float s0 = (float) (2.0 / (3.0 + 1e-7));
        assertArrayEquals(new float[] {s0, 2 * s0}, lookup(e, 0));
        // norm exactly max_norm: PyTorch rescales only when norm > max_norm, so the row is kept bit for bit
        assertArrayEquals(new float[] {0, -2}, lookup(e, 2));
        Embedding l2 = new Embedding(EmbeddingConfig.of(4, 2, null, 2.0, 2.0, 1), table());
        assertArrayEquals(new float[] {0, -2}, lookup(l2, 2), "|[0, -2]|_2 = 2 = max_norm");
        double[] d = new double[2];
        l2.lookup(2, d, 0);
        assertArrayEquals(new double[] {0, -2}, d, 0.0);
    }

    @Test
    void aGeneralPNormIsThePowerMean() {
        // p = 3: (1 + 8)^(1/3) = 9^(1/3) ≈ 2.0801 > 2
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, null, 2.0, 3.0, 1), table());
        double norm = Math.cbrt(9.0);
        float s = (float) (2.0 / (norm + 1e-7));
        float[] r = lookup(e, 0);
        assertEquals(1 * s, r[0], 1e-6f);
        assertEquals(2 * s, r[1], 1e-6f);
    }

    @Test
    void renormRowsRescalesOnlyTheGivenRowsOnceAndIsIdempotent() {
        float[] w = table();
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, null, 2.0, 2.0, 1), w);
        float[] readBefore = lookup(e, 1);
        e.renormRows(new int[] {1, 1, 2});   // row 1: norm 5 > 2; row 2 at 2 (kept); duplicates rescaled once
        float s = (float) (2.0 / (5.0 + 1e-7));
        assertArrayEquals(new float[] {1, 2, 3 * s, 4 * s, 0, -2, -1, 3}, w,
                "rows 0 and 3 (norms 2.24 and 3.16, over max_norm too) are not among the ids and stay");
        // PyTorch 1.13's float32 embedding_renorm_ on this table gives row 1 = these floats, of exact norm
        // 2.0000000477 > 2 but of float32 norm 2: PyTorch keeps them in every later forward
        assertArrayEquals(new float[] {1.2000000476837158f, 1.600000023841858f}, new float[] {w[2], w[3]});
        assertArrayEquals(readBefore, lookup(e, 1), "a renormed row reads as the rescale-on-read did, bit for bit");
        float[] once = w.clone();
        e.renormRows(new int[] {1, 2});
        e.renormRows(new int[] {1});
        assertArrayEquals(once, w, "a renormed row is at max_norm (as float32 measures it) and is not rescaled again");

        float[] plain = table();
        new Embedding(EmbeddingConfig.of(4, 2), plain).renormRows(new int[] {0, 1, 2, 3});
        assertArrayEquals(table(), plain, "no max_norm: no-op");
    }

    @Test
    void invalidIdsNameTheFieldAndTheValue() {
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, null, null, 2.0, 2), table());
        assertNull(e.invalidIds(new int[] {0, 3}));
        assertEquals("ids is missing (the model embeds 2 categorical ids per step)", e.invalidIds(null));
        assertEquals("ids has 1 entries, the model embeds ids_per_step 2", e.invalidIds(new int[] {1}));
        assertEquals("ids[1] is 4, outside [0, num_embeddings = 4)", e.invalidIds(new int[] {0, 4}));
        assertEquals("ids[0] is -1, outside [0, num_embeddings = 4)", e.invalidIds(new int[] {-1, 0}));
        Embedding one = new Embedding(EmbeddingConfig.of(4, 2), table());
        assertEquals("ids is missing (the model embeds 1 categorical id per step)", one.invalidIds(null));
    }

    @Test
    void aTableOfTheWrongSizeIsRefused() {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new Embedding(EmbeddingConfig.of(4, 3), table()));
        assertEquals("embedding.weight has 8 values, expected [4, 3] = 12", ex.getMessage());
    }

    // ---------------------------------------------------------------- EmbeddedInput

    /** T = 2, B = 2, m = 1, k = 2: rows in [T,B] order, each [v ; E[a] ; E[b]]. */
    @Test
    void embeddedInputConcatenatesPerRowInBothPrecisions() {
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2, null, null, 2.0, 2), table());
        float[] v = {0.5f, 1.5f, 2.5f, 3.5f};
        int[] ids = {0, 1, 2, 3, 3, 0, 1, 1};
        float[] x = EmbeddedInput.f32(e, v, 1, ids, 2, 2, false);
        assertArrayEquals(new float[] {
            0.5f, 1, 2, 3, 4,
            1.5f, 0, -2, -1, 3,
            2.5f, -1, 3, 1, 2,
            3.5f, 3, 4, 3, 4}, x);
        double[] xd = EmbeddedInput.f64(e, new double[] {0.5, 1.5, 2.5, 3.5}, 1, ids, 2, 2, true);
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], xd[i], 0.0, "element " + i);
        }
        // ids only (m = 0)
        assertArrayEquals(new float[] {1, 2, 3, 4}, EmbeddedInput.f32(e, new float[0], 0, new int[] {0, 1}, 1, 1,
                false));
    }

    @Test
    void embeddedInputNamesABadIdByBatchElementAndStep() {
        Embedding e = new Embedding(EmbeddingConfig.of(4, 2), table());
        int[] ids = {0, 1, 2, 3, 9, 0};   // row 4: [T=3,B=2] -> t 2, b 0; [B=2,T=3] -> b 1, t 1
        IllegalArgumentException timeMajor = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedInput.f32(e, new float[6], 1, ids, 3, 2, false));
        assertEquals("ids[b=0, t=2, 0] is 9, outside [0, num_embeddings = 4)", timeMajor.getMessage());
        IllegalArgumentException batchFirst = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedInput.f64(e, new double[6], 1, ids, 3, 2, true));
        assertEquals("ids[b=1, t=1, 0] is 9, outside [0, num_embeddings = 4)", batchFirst.getMessage());
        assertEquals("ids has 5 entries, expected T x B x ids_per_step = 3 x 2 x 1 = 6",
                assertThrows(IllegalArgumentException.class,
                        () -> EmbeddedInput.f32(e, new float[6], 1, new int[5], 3, 2, false)).getMessage());
        assertEquals("values has 5 entries, expected T x B x numeric = 3 x 2 x 1 = 6",
                assertThrows(IllegalArgumentException.class,
                        () -> EmbeddedInput.f32(e, new float[5], 1, new int[6], 3, 2, false)).getMessage());
    }

    // ---------------------------------------------------------------- EmbeddingConfig

    @Test
    void negativePaddingIdxCountsFromTheEndAsInPytorch() {
        assertEquals(4, EmbeddingConfig.of(5, 2, -1, null, 2.0, 1).paddingIdx());
        assertEquals(0, EmbeddingConfig.of(5, 2, -5, null, 2.0, 1).paddingIdx());
        assertEquals(3, EmbeddingConfig.of(5, 2, 3, null, 2.0, 1).paddingIdx());
        assertEquals(EmbeddingConfig.NO_PADDING, EmbeddingConfig.of(5, 2, null, null, 2.0, 1).paddingIdx());
        assertEquals("embedding padding_idx must be within [-num_embeddings, num_embeddings) = [-5, 5), got -6",
                assertThrows(IllegalArgumentException.class, () -> EmbeddingConfig.of(5, 2, -6, null, 2.0, 1))
                        .getMessage());
        assertEquals("embedding padding_idx must be within [-num_embeddings, num_embeddings) = [-5, 5), got 5",
                assertThrows(IllegalArgumentException.class, () -> EmbeddingConfig.of(5, 2, 5, null, 2.0, 1))
                        .getMessage());
        EmbeddingConfig d = EmbeddingConfig.of(5, 2);
        assertTrue(!d.hasPadding() && !d.hasMaxNorm() && d.normType() == 2.0 && d.idsPerStep() == 1, d.toString());
    }

    @Test
    void everyValidationErrorNamesTheFieldAndTheValue() {
        double nan = Double.NaN;
        List<Object[]> cases = List.of(
                new Object[] {0, 2, -1, nan, 2.0, 1, "embedding num_embeddings must be > 0, got 0"},
                new Object[] {3, -1, -1, nan, 2.0, 1, "embedding embedding_dim must be > 0, got -1"},
                new Object[] {3, 2, 3, nan, 2.0, 1,
                    "embedding padding_idx must be within [0, num_embeddings = 3) once resolved, got 3"},
                new Object[] {3, 2, -2, nan, 2.0, 1,
                    "embedding padding_idx must be within [0, num_embeddings = 3) once resolved, got -2"},
                new Object[] {3, 2, -1, -0.5, 2.0, 1,
                    "embedding max_norm must be a finite number >= 0 (or absent), got -0.5"},
                new Object[] {3, 2, -1, Double.POSITIVE_INFINITY, 2.0, 1,
                    "embedding max_norm must be a finite number >= 0 (or absent), got Infinity"},
                new Object[] {3, 2, -1, nan, 0.0, 1, "embedding norm_type must be a finite number > 0, got 0.0"},
                new Object[] {3, 2, -1, nan, nan, 1, "embedding norm_type must be a finite number > 0, got NaN"},
                new Object[] {3, 2, -1, nan, Double.POSITIVE_INFINITY, 1,
                    "embedding norm_type must be a finite number > 0, got Infinity"},
                new Object[] {3, 2, -1, nan, 2.0, 0, "embedding ids_per_step must be > 0, got 0"},
                new Object[] {65536, 65536, -1, nan, 2.0, 1,
                    "embedding of 65536 x 65536 values does not fit one array"});
        for (Object[] c : cases) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> new EmbeddingConfig((int) c[0], (int) c[1], (int) c[2], (double) c[3], (double) c[4],
                            (int) c[5]));
            assertEquals(c[6], ex.getMessage());
        }
        EmbeddingConfig ok = new EmbeddingConfig(3, 2, 0, 0.0, 0.5, 2);
        assertEquals(4, ok.embeddedWidth());
        assertEquals(6, ok.weightCount());
    }

    // ---------------------------------------------------------------- EmbeddingConfigJson

    @Test
    void configJsonRoundTrips() {
        for (EmbeddingConfig c : List.of(EmbeddingConfig.of(12, 4), EmbeddingConfig.of(12, 4, -1, 1.5, 1.0, 3),
                EmbeddingConfig.of(7, 3, 0, 0.0, 2.0, 1), EmbeddingConfig.of(2, 1, null, 2.0, 3.5, 2))) {
            String json = EmbeddingConfigJson.toJson(c);
            assertEquals(c, EmbeddingConfigJson.fromJson(json), json);
            assertEquals(c, EmbeddingConfigJson.fromJson(json, c.numEmbeddings(), c.embeddingDim()), json);
        }
        assertEquals("{\"num_embeddings\":12,\"embedding_dim\":4,\"padding_idx\":11,\"max_norm\":1.5,"
                + "\"norm_type\":1.0,\"ids_per_step\":3}",
                EmbeddingConfigJson.toJson(EmbeddingConfig.of(12, 4, -1, 1.5, 1.0, 3)));
        assertEquals(EmbeddingConfig.of(5, 3), EmbeddingConfigJson.fromJson("{}", 5, 3),
                "absent keys: the table's sizes and PyTorch's defaults");
        assertEquals(EmbeddingConfig.of(5, 3, 4, null, 2.0, 2),
                EmbeddingConfigJson.fromJson("{\"padding_idx\": -1, \"ids_per_step\": 2, \"max_norm\": null}", 5, 3));
    }

    @Test
    void configJsonErrorsNameTheKeyAndTheValue() {
        String[][] cases = {
            {"{", "embedding config is not valid JSON: "},
            {"[1]", "embedding config must be a JSON object, got: [1]"},
            {"{\"num_embedding\": 3}", "embedding config has an unknown key 'num_embedding' (known: "},
            {"{\"embedding_dim\": 2}",
                "embedding config has no 'num_embeddings' and there is no embedding.weight to take it from"},
            {"{\"num_embeddings\": 3, \"embedding_dim\": 2.5}", "embedding config 'embedding_dim' must be an integer, "
                + "got 2.5"},
            {"{\"num_embeddings\": 3, \"embedding_dim\": 2, \"max_norm\": \"1\"}",
                "embedding config 'max_norm' must be a number, got \"1\""},
            {"{\"num_embeddings\": 3, \"embedding_dim\": 2, \"norm_type\": true}",
                "embedding config 'norm_type' must be a number, got true"},
            {"{\"num_embeddings\": 3, \"embedding_dim\": 2, \"padding_idx\": 3}",
                "embedding padding_idx must be within [-num_embeddings, num_embeddings) = [-3, 3), got 3"},
            {"{\"num_embeddings\": 3, \"embedding_dim\": 2, \"ids_per_step\": 0}",
                "embedding ids_per_step must be > 0, got 0"},
        };
        for (String[] c : cases) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> EmbeddingConfigJson.fromJson(c[0]), c[0]);
            assertTrue(ex.getMessage().startsWith(c[1]), c[0] + " -> " + ex.getMessage());
        }
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> EmbeddingConfigJson.fromJson("{\"num_embeddings\": 6, \"embedding_dim\": 2}", 5, 2));
        assertEquals("embedding config 'num_embeddings' is 6 but embedding.weight has 5", mismatch.getMessage());
    }
}
