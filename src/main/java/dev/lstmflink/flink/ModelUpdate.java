package dev.lstmflink.flink;

import dev.lstmflink.core.io.file.ModelBytes;

/**
 * A model to swap in at runtime, sent on the broadcast input of {@link SwappableLstmFunction}: a version name and the
 * safetensors file's bytes (so TaskManagers need no shared file system).
 */
public class ModelUpdate {

    public String version;
    public byte[] bytes;

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
