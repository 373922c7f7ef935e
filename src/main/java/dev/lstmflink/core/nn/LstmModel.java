package dev.lstmflink.core.nn;

import java.util.Map;
import java.util.Optional;

/**
 * What a streaming job runs: an optional embedding front end, an LSTM, an optional head on its last layer's output,
 * and the file's metadata, as a PyTorch {@code nn.Module} with children {@code embedding}, {@code lstm} and
 * {@code head} would save them.
 *
 * @param lstm      the LSTM (float32)
 * @param head      the dense head, or null when the file has none
 * @param embedding the embedding of the steps' categorical ids ({@code embedding.weight}), or null when the steps
 *                  carry numeric values only
 * @param version   a name for this model, carried by every output it produces
 * @param metadata  the file's {@code __metadata__}
 */
public record LstmModel(Lstm<float[]> lstm, LinearHead head, Embedding embedding, String version,
                        Map<String, String> metadata) {

    public LstmModel {
        metadata = Map.copyOf(metadata);
        if (head != null && head.inFeatures() != lstm.config().outputSize()) {
            throw new IllegalArgumentException("head in_features " + head.inFeatures()
                    + " does not match the LSTM's output size " + lstm.config().outputSize());
        }
        if (embedding != null && embedding.numericInputs(lstm.config().inputSize()) < 0) {
            throw new IllegalArgumentException("the embedding's ids_per_step x embedding_dim = "
                    + embedding.config().embeddedWidth() + " is more than the LSTM's input_size "
                    + lstm.config().inputSize());
        }
    }

    /** Without an embedding. */
    public LstmModel(Lstm<float[]> lstm, LinearHead head, String version, Map<String, String> metadata) {
        this(lstm, head, null, version, metadata);
    }

    public Optional<LinearHead> headOptional() {
        return Optional.ofNullable(head);
    }

    public Optional<Embedding> embeddingOptional() {
        return Optional.ofNullable(embedding);
    }

    /** The numeric values an event carries: the LSTM's input_size less what the embedding adds. */
    public int numericInputs() {
        int in = lstm.config().inputSize();
        return embedding == null ? in : embedding.numericInputs(in);
    }

    /** The categorical ids an event carries: the embedding's ids_per_step, 0 without one. */
    public int idsPerStep() {
        return embedding == null ? 0 : embedding.config().idsPerStep();
    }

    /**
     * The LSTM input of a batch: {@code values [T,B,m]} ({@code [B,T,m]} when the LSTM is batch-first, as
     * {@link Lstm#forward} takes its input) and {@code ids [T,B,k]} in the same order, concatenated per step as
     * {@link EmbeddedInput} does; without an embedding, {@code values} itself (its length checked), and {@code ids}
     * must be null or empty.
     *
     * @throws IllegalArgumentException for wrong lengths, or an id outside {@code [0, num_embeddings)} (naming its
     *                                  batch element, step, position and value)
     */
    public float[] lstmInput(float[] values, int[] ids, int seqLen, int batch) {
        int m = numericInputs();
        if (embedding == null) {
            if (ids != null && ids.length > 0) {
                throw new IllegalArgumentException("the model has no embedding, but " + ids.length + " ids were "
                        + "given");
            }
            if (values.length != seqLen * batch * m) {
                throw new IllegalArgumentException("values has " + values.length + " entries, expected T x B x "
                        + "input_size = " + seqLen + " x " + batch + " x " + m + " = " + seqLen * batch * m);
            }
            return values;
        }
        return EmbeddedInput.f32(embedding, values, m, ids, seqLen, batch, lstm.config().batchFirst());
    }

    /**
     * {@code nn.LSTM} over a batch of values and ids ({@link #lstmInput}), from {@code h0}/{@code c0} (null for zeros);
     * the head is not applied (see {@link LinearHead#apply} on the pass's output).
     */
    public ForwardPass<float[]> forward(float[] values, int[] ids, int seqLen, int batch, float[] h0, float[] c0) {
        return lstm.forward(lstmInput(values, ids, seqLen, batch), seqLen, batch, h0, c0, null);
    }

    /** This model with another version name (same arrays). */
    public LstmModel withVersion(String v) {
        return new LstmModel(lstm, head, embedding, v, metadata);
    }
}
