package dev.lstmflink.flink;

/**
 * An event the LSTM operator did not process, on its side output {@link LstmStreams#REJECTED}, with why: nothing is
 * dropped silently.
 */
public class RejectedEvent {

    /** Its event time was more than the allowed lateness behind the watermark. */
    public static final String LATE = "late";
    /** Its values cannot be fed to the model (count or non-finite values); {@link #detail} says which. */
    public static final String INVALID = "invalid";

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
