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

    /** This model with another version name (same arrays). */
    public LstmModel withVersion(String v) {
        return new LstmModel(lstm, head, embedding, v, metadata);
    }
}
