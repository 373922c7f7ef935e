package dev.lstmflink.record;

/** What {@link LstmOutput#values} holds. */
public enum OutputKind {
    /** The last layer's {@code h_t} (Hout values), as {@code nn.LSTM}'s output at this step. */
    HIDDEN,
    /** The whole state after the step: {@code [h_l | c_l]} for every layer (see {@code LstmStepper}). */
    STATE,
    /** The head's output {@code W h_t + b}: next-value regression. Needs {@code head.weight} in the model file. */
    PREDICTION,
    /** {@code softmax(W h_t + b)}: class probabilities. Needs {@code head.weight} in the model file. */
    PROBABILITIES;

    public boolean needsHead() {
        return this == PREDICTION || this == PROBABILITIES;
    }
}
