package dev.lstmflink.core.io;

import java.util.Optional;

/**
 * The model file formats this project reads, told apart by their first bytes, never by the file name: a job may be
 * given {@code model.bin}, and a renamed file must not be parsed by the wrong reader.
 *
 * <p><b>Adding a format</b>: add a constant, recognise it in {@link #detect} (before the
 * JSON test when it has a binary signature), and handle it in the switch of
 * {@link LstmModelFile#readContents(byte[], String)}, which the compiler then insists on; {@code readBytes} applies
 * the size limit to every format.
 */
public enum ModelFormat {
    /**
     * huggingface safetensors with PyTorch {@code state_dict} names: 8 bytes of little-endian header length, then a JSON
     * header that starts with '{'.
     */
    SAFETENSORS("safetensors", "8-byte little-endian header length, then a JSON header starting with '{'"),
    /** Wolfram-style named arrays as JSON ({@link WolframLstmJson}): a JSON object with {@code "format": "wolfram-lstm"}. */
    WOLFRAM_JSON("wolfram-lstm JSON", "a JSON object with \"format\": \"" + WolframLstmJson.FORMAT + "\""),
    /**
     * Keras 3 weights ({@link dev.lstmflink.core.io.keras.KerasWeights}): a {@code .weights.h5} file (the HDF5
     * signature) or a {@code .keras} archive (a zip, with the model's config.json inside).
     */
    KERAS("Keras 3 .weights.h5 or .keras", "the HDF5 signature \\x89HDF\\r\\n\\x1a\\n, or a zip archive (.keras)"),
    /**
     * An ONNX model with LSTM nodes ({@link dev.lstmflink.core.io.onnx.OnnxLstm}): a protobuf {@code ModelProto}, which
     * has no magic number but starts with its {@code ir_version} field (tag byte 0x08) as every exporter writes it.
     */
    ONNX("ONNX", "a protobuf ModelProto starting with its ir_version field (byte 0x08)");

    /** How many leading bytes {@link #detect} looks at; a caller reading a file needs no more to choose a reader. */
    public static final int PROBE_BYTES = 64;

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};
    /** Field 1 (ir_version), wire type 0 (varint): the first byte of every exported ONNX model. */
    private static final byte ONNX_FIRST_BYTE = 0x08;

    private final String displayName;
    private final String signature;

    ModelFormat(String displayName, String signature) {
        this.displayName = displayName;
        this.signature = signature;
    }

    /** The name used in messages and by {@code lstm inspect}, e.g. {@code "safetensors"}. */
    public String displayName() {
        return displayName;
    }

    /** How the format is recognised, for messages. */
    public String signature() {
        return signature;
    }

    /**
     * The format of a file from its first bytes.
     *
     * <ol>
     *   <li>Keras when it starts with the HDF5 or the zip signature;</li>
     *   <li>safetensors when byte 8 is '{' and the header length in bytes 0-7 fits the file: JSON text read as a
     *       little-endian length is above 2^61, so no JSON file passes;</li>
     *   <li>wolfram-lstm JSON when the first byte after whitespace (and a UTF-8 byte order mark) is '{' followed by
     *       '"' or '}' (the format field is checked when the JSON is read);</li>
     *   <li>ONNX when the first byte is 0x08 and byte 8 is not '{';</li>
     *   <li>safetensors when byte 8 is '{' even though the length does not fit, so that the reader names the bad
     *       length.</li>
     * </ol>
     *
     * @param head     the file's first bytes, at least {@link #PROBE_BYTES} of them unless the file is shorter
     * @param fileSize the whole file's size
     * @return the format, or empty when none matches
     */
    public static Optional<ModelFormat> detect(byte[] head, long fileSize) {
        if (startsWith(head, HDF5_SIGNATURE) || startsWith(head, ZIP_SIGNATURE)) {
            return Optional.of(KERAS);   // neither can start a safetensors file (its length would exceed 2^56)
        }
        boolean braceAt8 = head.length > 8 && head[8] == '{';
        if (braceAt8) {
            long length = 0;
            for (int i = 7; i >= 0; i--) {
                length = (length << 8) | (head[i] & 0xFF);
            }
            if (length > 0 && length <= fileSize - 8) {
                return Optional.of(SAFETENSORS);
            }
        }
        if (startsJsonObject(head)) {
            return Optional.of(WOLFRAM_JSON);
        }
        if (!braceAt8 && head.length > 0 && head[0] == ONNX_FIRST_BYTE) {
            return Optional.of(ONNX);
        }
        return braceAt8 ? Optional.of(SAFETENSORS) : Optional.empty();
    }

    /** The formats this build reads and how each is recognised, for a message about a file that matches none. */
    public static String knownFormats() {
        StringBuilder s = new StringBuilder();
        for (ModelFormat f : values()) {
            s.append(s.length() == 0 ? "" : "; ").append(f.displayName).append(" (").append(f.signature).append(')');
        }
        return s.toString();
    }

    /** Why a file of no known format was refused: the known formats, and what it looks like when we can tell. */
    static String unknownFormatMessage(byte[] head) {
        return "not a model file of a known format. Known: " + knownFormats() + ".";
    }

    private static boolean startsJsonObject(byte[] b) {
        int i = 0;
        if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        i = skipSpace(b, i);
        if (i >= b.length || b[i] != '{') {
            return false;
        }
        i = skipSpace(b, i + 1);
        return i >= b.length || b[i] == '"' || b[i] == '}';
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
