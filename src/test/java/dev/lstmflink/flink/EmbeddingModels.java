package dev.lstmflink.flink;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.ForwardPass;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.record.SensorEvent;
import dev.lstmflink.testutil.RandomLstm;
import dev.lstmflink.testutil.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Test fixture: models with an embedding front end built in memory (a random LSTM, head and table), the operators
 * that run them without a model file, and the core library's reference outputs: {@link Lstm#forward} over the whole
 * sequence of inputs that {@link Embedding#input} builds, so a streamed output is checked against a computation that
 * shares only the weights with the operator's per-event step.
 */
public final class EmbeddingModels {

    private EmbeddingModels() {}

    /**
     * An LSTM of {@code numeric + k·D} inputs and {@code hidden} units, a head of {@code headOut} outputs and a table
     * of N(0, 1) rows as {@code nn.Embedding} initialises them, except the padding row (when there is one), which
     * holds {@code 0.25, 0.5, ...} rather than PyTorch's initial zeros: inference must return it as stored.
     */
    public static LstmModel model(int numeric, EmbeddingConfig ec, int hidden, int headOut, Map<String, String> meta,
                                  long seed) {
        Random rnd = new Random(seed);
        LstmConfig cfg = LstmConfig.of(numeric + ec.embeddedWidth(), hidden);
        Lstm<float[]> lstm = Lstm.f32(cfg, TestModels.toFloats(RandomLstm.params(cfg, rnd)));
        float[] w = TestModels.toFloats(RandomLstm.values(headOut * cfg.outputSize(), 0.5, rnd));
        float[] b = TestModels.toFloats(RandomLstm.values(headOut, 0.1, rnd));
        LinearHead head = new LinearHead(w, b, headOut, cfg.outputSize());
        float[] table = new float[ec.weightCount()];
        for (int i = 0; i < table.length; i++) {
            table[i] = (float) rnd.nextGaussian();
        }
        if (ec.hasPadding()) {
            for (int j = 0; j < ec.embeddingDim(); j++) {
                table[ec.paddingIdx() * ec.embeddingDim() + j] = 0.25f * (j + 1);
            }
        }
        return new LstmModel(lstm, head, new Embedding(ec, table), "emb-" + seed, meta);
    }

    /** The LSTM inputs {@code [T, I]} of a key's events, each step's built by {@link Embedding#input}. */
    public static float[] inputs(LstmModel m, List<SensorEvent> events) {
        int in = m.lstm().config().inputSize();
        float[] x = new float[events.size() * in];
        float[] step = new float[in];
        for (int t = 0; t < events.size(); t++) {
            SensorEvent e = events.get(t);
            m.embedding().input(e.values, m.numericInputs(), e.ids, step);
            System.arraycopy(step, 0, x, t * in, in);
        }
        return x;
    }

    /** The last layer's output h_t of every step, from {@link Lstm#forward} over the whole sequence, from zeros. */
    public static List<float[]> hidden(LstmModel m, List<SensorEvent> events) {
        return hidden(m, inputs(m, events), events.size());
    }

    /** As {@link #hidden(LstmModel, List)}, from the LSTM inputs {@code [T, I]}. */
    public static List<float[]> hidden(LstmModel m, float[] x, int steps) {
        ForwardPass<float[]> pass = m.lstm().forward(x, steps, 1, null, null, null);
        float[] y = pass.output();
        int hOut = m.lstm().config().outputSize();
        List<float[]> out = new ArrayList<>();
        for (int t = 0; t < steps; t++) {
            out.add(Arrays.copyOfRange(y, t * hOut, (t + 1) * hOut));
        }
        return out;
    }

    /** head(h_t) of every step. */
    public static List<float[]> predictions(LstmModel m, List<float[]> hidden) {
        List<float[]> out = new ArrayList<>();
        for (float[] h : hidden) {
            float[] y = new float[m.head().outFeatures()];
            m.head().apply(h, 0, y, 0);
            out.add(y);
        }
        return out;
    }

    /** {@link KeyedLstmFunction} running {@code model} instead of reading a file. */
    public static KeyedLstmFunction keyedFunction(LstmFunctionConfig cfg, LstmModel model) {
        return new KeyedLstmFunction(cfg, new byte[0], model.version()) {
            private static final long serialVersionUID = 1L;

            @Override
            protected LstmModel readModel(byte[] bytes, String source) {
                return model;
            }
        };
    }

    /**
     * {@link SwappableLstmFunction} whose "model file" bytes are a model's name in {@code models} (UTF-8): the initial
     * one {@code initial}, and every {@link ModelUpdate}'s.
     */
    public static SwappableLstmFunction swappableFunction(LstmFunctionConfig cfg, Map<String, LstmModel> models,
                                                          String initial) {
        return new SwappableLstmFunction(cfg, initial.getBytes(java.nio.charset.StandardCharsets.UTF_8), initial) {
            private static final long serialVersionUID = 1L;

            @Override
            protected LstmModel readModel(byte[] bytes, String source) {
                String name = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                LstmModel m = models.get(name);
                if (m == null) {
                    throw new IllegalArgumentException("no model " + name);
                }
                return m;
            }
        };
    }
}
