package dev.lstmflink.flink;

import dev.lstmflink.core.io.file.ModelBytes;
import java.time.Instant;

/**
 * A model to swap in at runtime, sent on the broadcast input of {@link SwappableLstmFunction} or of the detection
 * job's {@code SwappableDetectFunction}: a version name and the model file's bytes (so TaskManagers need no shared file
 * system).
 *
 * <p>An update read from a watched folder also says where it came from ({@code source}, the file's URI) and when it
 * was published ({@code publishedAt}, the file's modification time); a file that could not be taken (too large, say)
 * still arrives, with {@code bytes} null and the reason in {@code error}, so that the job reports it instead of failing
 * and restarting on the same file forever. A Flink POJO (public fields, a no-arg constructor): savepoints hold it in
 * broadcast state, and Flink's POJO schema evolution gives fields added later their default (null, 0) on restore.
 */
public class ModelUpdate {

    /** The version name; null when the model's own {@code model_version} metadata is to be used. */
    public String version;
    /** The model file's bytes; null when {@link #error} says why the file was not taken. */
    public byte[] bytes;
    /** The file the update was read from (a URI), or null when it did not come from a file. */
    public String source;
    /** The file's modification time in epoch milliseconds; 0 when unknown. */
    public long publishedAt;
    /** Why the file could not be taken (then {@link #bytes} is null); null normally. */
    public String error;

    public ModelUpdate() {}

    public ModelUpdate(String version, byte[] bytes) {
        this(version, bytes, null, 0L, null);
    }

    public ModelUpdate(String version, byte[] bytes, String source, long publishedAt, String error) {
        this.version = version;
        this.bytes = bytes;
        this.source = source;
        this.publishedAt = publishedAt;
        this.error = error;
    }

    /** A model file read from {@code source}; the version comes from the file's metadata when it is taken. */
    public static ModelUpdate fromFile(String source, long publishedAt, byte[] bytes) {
        return new ModelUpdate(null, bytes, source, publishedAt, null);
    }

    /** A file of the watched folder that was not taken, and why. */
    public static ModelUpdate refused(String source, long publishedAt, String error) {
        return new ModelUpdate(null, null, source, publishedAt, error);
    }

    /** Hex SHA-256 of a model file's bytes: how two models are told apart. */
    static String sha256(byte[] bytes) {
        return ModelBytes.sha256(bytes);
    }

    @Override
    public String toString() {
        return "ModelUpdate{" + version + ", " + (bytes == null ? 0 : bytes.length) + " bytes"
                + (source == null ? "" : ", from " + source)
                + (publishedAt == 0 ? "" : ", published at " + Instant.ofEpochMilli(publishedAt))
                + (error == null ? "" : ", error: " + error) + "}";
    }
}
