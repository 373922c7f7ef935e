package dev.lstmflink.core.nn;

import java.util.Map;
import java.util.Optional;

/**
 * What a streaming job runs: an LSTM, an optional head on its last layer's output, and the file's metadata, as a
 * PyTorch {@code nn.Module} with children {@code lstm} and {@code head} would save them.
 *
 * @param lstm     the LSTM (float32)
 * @param head     the dense head, or null when the file has none
 * @param version  a name for this model, carried by every output it produces
 * @param metadata the file's {@code __metadata__}
 */
public record LstmModel(Lstm<float[]> lstm, LinearHead head, String version, Map<String, String> metadata) {

    public LstmModel {
        metadata = Map.copyOf(metadata);
        if (head != null && head.inFeatures() != lstm.config().outputSize()) {
            throw new IllegalArgumentException("head in_features " + head.inFeatures()
                    + " does not match the LSTM's output size " + lstm.config().outputSize());
        }
    }

    public Optional<LinearHead> headOptional() {
        return Optional.ofNullable(head);
    }
}
