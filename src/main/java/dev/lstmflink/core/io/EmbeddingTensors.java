package dev.lstmflink.core.io;

import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.nn.Embedding;
import java.util.Map;
import java.util.Optional;

/**
 * The embedding front end in a safetensors model file, as PyTorch's {@code state_dict} of a module with a child
 * {@code embedding} ({@code nn.Embedding}) saves it: the tensor {@value EmbeddingConfigJson#WEIGHT_NAME}
 * {@code [num_embeddings, embedding_dim]} (F32, F64, F16 or BF16, as the LSTM's tensors) and the metadata entry
 * {@value EmbeddingConfigJson#METADATA_KEY} with {@code nn.Embedding}'s arguments and {@code ids_per_step}
 * ({@link EmbeddingConfigJson}).
 *
 * <p>Reading ({@link #read}):
 * <ul>
 *   <li>tensor and metadata: the config from the metadata, whose sizes, when it gives them, must match the tensor;</li>
 *   <li>tensor without metadata (a PyTorch {@code state_dict} saved as it is): N and D from the tensor's shape and
 *       PyTorch's defaults for the rest, i.e. {@code nn.Embedding(N, D)} with no {@code padding_idx} (which only
 *       matters in training), no {@code max_norm}, and one id per step;</li>
 *   <li>metadata without tensor, a tensor that is not two-dimensional or not floating point, another tensor under
 *       {@code embedding.}, or {@code ids_per_step × embedding_dim} above the LSTM's {@code input_size}: a
 *       {@link SafetensorsFormatException} naming the tensor or field and the value.</li>
 * </ul>
 * Writing: {@link #tensor(Embedding)} and {@link #metadata(EmbeddingConfig)}, for the trainer to add to the tensors
 * and metadata it passes to {@link LstmSafetensors#toFile}.
 */
public final class EmbeddingTensors {

    private static final String PREFIX = "embedding.";

    private EmbeddingTensors() {}

    /** {@code embedding.weight [N, D]} in F32, the table as it is (no max_norm rescale applied). */
    public static NamedTensor tensor(Embedding embedding) {
        return tensor(embedding, DType.F32);
    }

    /**
     * {@code embedding.weight [N, D]} in {@code dtype}: F32, F64 (exact), or F16/BF16 (each value rounded to nearest,
     * ties to even, as PyTorch's {@code .half()} and {@code .bfloat16()}).
     */
    public static NamedTensor tensor(Embedding embedding, DType dtype) {
        EmbeddingConfig c = embedding.config();
        int[] shape = {c.numEmbeddings(), c.embeddingDim()};
        float[] w = embedding.weight();
        return switch (dtype) {
            case F32 -> NamedTensor.ofFloats(EmbeddingConfigJson.WEIGHT_NAME, shape, w);
            case F64 -> {
                double[] d = new double[w.length];
                for (int i = 0; i < w.length; i++) {
                    d[i] = w[i];
                }
                yield NamedTensor.ofDoubles(EmbeddingConfigJson.WEIGHT_NAME, shape, d);
            }
            case F16, BF16 -> NamedTensor.ofHalf(EmbeddingConfigJson.WEIGHT_NAME, dtype, shape, w);
            default -> throw new IllegalArgumentException("embedding.weight is written as F32, F64, F16 or BF16, got "
                    + dtype);
        };
    }

    /** The metadata entry {@code embedding_config -> JSON} that goes beside the tensor. */
    public static Map<String, String> metadata(EmbeddingConfig config) {
        return Map.of(EmbeddingConfigJson.METADATA_KEY, EmbeddingConfigJson.toJson(config));
    }

    /**
     * The embedding of a file (see the class comment), or null when it has neither {@code embedding.weight} nor the
     * {@code embedding_config} entry.
     *
     * @param lstmInputSize the LSTM's {@code input_size}, which must hold the {@code ids_per_step × embedding_dim}
     *                      embedded values (the rest are the numeric values, possibly none)
     */
    public static Embedding read(SafetensorsFile file, String source, int lstmInputSize)
            throws SafetensorsFormatException {
        String weightName = EmbeddingConfigJson.WEIGHT_NAME;
        String key = EmbeddingConfigJson.METADATA_KEY;
        for (String name : file.names()) {
            if (name.startsWith(PREFIX) && !name.equals(weightName)) {
                throw new SafetensorsFormatException(source, "unexpected tensor '" + name + "': an nn.Embedding "
                        + "child 'embedding' has only '" + weightName + "'");
            }
        }
        Optional<NamedTensor> t = file.get(weightName);
        String json = file.metadata().get(key);
        if (t.isEmpty()) {
            if (json != null) {
                throw new SafetensorsFormatException(source, "metadata " + key + " " + json + " but no tensor '"
                        + weightName + "' [num_embeddings, embedding_dim]");
            }
            return null;
        }
        NamedTensor w = t.get();
        int[] shape = w.shape();
        if (shape.length != 2 || shape[0] == 0 || shape[1] == 0) {
            throw new SafetensorsFormatException(source, "tensor '" + weightName + "' has shape " + w.shapeString()
                    + ", expected [num_embeddings, embedding_dim], both > 0");
        }
        if (!w.isFloatingPoint()) {
            throw new SafetensorsFormatException(source, "tensor '" + weightName + "' has dtype " + w.dtype()
                    + "; it must be F32, F64, F16 or BF16");
        }
        EmbeddingConfig config;
        try {
            config = json == null ? EmbeddingConfig.of(shape[0], shape[1])
                    : EmbeddingConfigJson.fromJson(json, shape[0], shape[1]);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(source, "metadata " + key + ": " + e.getMessage());
        }
        if (config.embeddedWidth() > lstmInputSize) {
            throw new SafetensorsFormatException(source, "metadata " + key + ": ids_per_step " + config.idsPerStep()
                    + " x embedding_dim " + config.embeddingDim() + " = " + config.embeddedWidth()
                    + " embedded values per step, more than the LSTM's input_size " + lstmInputSize
                    + (json == null ? " (no " + key + " entry: nn.Embedding's defaults, one id per step)" : ""));
        }
        return new Embedding(config, w.toFloats());
    }
}
