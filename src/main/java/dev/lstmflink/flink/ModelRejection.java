package dev.lstmflink.flink;

/** A {@link ModelUpdate} that was refused, on the side output {@link LstmStreams#MODEL_REJECTED}; the old model keeps serving. */
public class ModelRejection {

    public String version;
    public String reason;

    public ModelRejection() {}

    public ModelRejection(String version, String reason) {
        this.version = version;
        this.reason = reason;
    }

    @Override
    public String toString() {
        return "ModelRejection{" + version + ": " + reason + "}";
    }
}
