package dev.lstmflink.record;

/**
 * An event the LSTM operator did not process, on its side output {@code flink.LstmStreams.REJECTED}, with why:
 * nothing is dropped silently.
 */
public class RejectedEvent {

    /** Its event time was more than the allowed lateness behind the watermark. */
    public static final String LATE = "late";
    /** Its values cannot be fed to the model (count or non-finite values); {@link #detail} says which. */
    public static final String INVALID = "invalid";
    /**
     * Its categorical ids cannot be embedded by the model (missing, wrong count, outside {@code [0, num_embeddings)}, or
     * ids for a model without an embedding); {@link #detail} says which. The same code as the parsers' dead-letter
     * reason {@code bad_id} ({@code connect.DeadLetter.BAD_ID}), so a bad id is counted under one reason wherever it is
     * caught.
     */
    public static final String BAD_ID = "bad_id";

    public SensorEvent event;
    public String reason;
    public String detail;

    public RejectedEvent() {}

    public RejectedEvent(SensorEvent event, String reason, String detail) {
        this.event = event;
        this.reason = reason;
        this.detail = detail;
    }

    @Override
    public String toString() {
        return "RejectedEvent{" + reason + ": " + detail + ", " + event + "}";
    }
}
