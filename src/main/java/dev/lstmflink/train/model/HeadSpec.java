package dev.lstmflink.train.model;

/**
 * The head on the LSTM's output at every step: PyTorch's {@code nn.Linear(in, out)}, trained with MSE for next-step
 * regression or with cross-entropy (softmax over {@code out} classes) for classification.
 */
public record HeadSpec(Kind kind, int inFeatures, int outFeatures, boolean bias) implements java.io.Serializable {

    public enum Kind { REGRESSION, CLASSIFICATION }

    public HeadSpec {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("head in_features and out_features must be > 0, got " + inFeatures
                    + " and " + outFeatures);
        }
        if (kind == Kind.CLASSIFICATION && outFeatures < 2) {
            throw new IllegalArgumentException("a classification head needs out_features >= 2, got " + outFeatures);
        }
    }

    /** The {@code head} metadata entry of a model file: {@code {"kind": "regression", "in_features": .., ...}}. */
    public String toJson() {
        return "{\"kind\": \"" + kind.name().toLowerCase(java.util.Locale.ROOT) + "\", \"in_features\": "
                + inFeatures + ", \"out_features\": " + outFeatures + ", \"bias\": " + bias + "}";
    }
}
