package dev.lstmflink.flink;

import dev.lstmflink.core.io.file.ModelBytes;

/**
 * A model to swap in at runtime, sent on the broadcast input of {@link SwappableLstmFunction}: a version name and the
 * safetensors file's bytes (so TaskManagers need no shared file system).
 */
public class ModelUpdate {

    public String version;
    public byte[] bytes;
    /** Where it was published (the file's URI), or null. */
    public String source;
    /** When it was published (the file's modification time), epoch ms; 0 when unknown. */
    public long publishedAt;
    /** Why the publication could not be taken (e.g. a file over the size limit; then {@link #bytes} is null), or null. */
    public String error;

    public ModelUpdate() {}

    public ModelUpdate(String version, byte[] bytes) {
        this.version = version;
        this.bytes = bytes;
    }

    /** Hex SHA-256 of a model file's bytes: how two models are told apart. */
    static String sha256(byte[] bytes) {
        return ModelBytes.sha256(bytes);
    }

    @Override
    public String toString() {
        return "ModelUpdate{" + version + ", " + (bytes == null ? 0 : bytes.length) + " bytes}";
    }
}
