package dev.lstmflink.core.model;

import java.io.Serializable;

/**
 * The embedding front end's shape, PyTorch's {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx, max_norm,
 * norm_type)}, plus how many categorical ids each step carries.
 *
 * <p>A step's LSTM input is its numeric values followed by the embeddings of its ids, in order:
 * {@code x_t = [v_t ; E[id_t,0] ; ... ; E[id_t,k-1]]}, which is PyTorch's
 * {@code torch.cat([v, emb(ids).flatten(-2)], dim=-1)} with {@code ids} of shape {@code [..., k]}; so the LSTM's
 * {@code input_size} is {@code numeric + k·embedding_dim}.
 *
 * @param numEmbeddings N, the number of ids (rows of {@code embedding.weight [N, D]})
 * @param embeddingDim  D, the width of each row
 * @param paddingIdx    the padding row in {@code [0, N)} (PyTorch's negative {@code padding_idx} already resolved, see
 *                      {@link #of}), or {@link #NO_PADDING}; its row gets no gradient in training and starts at zero
 * @param maxNorm       rows whose {@code norm_type}-norm exceeds it are rescaled to it when looked up; {@code NaN} for
 *                      none (PyTorch's {@code max_norm=None})
 * @param normType      p of the p-norm for {@code max_norm} (PyTorch's default 2)
 * @param idsPerStep    k, the categorical ids of each step, all looked up in the same table
 */
public record EmbeddingConfig(int numEmbeddings, int embeddingDim, int paddingIdx, double maxNorm, double normType,
                              int idsPerStep) implements Serializable {

    public static final int NO_PADDING = -1;

    public EmbeddingConfig {
        if (numEmbeddings <= 0) {
            throw new IllegalArgumentException("embedding num_embeddings must be > 0, got " + numEmbeddings);
        }
        if (embeddingDim <= 0) {
            throw new IllegalArgumentException("embedding embedding_dim must be > 0, got " + embeddingDim);
        }
        if (paddingIdx != NO_PADDING && (paddingIdx < 0 || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException("embedding padding_idx must be within [0, num_embeddings = "
                    + numEmbeddings + ") once resolved, got " + paddingIdx);
        }
        if (!Double.isNaN(maxNorm) && (maxNorm < 0 || Double.isInfinite(maxNorm))) {
            throw new IllegalArgumentException("embedding max_norm must be a finite number >= 0 (or absent), got "
                    + maxNorm);
        }
        if (!(normType > 0) || Double.isInfinite(normType)) {
            throw new IllegalArgumentException("embedding norm_type must be a finite number > 0, got " + normType);
        }
        if (idsPerStep <= 0) {
            throw new IllegalArgumentException("embedding ids_per_step must be > 0, got " + idsPerStep);
        }
        if ((long) numEmbeddings * embeddingDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("embedding of " + numEmbeddings + " x " + embeddingDim
                    + " values does not fit one array");
        }
    }

    /**
     * As PyTorch's constructor takes them: {@code paddingIdx} null for none or in {@code [-N, N)} (negative counts from
     * the end, as in PyTorch), {@code maxNorm} null for none.
     */
    public static EmbeddingConfig of(int numEmbeddings, int embeddingDim, Integer paddingIdx, Double maxNorm,
                                     double normType, int idsPerStep) {
        int pad = NO_PADDING;
        if (paddingIdx != null) {
            if (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
                throw new IllegalArgumentException("embedding padding_idx must be within [-num_embeddings, "
                        + "num_embeddings) = [" + -numEmbeddings + ", " + numEmbeddings + "), got " + paddingIdx);
            }
            pad = paddingIdx < 0 ? numEmbeddings + paddingIdx : paddingIdx;
        }
        return new EmbeddingConfig(numEmbeddings, embeddingDim, pad, maxNorm == null ? Double.NaN : maxNorm,
                normType, idsPerStep);
    }

    /** Defaults as {@code nn.Embedding(num_embeddings, embedding_dim)}: no padding, no max_norm, p = 2, one id. */
    public static EmbeddingConfig of(int numEmbeddings, int embeddingDim) {
        return new EmbeddingConfig(numEmbeddings, embeddingDim, NO_PADDING, Double.NaN, 2.0, 1);
    }

    public boolean hasPadding() {
        return paddingIdx != NO_PADDING;
    }

    public boolean hasMaxNorm() {
        return !Double.isNaN(maxNorm);
    }

    /** The LSTM input values the ids of one step become: {@code k·D}. */
    public int embeddedWidth() {
        return idsPerStep * embeddingDim;
    }

    /** Values of {@code embedding.weight}: {@code N·D}. */
    public int weightCount() {
        return numEmbeddings * embeddingDim;
    }

    /** Why {@code id} is not a row of the table (naming the field and the value), or null when it is. */
    public String invalidId(String field, long id) {
        if (id < 0 || id >= numEmbeddings) {
            return field + " is " + id + ", outside [0, num_embeddings = " + numEmbeddings + ")";
        }
        return null;
    }
}
