package dev.lstmflink.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.kernel.DoubleLstmKernel;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.testutil.Close;
import dev.lstmflink.testutil.RandomLstm;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.data.ParseResult;
import dev.lstmflink.train.data.RowParser;
import dev.lstmflink.train.data.SeriesRow;
import dev.lstmflink.train.data.SeriesSet;
import dev.lstmflink.train.data.SplitMix64;
import dev.lstmflink.train.data.WindowSet;
import dev.lstmflink.train.model.HeadSpec;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.model.SequenceModel;
import dev.lstmflink.train.optim.Adam;
import java.io.InputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The embedding front end in the trainer: gradients against central differences and against PyTorch
 * (src/test/resources/train/embedding/, made by gen_embedding.py beside it), the initialiser, id columns in the CSV,
 * seed reproducibility, and the written model file read back with its embedding.
 */
class TrainEmbeddingTest {

    static double[] doubles(JsonNode n) {
        return TrainRegularizersTest.doubles(n);
    }

    /**
     * Central differences of the loss against the analytic gradient of every parameter, embedding included (m = 2
     * numeric values, k = 2 ids of D = 3, no max_norm: the renorm is not differentiated). The padding row's gradient is
     * zero although the loss depends on it (PyTorch's rule, not the calculus).
     */
    @Test
    void gradientsMatchFiniteDifferencesAndThePaddingRowGetsNone() {
        Random rnd = new Random(21);
        EmbeddingConfig emb = EmbeddingConfig.of(5, 3, 0, null, 2.0, 2);
        LstmConfig cfg = LstmConfig.of(2 + 6, 4);
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, 4, 2, true);
        SequenceModel<double[]> m = new SequenceModel<>(cfg, new DoubleLstmKernel(), head,
                RandomLstm.params(cfg, rnd), RandomLstm.values(8, 0.5, rnd), RandomLstm.values(2, 0.1, rnd), emb,
                RandomLstm.values(15, 1, rnd));
        int t = 3;
        int b = 2;
        double[] x = RandomLstm.values(t * b * 2, 1, rnd);
        double[] y = RandomLstm.values(t * b * 2, 1, rnd);
        int[] ids = {0, 3, 2, 2, 4, 0, 1, 3, 0, 0, 2, 4};   // [T, B, k]: the padding id 0 and repeats
        List<double[]> grads = m.lossAndGradients(x, ids, y, t, b, DropoutConfig.NONE, null).gradients();
        assertEquals(4, grads.size(), "LSTM, head weight, head bias, embedding");
        double eps = 1e-6;
        List<double[]> params = m.parameters();
        for (int a = 0; a < params.size(); a++) {
            double[] p = params.get(a);
            double[] fd = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                double keep = p[i];
                p[i] = keep + eps;
                double up = m.lossAndGradients(x, ids, y, t, b, DropoutConfig.NONE, null).loss();
                p[i] = keep - eps;
                double down = m.lossAndGradients(x, ids, y, t, b, DropoutConfig.NONE, null).loss();
                p[i] = keep;
                fd[i] = (up - down) / (2 * eps);
            }
            if (a == 3) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(0.0, grads.get(3)[j], 0.0, "padding row, column " + j);
                    assertTrue(Math.abs(fd[j]) > 1e-6, "the loss does depend on the padding row: " + fd[j]);
                    fd[j] = 0;
                }
            }
            Close.assertClose("parameter array " + a, fd, grads.get(a), 1e-7);
        }
    }

    /** One loss, its gradients and one Adam step with padding_idx and max_norm, against PyTorch (float64). */
    @Test
    void lossGradientsAndOneAdamStepMatchPyTorch() throws Exception {
        JsonNode f;
        try (InputStream in = getClass().getResourceAsStream("/train/embedding/embedding.json")) {
            f = new ObjectMapper().readTree(in);
        }
        EmbeddingConfig emb = EmbeddingConfig.of(f.get("num_embeddings").asInt(), f.get("embedding_dim").asInt(),
                f.get("padding_idx").asInt(), f.get("max_norm").asDouble(), f.get("norm_type").asDouble(),
                f.get("ids_per_step").asInt());
        int mNum = f.get("numeric").asInt();
        LstmConfig cfg = LstmConfig.of(mNum + emb.embeddedWidth(), f.get("hidden_size").asInt());
        LstmLayout layout = new LstmLayout(cfg);
        JsonNode state = f.get("state");
        double[] lstm = new double[layout.size()];
        for (TensorSpec spec : layout.tensors()) {
            layout.pack(spec, doubles(state.get("lstm." + spec.name())), Precision.F64, lstm);
        }
        HeadSpec head = new HeadSpec(HeadSpec.Kind.REGRESSION, cfg.hiddenSize(), mNum, true);
        SequenceModel<double[]> m = new SequenceModel<>(cfg, new DoubleLstmKernel(), head, lstm,
                doubles(state.get("head.weight")), doubles(state.get("head.bias")), emb,
                doubles(f.get("weight_before")));
        int[] ids = java.util.Arrays.stream(doubles(f.get("ids"))).mapToInt(d -> (int) d).toArray();
        int t = f.get("seq_len").asInt();
        int b = f.get("batch").asInt();
        SequenceModel.Step<double[]> s = m.lossAndGradients(doubles(f.get("v")), ids, doubles(f.get("y")), t, b,
                DropoutConfig.NONE, null);
        assertEquals(f.get("loss").asDouble(), s.loss(), 1e-12);
        Close.assertClose("embedding.weight renormed before the lookup", doubles(state.get("embedding.weight")),
                m.embeddingWeight(), 1e-14);
        JsonNode g = f.get("grads");
        Close.assertClose("grad embedding.weight", doubles(g.get("embedding.weight")), s.gradients().get(3), 1e-10);
        for (TensorSpec spec : layout.tensors()) {
            Close.assertClose("grad lstm." + spec.name(), doubles(g.get("lstm." + spec.name())),
                    layout.unpack(spec, Precision.F64, s.gradients().get(0)), 1e-10);
        }
        Close.assertClose("grad head.weight", doubles(g.get("head.weight")), s.gradients().get(1), 1e-10);

        new Adam<>(Precision.F64, 0.9, 0.999, 1e-8, 0).step(m.parameters(), s.gradients(), f.get("lr").asDouble());
        JsonNode after = f.get("after_step");
        Close.assertClose("after step: embedding.weight", doubles(after.get("embedding.weight")),
                m.embeddingWeight(), 1e-10);
        for (TensorSpec spec : layout.tensors()) {
            Close.assertClose("after step: lstm." + spec.name(), doubles(after.get("lstm." + spec.name())),
                    layout.unpack(spec, Precision.F64, m.lstm().params()), 1e-10);
        }
        Close.assertClose("after step: head.bias", doubles(after.get("head.bias")), m.headBias(), 1e-10);
    }

    /** nn.Embedding's reset_parameters: N(0, 1), the padding row zero. */
    @Test
    void initialiserDrawsStandardNormalsAndZeroesThePaddingRow() {
        EmbeddingConfig emb = EmbeddingConfig.of(2000, 4, -1, null, 2.0, 1);   // padding row 1999
        float[] w = Initializers.embedding(emb, new SplitMix64(1), Precision.F32);
        double sum = 0;
        double sq = 0;
        int n = 1999 * 4;
        for (int i = 0; i < n; i++) {
            sum += w[i];
            sq += w[i] * w[i];
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        assertEquals(0.0, mean, 4 * Math.sqrt(1.0 / n), "mean");          // 4 standard errors
        assertEquals(1.0, var, 4 * Math.sqrt(2.0 / n), "variance");
        for (int j = 0; j < 4; j++) {
            assertEquals(0f, w[1999 * 4 + j], 0f, "padding row");
        }
    }

    /** A series whose level depends on a machine state id (0, 1, 2), the state in an id column. */
    static SeriesSet stateSeries(int n, long seed) {
        SplitMix64 rnd = new SplitMix64(seed);
        SeriesSet set = new SeriesSet();
        for (int t = 0; t < n; t++) {
            int state = (t / 17) % 3;
            float v = (float) (state - 1 + 0.3 * Math.sin(2 * Math.PI * t / 11) + 0.05 * (2 * rnd.nextDouble() - 1));
            set.add("m.csv", new SeriesRow("m1", 1000L * t, new float[] {v}, new int[] {state}));
        }
        return set;
    }

    static final EmbeddingConfig EMB = EmbeddingConfig.of(3, 2, null, 1.0, 2.0, 1);
    static final LstmConfig CFG = LstmConfig.of(1 + 2, 6);
    static final HeadSpec HEAD = new HeadSpec(HeadSpec.Kind.REGRESSION, 6, 1, true);

    @Test
    void aFixedSeedGivesIdenticalRunsWithAnEmbedding() {
        WindowSet ws = WindowSet.build(stateSeries(500, 2), 16, 4, 0.25);
        assertEquals(1, ws.idCount());
        TrainOptions o = TrainOptions.defaults().withEpochs(2).withPatience(0);
        Trainer.Result a = Trainer.train(Trainer.newModel(CFG, HEAD, EMB, o), TrainingWindows.of(ws), o, null);
        Trainer.Result b = Trainer.train(Trainer.newModel(CFG, HEAD, EMB, o), TrainingWindows.of(ws), o, null);
        assertEquals(4, a.bestParams().size());
        for (int i = 0; i < a.bestParams().size(); i++) {
            assertArrayEquals(a.bestParams().get(i), b.bestParams().get(i), "parameter array " + i);
        }
        SequenceModel<float[]> fresh = Trainer.newModel(CFG, HEAD, EMB, o);
        assertFalse(java.util.Arrays.equals(fresh.embeddingWeight(), a.bestParams().get(3)), "the table learned");
        Trainer.Result c = Trainer.train(Trainer.newModel(CFG, HEAD, EMB, o.withSeed(5)), TrainingWindows.of(ws),
                o.withSeed(5), null);
        assertFalse(java.util.Arrays.equals(a.bestParams().get(3), c.bestParams().get(3)), "another seed differs");
        // without an embedding the stream positions of LSTM and head are unchanged
        SequenceModel<float[]> plain = Trainer.newModel(LstmConfig.of(3, 6), HEAD, o);
        assertArrayEquals(plain.lstm().params(), fresh.lstm().params());
    }

    /** The written file holds embedding.weight and embedding_config and loads back with its embedding. */
    @Test
    void theWrittenModelLoadsBackWithItsEmbedding() throws Exception {
        WindowSet ws = WindowSet.build(stateSeries(300, 3), 16, 8, 0.25);
        TrainOptions o = TrainOptions.defaults().withEpochs(1);
        SequenceModel<float[]> m = Trainer.newModel(CFG, HEAD, EMB, o);
        Trainer.train(m, TrainingWindows.of(ws), o, null);
        byte[] file = ModelFileWriter.toFile(m, ws.normalization().toJson(), "{}", "emb-1").toBytes();
        LstmModel read = LstmModelFile.read(file, "trained");
        assertTrue(read.embeddingOptional().isPresent(), "embedding read back");
        assertEquals(EMB, read.embeddingOptional().get().config());
        assertArrayEquals(m.embeddingWeight(), read.embeddingOptional().get().weight());
        assertEquals(1, read.numericInputs());
        assertEquals(1, read.idsPerStep());
    }

    /** Id columns in a key,ts,... CSV: ids in the listed order; a bad id is a bad row naming line, column, value. */
    @Test
    void idColumnsParseAndBadIdsAreBadRows() {
        RowParser p = RowParser.forHeader("f.csv", "key,ts,temp,machine_state,load,zone",
                new IdColumns(List.of("zone", "machine_state"), 4));
        assertEquals(2, p.featureCount());
        ParseResult ok = p.parse(2, "a,2024-01-01 00:00:00,1.5,3,0.25,0");
        assertTrue(ok.isRow(), ok.toString());
        assertArrayEquals(new float[] {1.5f, 0.25f}, ok.row().values());
        assertArrayEquals(new int[] {0, 3}, ok.row().ids());
        for (String[] c : new String[][] {{"4", "outside [0, num_embeddings = 4)"},
            {"-1", "outside [0, num_embeddings = 4)"}, {"1.5", "not an id"}, {"x", "not an id"},
            {"99999999999999999999", "outside"}, {"-99999999999999999999", "outside"}}) {
            ParseResult r = p.parse(7, "a,2024-01-01 00:00:00,1.5," + c[0] + ",0.25,0");
            assertTrue(r.isBad(), c[0]);
            String s = r.bad().toString();
            assertTrue(s.contains("f.csv") && s.contains("7") && s.contains("machine_state") && s.contains(c[0])
                    && s.contains(c[1]), s);
        }
        org.junit.jupiter.api.Assertions.assertThrows(dev.lstmflink.train.data.DataException.class,
                () -> RowParser.forHeader("g.csv", "key,ts,temp", new IdColumns(List.of("state"), 3)));
    }
}
