package dev.lstmflink.train;

import dev.lstmflink.core.io.DType;
import dev.lstmflink.core.io.EmbeddingConfigJson;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.LstmSafetensors;
import dev.lstmflink.core.io.NamedTensor;
import dev.lstmflink.core.io.SafetensorsFile;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.train.model.SequenceModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained model as one safetensors file that {@code load_state_dict} of a PyTorch module with children
 * {@code lstm} ({@code nn.LSTM}) and {@code head} ({@code nn.Linear}) takes as it is, and that the streaming job loads:
 * tensors {@code lstm.weight_ih_l0}, …, {@code head.weight}, {@code head.bias}; metadata {@code lstm_config},
 * {@code head}, {@code normalization} ({@code {"mean": [...], "std": [...]}}, {@code x_norm = (x − mean) / std}),
 * {@code training} (a JSON summary) and {@code model_version}. A model with an embedding front end also gets the
 * tensor {@code embedding.weight [N, D]} (child {@code embedding}, an {@code nn.Embedding}) and the metadata entry
 * {@code embedding_config} ({@link EmbeddingConfigJson}); its normalization covers the numeric values only.
 */
public final class ModelFileWriter {

    private ModelFileWriter() {}

    public static SafetensorsFile toFile(SequenceModel<float[]> model, String normalizationJson, String trainingJson,
                                         String version) {
        List<NamedTensor> head = new ArrayList<>();
        int k = model.head().outFeatures();
        head.add(NamedTensor.ofFloats("head.weight", new int[] {k, model.head().inFeatures()}, model.headWeight()));
        if (model.headBias() != null) {
            head.add(NamedTensor.ofFloats("head.bias", new int[] {k}, model.headBias()));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        if (model.embedding() != null) {
            EmbeddingConfig e = model.embedding();
            head.add(NamedTensor.ofFloats(EmbeddingConfigJson.WEIGHT_NAME,
                    new int[] {e.numEmbeddings(), e.embeddingDim()}, model.embeddingWeight()));
            meta.put(EmbeddingConfigJson.METADATA_KEY, EmbeddingConfigJson.toJson(e));
        }
        meta.put("head", model.head().toJson());
        meta.put("normalization", normalizationJson);
        meta.put("training", trainingJson);
        meta.put(LstmModelFile.VERSION_KEY, version);
        return LstmSafetensors.toFile(model.lstm(), "lstm.", DType.F32, head, meta);
    }

    public static void write(Path path, SequenceModel<float[]> model, String normalizationJson, String trainingJson,
                             String version) throws IOException {
        toFile(model, normalizationJson, trainingJson, version).write(path);
    }
}
