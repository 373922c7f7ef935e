package dev.lstmflink.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.model.EmbeddingConfig;
import java.util.Iterator;
import java.util.Set;

/**
 * {@link EmbeddingConfig} as the JSON of {@code nn.Embedding}'s keyword arguments plus {@code ids_per_step}
 * ({@code {"num_embeddings": 12, "embedding_dim": 4, "padding_idx": 0, "max_norm": null, "norm_type": 2.0,
 * "ids_per_step": 1}}), stored in a model file's {@code __metadata__} under {@value #METADATA_KEY} beside the tensor
 * {@code embedding.weight [N, D]}. Absent keys take PyTorch's defaults ({@code padding_idx} and {@code max_norm} none,
 * {@code norm_type} 2, one id per step); {@code num_embeddings} and {@code embedding_dim} may be absent only when the
 * tensor gives them ({@link #fromJson(String, int, int)}).
 */
public final class EmbeddingConfigJson {

    /** The metadata entry of the embedding's config. */
    public static final String METADATA_KEY = "embedding_config";
    /** The tensor of the table, {@code [num_embeddings, embedding_dim]}, as {@code nn.Embedding} names it. */
    public static final String WEIGHT_NAME = "embedding.weight";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("num_embeddings", "embedding_dim", "padding_idx", "max_norm",
            "norm_type", "ids_per_step");

    private EmbeddingConfigJson() {}

    public static String toJson(EmbeddingConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("num_embeddings", c.numEmbeddings());
        o.put("embedding_dim", c.embeddingDim());
        if (c.hasPadding()) {
            o.put("padding_idx", c.paddingIdx());
        } else {
            o.putNull("padding_idx");
        }
        if (c.hasMaxNorm()) {
            o.put("max_norm", c.maxNorm());
        } else {
            o.putNull("max_norm");
        }
        o.put("norm_type", c.normType());
        o.put("ids_per_step", c.idsPerStep());
        return o.toString();
    }

    /** Parses a config that names both sizes. Unknown keys and values of the wrong type are errors naming the key. */
    public static EmbeddingConfig fromJson(String json) {
        return fromJson(json, -1, -1);
    }

    /**
     * Parses the JSON, with {@code num_embeddings} and {@code embedding_dim} from the table's shape when the JSON has
     * none (pass -1 when there is no table); when both give them they must agree.
     */
    public static EmbeddingConfig fromJson(String json, int tableRows, int tableCols) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("embedding config is not valid JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("embedding config must be a JSON object, got: " + json);
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("embedding config has an unknown key '" + key + "' (known: "
                        + KEYS + ")");
            }
        }
        int n = size(o, "num_embeddings", tableRows);
        int d = size(o, "embedding_dim", tableCols);
        JsonNode pad = o.get("padding_idx");
        Integer paddingIdx = pad == null || pad.isNull() ? null : intValue("padding_idx", pad);
        JsonNode max = o.get("max_norm");
        Double maxNorm = max == null || max.isNull() ? null : number("max_norm", max);
        JsonNode p = o.get("norm_type");
        double normType = p == null || p.isNull() ? 2.0 : number("norm_type", p);
        JsonNode k = o.get("ids_per_step");
        int ids = k == null || k.isNull() ? 1 : intValue("ids_per_step", k);
        return EmbeddingConfig.of(n, d, paddingIdx, maxNorm, normType, ids);
    }

    private static int size(JsonNode o, String key, int fromTable) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) {
            if (fromTable < 0) {
                throw new IllegalArgumentException("embedding config has no '" + key + "' and there is no "
                        + WEIGHT_NAME + " to take it from");
            }
            return fromTable;
        }
        int n = intValue(key, v);
        if (fromTable >= 0 && n != fromTable) {
            throw new IllegalArgumentException("embedding config '" + key + "' is " + n + " but " + WEIGHT_NAME
                    + " has " + fromTable);
        }
        return n;
    }

    private static int intValue(String key, JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("embedding config '" + key + "' must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static double number(String key, JsonNode v) {
        if (!v.isNumber()) {
            throw new IllegalArgumentException("embedding config '" + key + "' must be a number, got " + v);
        }
        return v.doubleValue();
    }
}
