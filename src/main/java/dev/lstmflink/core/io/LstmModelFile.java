package dev.lstmflink.core.io;

import dev.lstmflink.core.io.file.FileTooLargeException;
import dev.lstmflink.core.io.file.ModelBytes;
import dev.lstmflink.core.io.keras.KerasWeights;
import dev.lstmflink.core.io.onnx.OnnxLstm;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.LstmModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads an {@link LstmModel} from a model file of any format {@link ModelFormat} knows, chosen by the file's content
 * (its first bytes), not its name: every place that accepts a model file (the {@code lstm} tool, the streaming job, the
 * detection job and its operators) reads it through here.
 *
 * <ul>
 *   <li>safetensors: the one LSTM of the file (any prefix) and, when present, the head {@code head.weight [K, Hout]}
 *       and {@code head.bias [K]} and the embedding front end {@code embedding.weight [N, D]} with its metadata entry
 *       {@code embedding_config} (see {@link EmbeddingTensors}: without the entry, N and D come from the tensor and
 *       the rest are {@code nn.Embedding}'s defaults, one id per step); tensors in F32, F64, F16 or BF16 (half
 *       precision widened exactly to float32);</li>
 *   <li>wolfram-lstm JSON: Wolfram's named arrays, see {@link WolframLstmJson}.</li>
 * </ul>
 *
 * <p>The version is the metadata entry {@value #VERSION_KEY} when the file has one, otherwise {@code sha256:} and the
 * first 12 hex digits of the file's hash, so that two different files never pass for the same model.
 *
 * <p>Every problem with a file's content is a {@link SafetensorsFormatException} (its name predates the other formats)
 * whose message starts with the source, so that callers that reject a bad model update keep working for every format.
 */
public final class LstmModelFile {

    public static final String VERSION_KEY = "model_version";

    /** The largest model file read when no limit is given: {@link ModelBytes#DEFAULT_MAX_BYTES} (256 MiB). */
    public static final long DEFAULT_MAX_BYTES = ModelBytes.DEFAULT_MAX_BYTES;

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
     * before any is read when the file is over {@code maxBytes}, whatever its format. A safetensors file (or one of no
     * known format) is also refused after its first 8 bytes when the header length they declare is impossible for the
     * file's size (negative, over 100 MiB, or past the end of the file).
     *
     * @throws FileTooLargeException      when the file is over {@code maxBytes}
     * @throws SafetensorsFormatException when it is shorter than 8 bytes or its header length is impossible
     */
    public static byte[] readBytes(Path path, long maxBytes) throws IOException {
        String source = path.toString();
        return ModelBytes.read(path, maxBytes, ModelFormat.PROBE_BYTES, (head, size) -> {
            Optional<ModelFormat> format = ModelFormat.detect(head, size);
            if (format.isEmpty() || format.get() == ModelFormat.SAFETENSORS) {
                // safetensors gets its header-length checks before the rest is read; a file of no known format is
                // checked by them too, so that its message says both what it is not and what is wrong with it as
                // safetensors
                try {
                    SafetensorsReader.checkHead(source, head, size);
                } catch (SafetensorsFormatException e) {
                    throw format.isPresent() ? e : unknownFormat(source, head, e);
                }
            } else if (size > SafetensorsFile.MAX_FILE_SIZE) {
                throw new SafetensorsFormatException(source, "file is " + size + " bytes; a model file is held "
                        + "in one byte[] and may be at most " + SafetensorsFile.MAX_FILE_SIZE + " bytes");
            }
        });
    }

    /** The model of a file of any known format. */
    public static LstmModel read(byte[] bytes, String source) throws SafetensorsFormatException {
        ModelContents c = readContents(bytes, source);
        String version = c.metadata().getOrDefault(VERSION_KEY, ModelBytes.hashVersion(bytes));
        try {
            return c.toModel(version);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, e.getMessage());
        }
    }

    /**
     * The arrays of a model file of any known format, the format chosen by {@link ModelFormat#detect}. A file of no
     * known format is refused with a message that lists the known ones (and what is wrong with it read as
     * safetensors, the format of most model files).
     */
    public static ModelContents readContents(byte[] bytes, String source) throws SafetensorsFormatException {
        Optional<ModelFormat> format = ModelFormat.detect(bytes, bytes.length);
        if (format.isEmpty()) {
            try {
                // lenient on purpose: a header with leading spaces is not detected, but is valid for our reader
                return safetensors(bytes, source);
            } catch (SafetensorsFormatException e) {
                throw unknownFormat(source, bytes, e);
            }
        }
        ModelContents c = switch (format.get()) {
            case SAFETENSORS -> safetensors(bytes, source);
            case WOLFRAM_JSON -> WolframLstmJson.read(bytes, source);
            case KERAS -> imported(ModelFormat.KERAS, source, () -> KerasWeights.read(bytes, source));
            case ONNX -> imported(ModelFormat.ONNX, source, () -> OnnxLstm.read(bytes, source));
        };
        if (c.embedding() == null && c.metadata().containsKey(EmbeddingConfigJson.METADATA_KEY)) {
            // e.g. a wolfram-lstm JSON whose metadata was copied from a model with an embedding: without the table
            // its steps could only be fed the embedded values by hand, so refuse rather than run it on numbers
            throw new SafetensorsFormatException(source, "metadata " + EmbeddingConfigJson.METADATA_KEY + " "
                    + c.metadata().get(EmbeddingConfigJson.METADATA_KEY) + " but the " + format.get().displayName()
                    + " file holds no " + EmbeddingConfigJson.WEIGHT_NAME + " (only safetensors files carry an "
                    + "embedding)");
        }
        return c;
    }

    /** A reader of a format whose importer builds the model itself (Keras, ONNX). */
    private interface Importer {
        LstmModel read() throws IOException;
    }

    /**
     * The arrays of a model an importer built, already in PyTorch's layout; its own error type becomes this class's
     * (which the operators catch when they reject a model update).
     */
    private static ModelContents imported(ModelFormat format, String source, Importer importer)
            throws SafetensorsFormatException {
        LstmModel m;
        try {
            m = importer.read();
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            throw new SafetensorsFormatException(source, msg.startsWith(source + ": ")
                    ? msg.substring(source.length() + 2) : msg, e);
        }
        LinearHead h = m.head();
        return new ModelContents(format, m.lstm().config(), m.lstm().params(), h == null ? null : h.weight(),
                h == null ? null : h.bias(), h == null ? 0 : h.outFeatures(), m.metadata());
    }

    private static ModelContents safetensors(byte[] bytes, String source) throws SafetensorsFormatException {
        SafetensorsFile file = SafetensorsFile.read(bytes, source);
        LstmSafetensors.Loaded loaded = LstmSafetensors.find(file, source, null);
        float[] params = loaded.params(dev.lstmflink.core.model.Precision.F32);
        float[][] head = readHead(file, source, loaded.config().outputSize());
        Embedding embedding = EmbeddingTensors.read(file, source, loaded.config().inputSize());
        try {
            return new ModelContents(ModelFormat.SAFETENSORS, loaded.config(), params, head[0], head[1],
                    head[0] == null ? 0 : head[0].length / loaded.config().outputSize(), file.metadata(), embedding);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, e.getMessage());
        }
    }

    private static SafetensorsFormatException unknownFormat(String source, byte[] head, SafetensorsFormatException e) {
        String problem = e.getMessage().startsWith(source + ": ")
                ? e.getMessage().substring(source.length() + 2) : e.getMessage();
        return new SafetensorsFormatException(source, ModelFormat.unknownFormatMessage(head)
                + " Read as safetensors: " + problem, e);
    }

    /** {@code {weight, bias}} of the head (either may be null), checked against the LSTM's output size. */
    private static float[][] readHead(SafetensorsFile file, String source, int hOut)
            throws SafetensorsFormatException {
        Optional<NamedTensor> w = file.get("head.weight");
        Optional<NamedTensor> b = file.get("head.bias");
        if (w.isEmpty()) {
            if (b.isPresent()) {
                throw new SafetensorsFormatException(source, "tensor 'head.bias' without 'head.weight'");
            }
            return new float[2][];
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
            // LinearHead checks the sizes and that in_features is the LSTM's output size
            LinearHead checked = new LinearHead(w.get().toFloats(), b.isPresent() ? b.get().toFloats() : null, ws[0],
                    ws[1]);
            if (checked.inFeatures() != hOut) {
                throw new IllegalArgumentException("head in_features " + ws[1]
                        + " does not match the LSTM's output size " + hOut);
            }
            return new float[][] {w.get().toFloats(), b.isPresent() ? b.get().toFloats() : null};
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, e.getMessage());
        }
    }
}
