package dev.lstmflink.core.io;

import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Reads an {@link LstmModel} from safetensors bytes: the one LSTM of the file (any prefix) and, when present, the head
 * {@code head.weight [K, Hout]} and {@code head.bias [K]}.
 *
 * <p>The version is the metadata entry {@value #VERSION_KEY} when the file has one, otherwise {@code sha256:} and the
 * first 12 hex digits of the file's hash, so that two different files never pass for the same model.
 */
public final class LstmModelFile {

    public static final String VERSION_KEY = "model_version";

    /**
     * The largest model file read when no limit is given: 256 MiB, an LSTM of 64 million float32 parameters, far above
     * what per-event scoring can afford (hidden size 16, this project's default, is a few kilobytes). Loading takes
     * several times the file's size (the bytes, the parsed tensors, the packed weights) in every task that loads it.
     */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private LstmModelFile() {}

    /** {@link #read(Path, long)} with {@link #DEFAULT_MAX_BYTES}. */
    public static LstmModel read(Path path) throws IOException {
        return read(path, DEFAULT_MAX_BYTES);
    }

    /**
     * Reads a model file, refusing it before reading when it is larger than {@code maxBytes}.
     *
     * @throws FileTooLargeException      when the file is over {@code maxBytes} (the message names the file, its size
     *                                    and the limit)
     * @throws SafetensorsFormatException when it is not a valid model file
     */
    public static LstmModel read(Path path, long maxBytes) throws IOException {
        return read(readBytes(path, maxBytes), path.toString());
    }

    /**
     * A model file's bytes, for a job that ships them to its tasks ({@link #read(byte[], String)} there): refused
     * before any is read when the file is over {@code maxBytes}, and after its first 8 bytes when the header length
     * they declare is impossible for the file's size (negative, over 100 MiB, or past the end of the file).
     *
     * @throws FileTooLargeException      when the file is over {@code maxBytes}
     * @throws SafetensorsFormatException when it is shorter than 8 bytes or its header length is impossible
     */
    public static byte[] readBytes(Path path, long maxBytes) throws IOException {
        return SafetensorsReader.readBytes(path, maxBytes);
    }

    public static LstmModel read(byte[] bytes, String source) throws SafetensorsFormatException {
        SafetensorsFile file = SafetensorsFile.read(bytes, source);
        LstmSafetensors.Loaded loaded = LstmSafetensors.find(file, source, null);
        LinearHead head = readHead(file, source);
        String version = file.metadata().getOrDefault(VERSION_KEY, "sha256:" + sha256(bytes).substring(0, 12));
        try {
            return new LstmModel(loaded.f32(), head, version, file.metadata());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, e.getMessage());
        }
    }

    private static LinearHead readHead(SafetensorsFile file, String source) throws SafetensorsFormatException {
        Optional<NamedTensor> w = file.get("head.weight");
        Optional<NamedTensor> b = file.get("head.bias");
        if (w.isEmpty()) {
            if (b.isPresent()) {
                throw new SafetensorsFormatException(source, "tensor 'head.bias' without 'head.weight'");
            }
            return null;
        }
        int[] ws = w.get().shape();
        if (ws.length != 2) {
            throw new SafetensorsFormatException(source, "tensor 'head.weight' has shape " + w.get().shapeString()
                    + ", expected [out_features, in_features]");
        }
        if (b.isPresent() && (b.get().shape().length != 1 || b.get().shape()[0] != ws[0])) {
            throw new SafetensorsFormatException(source, "tensor 'head.bias' has shape " + b.get().shapeString()
                    + ", expected [" + ws[0] + "]");
        }
        try {
            return new LinearHead(w.get().toFloats(), b.isPresent() ? b.get().toFloats() : null, ws[0], ws[1]);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, e.getMessage());
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
