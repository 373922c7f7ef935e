package dev.lstmflink.connect;

import dev.lstmflink.record.SensorEvent;
import java.util.Objects;

/**
 * What a {@link RecordParser} made of one record: either an event or a dead letter, never both, never neither. A value
 * rather than an exception, so that bad data is an ordinary outcome the job routes, not an error it can die of.
 */
public final class Parsed {

    private final SensorEvent event;
    private final DeadLetter deadLetter;

    private Parsed(SensorEvent event, DeadLetter deadLetter) {
        this.event = event;
        this.deadLetter = deadLetter;
    }

    public static Parsed ok(SensorEvent event) {
        return new Parsed(Objects.requireNonNull(event, "event"), null);
    }

    public static Parsed bad(DeadLetter deadLetter) {
        return new Parsed(null, Objects.requireNonNull(deadLetter, "deadLetter"));
    }

    /** True for an event, false for a dead letter. */
    public boolean isOk() {
        return event != null;
    }

    /** @throws IllegalStateException when the record was dead-lettered (the message says why) */
    public SensorEvent event() {
        if (event == null) {
            throw new IllegalStateException("no event: " + deadLetter);
        }
        return event;
    }

    /** @throws IllegalStateException when the record was parsed (the message shows the event) */
    public DeadLetter deadLetter() {
        if (deadLetter == null) {
            throw new IllegalStateException("no dead letter: " + event);
        }
        return deadLetter;
    }

    @Override
    public String toString() {
        return isOk() ? "Parsed{" + event + "}" : "Parsed{" + deadLetter + "}";
    }
}
