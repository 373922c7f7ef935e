package dev.lstmflink.core.io;

import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.nn.Embedding;
import dev.lstmflink.core.nn.LinearHead;
import dev.lstmflink.core.nn.Lstm;
import dev.lstmflink.core.nn.LstmModel;
import java.util.Map;

/**
 * What every model file format reads into, whatever its names and gate order: the LSTM's config and float32
 * parameters in {@link LstmLayout}'s order (PyTorch's gates i, f, g, o), the optional dense head as PyTorch's
 * {@code nn.Linear} holds it, the optional embedding front end ({@code embedding.weight}, safetensors only: the other
 * formats have no embedding), and the string metadata ({@code lstm_config}, {@code normalization},
 * {@code model_version}, ...). {@link LstmModelFile} makes the runnable {@link LstmModel} from it, writers
 * ({@link WolframLstmJson#write}) and {@code lstm inspect} read the arrays from it.
 *
 * @param format     the format it was read from
 * @param config     the LSTM's arguments
 * @param params     the LSTM's parameters, {@code new LstmLayout(config).size()} values (not copied)
 * @param headWeight the head's {@code weight [K, Hout]}, row-major, or null when there is no head
 * @param headBias   the head's {@code bias [K]}, or null
 * @param headOut    K, or 0 when there is no head
 * @param metadata   the file's metadata
 * @param embedding  the embedding of the steps' categorical ids, or null when the file has none
 */
public record ModelContents(ModelFormat format, LstmConfig config, float[] params, float[] headWeight,
                            float[] headBias, int headOut, Map<String, String> metadata, Embedding embedding) {

    public ModelContents {
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));   // in file order
        int size = new LstmLayout(config).size();
        if (params.length != size) {
            throw new IllegalArgumentException("the LSTM " + LstmConfigJson.toJson(config) + " has " + size
                    + " parameters, got " + params.length);
        }
        if (headWeight == null && (headBias != null || headOut != 0)) {
            throw new IllegalArgumentException("a head bias or out_features without a head weight");
        }
        if (embedding != null && embedding.numericInputs(config.inputSize()) < 0) {
            throw new IllegalArgumentException("the embedding's ids_per_step x embedding_dim = "
                    + embedding.config().embeddedWidth() + " is more than the LSTM's input_size "
                    + config.inputSize());
        }
    }

    /** Without an embedding. */
    public ModelContents(ModelFormat format, LstmConfig config, float[] params, float[] headWeight, float[] headBias,
                         int headOut, Map<String, String> metadata) {
        this(format, config, params, headWeight, headBias, headOut, metadata, null);
    }

    /** The LSTM on this JVM's preferred float32 kernel. */
    public Lstm<float[]> lstm() {
        return Lstm.f32(config, params);
    }

    /** The head, or null. */
    public LinearHead head() {
        return headWeight == null ? null : new LinearHead(headWeight, headBias, headOut, config.outputSize());
    }

    /** The runnable model, named {@code version}. */
    public LstmModel toModel(String version) {
        return new LstmModel(lstm(), head(), embedding, version, metadata);
    }

    /** The sum of the parameters of the LSTM, the head and the embedding. */
    public long parameterCount() {
        return params.length + (headWeight == null ? 0L : headWeight.length)
                + (headBias == null ? 0L : headBias.length)
                + (embedding == null ? 0L : embedding.weight().length);
    }
}
