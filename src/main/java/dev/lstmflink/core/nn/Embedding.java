package dev.lstmflink.core.nn;

import dev.lstmflink.core.model.EmbeddingConfig;

/**
 * PyTorch's {@code nn.Embedding} at inference: a table {@code embedding.weight [N, D]} (row-major) whose rows the
 * categorical ids of a step select, concatenated after the step's numeric values ({@link EmbeddingConfig} gives the
 * layout). Allocation-free on the per-event path; the table is not changed.
 *
 * <p>{@code max_norm}: PyTorch rescales, in place and before the lookup, every looked-up row whose
 * {@code norm_type}-norm exceeds {@code max_norm} by {@code max_norm / (norm + 1e-7)} ({@code embedding_renorm_}). A
 * rescaled row is at or below {@code max_norm} and is never rescaled again, so at inference the output is the same
 * whether the table is changed or, as here, each row is rescaled as it is read. Training changes the table as PyTorch
 * does ({@link #renormRows}).
 *
 * <p>The norm of a float32 row is rounded to float32 before it is compared and used, as PyTorch's {@code row.norm(p)}
 * of a float32 table returns it: a rescaled row's exact norm is often a float ulp above {@code max_norm} (e.g. [3, 4]
 * with max_norm 2 becomes [1.2000000477, 1.6000000238], of exact norm 2.00000005) but rounds to it, so PyTorch keeps
 * it, and so must we for {@link #renormRows} to be idempotent and a renormed table to read as the original did.
 */
public final class Embedding {

    /** PyTorch's constant in {@code embedding_renorm_}: {@code scale = max_norm / (norm + 1e-7)}. */
    public static final double RENORM_EPS = 1e-7;

    private final EmbeddingConfig config;
    private final float[] weight;

    /** {@code weight} is {@code [N, D]} row-major; it is kept, not copied (the trainer updates it in place). */
    public Embedding(EmbeddingConfig config, float[] weight) {
        if (weight.length != config.weightCount()) {
            throw new IllegalArgumentException("embedding.weight has " + weight.length + " values, expected ["
                    + config.numEmbeddings() + ", " + config.embeddingDim() + "] = " + config.weightCount());
        }
        this.config = config;
        this.weight = weight;
    }

    public EmbeddingConfig config() {
        return config;
    }

    /** {@code embedding.weight [N, D]}, row-major: the array itself. */
    public float[] weight() {
        return weight;
    }

    /** The numeric values a step carries besides its ids, for an LSTM of {@code lstmInputSize} inputs. */
    public int numericInputs(int lstmInputSize) {
        return lstmInputSize - config.embeddedWidth();
    }

    /**
     * Why {@code ids} cannot be embedded (wrong count, an id outside {@code [0, N)}), naming the field and the value;
     * null when they can.
     */
    public String invalidIds(int[] ids) {
        if (ids == null) {
            return "ids is missing (the model embeds " + config.idsPerStep() + " categorical id"
                    + (config.idsPerStep() == 1 ? "" : "s") + " per step)";
        }
        if (ids.length != config.idsPerStep()) {
            return "ids has " + ids.length + " entries, the model embeds ids_per_step " + config.idsPerStep();
        }
        for (int i = 0; i < ids.length; i++) {
            String bad = config.invalidId("ids[" + i + "]", ids[i]);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    /**
     * Writes row {@code id} into {@code out[off..off+D)}, rescaled to {@code max_norm} when its norm exceeds it (see
     * the class comment). The id must be valid ({@link #invalidIds}).
     */
    public void lookup(int id, float[] out, int off) {
        int d = config.embeddingDim();
        System.arraycopy(weight, id * d, out, off, d);
        if (config.hasMaxNorm()) {
            double norm = (float) norm(weight, id * d, d, config.normType());   // float32, as PyTorch's (class comment)
            if (norm > config.maxNorm()) {
                float scale = (float) (config.maxNorm() / (norm + RENORM_EPS));
                for (int j = 0; j < d; j++) {
                    out[off + j] *= scale;
                }
            }
        }
    }

    /**
     * As {@link #lookup(int, float[], int)} in float64, for a float64 forward pass: row {@code id} widened exactly and,
     * when its norm (in double, not rounded) exceeds {@code max_norm}, multiplied by {@code max_norm / (norm + 1e-7)}
     * in double, as PyTorch's {@code embedding_renorm_} does on a {@code .double()} module.
     */
    public void lookup(int id, double[] out, int off) {
        int d = config.embeddingDim();
        for (int j = 0; j < d; j++) {
            out[off + j] = weight[id * d + j];
        }
        if (config.hasMaxNorm()) {
            double norm = norm(weight, id * d, d, config.normType());
            if (norm > config.maxNorm()) {
                double scale = config.maxNorm() / (norm + RENORM_EPS);
                for (int j = 0; j < d; j++) {
                    out[off + j] *= scale;
                }
            }
        }
    }

    /**
     * The LSTM input of one step: {@code x = [numeric[0..m) ; E[ids[0]] ; ... ; E[ids[k-1]]]} into {@code x[0..m+k·D)}.
     */
    public void input(float[] numeric, int numericCount, int[] ids, float[] x) {
        System.arraycopy(numeric, 0, x, 0, numericCount);
        int off = numericCount;
        for (int id : ids) {
            lookup(id, x, off);
            off += config.embeddingDim();
        }
    }

    /**
     * PyTorch's {@code embedding_renorm_} in training: every distinct row among {@code ids} whose norm exceeds
     * {@code max_norm} is rescaled in place by {@code max_norm / (norm + 1e-7)}, before the batch's lookup. No-op
     * without {@code max_norm}. Ids must be valid.
     */
    public void renormRows(int[] ids) {
        if (!config.hasMaxNorm()) {
            return;
        }
        int d = config.embeddingDim();
        java.util.BitSet done = new java.util.BitSet(config.numEmbeddings());
        for (int id : ids) {
            if (done.get(id)) {
                continue;
            }
            done.set(id);
            double norm = (float) norm(weight, id * d, d, config.normType());   // as lookup
            if (norm > config.maxNorm()) {
                float scale = (float) (config.maxNorm() / (norm + RENORM_EPS));   // as lookup: a float multiply
                for (int j = 0; j < d; j++) {
                    weight[id * d + j] *= scale;
                }
            }
        }
    }

    /** {@code (Σ |w_j|^p)^(1/p)} over {@code w[off..off+d)}, in double. */
    static double norm(float[] w, int off, int d, double p) {
        double s = 0;
        if (p == 2.0) {
            for (int j = 0; j < d; j++) {
                s += (double) w[off + j] * w[off + j];
            }
            return Math.sqrt(s);
        }
        if (p == 1.0) {
            for (int j = 0; j < d; j++) {
                s += Math.abs(w[off + j]);
            }
            return s;
        }
        for (int j = 0; j < d; j++) {
            s += Math.pow(Math.abs(w[off + j]), p);
        }
        return Math.pow(s, 1.0 / p);
    }
}
