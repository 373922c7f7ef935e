package dev.lstmflink.config;

/**
 * What a keyed operator does with restored key state that its model cannot read: the savepoint was written with a
 * model of another {@link ModelShape} (input size, hidden size, layer count, projection, numeric values or ids per
 * event).
 */
public enum OnStateMismatch {
    /** Refuse to start, naming both shapes: nothing is stepped with state the model cannot read. */
    FAIL,
    /**
     * Start, and start each affected key again as a new key on its next event (its LSTM state and the operator's own
     * per-key state cleared), counting it in the operator's metric {@code stateResets}.
     */
    RESET
}
