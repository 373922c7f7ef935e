package dev.lstmflink.jobs.detect;

import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.record.Detection;

/**
 * One record of a local run's output, collected to the client: a detection or a dead letter (exactly one is set).
 * The two outputs travel as one stream so that a single collect sees both. A Flink POJO.
 */
public class LocalOutput {

    public Detection detection;
    public DeadLetter deadLetter;

    public LocalOutput() {}

    public static LocalOutput of(Detection d) {
        LocalOutput o = new LocalOutput();
        o.detection = d;
        return o;
    }

    public static LocalOutput of(DeadLetter d) {
        LocalOutput o = new LocalOutput();
        o.deadLetter = d;
        return o;
    }
}
