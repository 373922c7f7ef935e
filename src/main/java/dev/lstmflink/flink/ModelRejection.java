package dev.lstmflink.flink;

/** A {@link ModelUpdate} that was refused, on the side output {@link LstmStreams#MODEL_REJECTED}; the old model keeps serving. */
public class ModelRejection {

    public String version;
    public String reason;
    /** The parallel instance that refused it: each instance decides for itself and reports once. */
    public int subtask;

    public ModelRejection() {}

    public ModelRejection(String version, String reason, int subtask) {
        this.version = version;
        this.reason = reason;
        this.subtask = subtask;
    }

    @Override
    public String toString() {
        return "ModelRejection{" + version + " (subtask " + subtask + "): " + reason + "}";
    }
}
