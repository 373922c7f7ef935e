package dev.lstmflink.core.io.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a Keras weights file cannot tell: the layer options of the model, from the JSON Keras writes as
 * {@code config.json} in a {@code .keras} archive (the same as {@code model.to_json()}), or Keras' own defaults.
 *
 * <p>Only a {@code Sequential} model is read: {@code InputLayer} and {@code Dropout} (identity at inference) are
 * skipped, then one or more {@code LSTM} layers, then at most one {@code Dense}. Other layer classes are refused by
 * name. LSTM activations (tanh, sigmoid, hard_sigmoid, relu, linear), {@code go_backwards} and
 * {@code zero_output_for_mask} reach the model's config; what the core does not have (another activation, a Dense activation other than linear) is refused when
 * the model is read; options that
 * do not matter at inference ({@code dropout}, {@code recurrent_dropout}, {@code unit_forget_bias}, initializers,
 * regularizers, constraints, {@code stateful}, {@code return_state}) are ignored.
 *
 * @param layers  the LSTM and Dense layers, in model order, or null for {@link #defaults()}
 * @param origin  where the config came from, for messages and the model's metadata
 */
public record KerasModelConfig(List<Layer> layers, String origin) {

    /** Layers that hold no weights and do nothing at inference. */
    private static final Set<String> SKIPPED = Set.of("InputLayer", "Dropout");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One LSTM or Dense layer.
     *
     * @param className          {@code "LSTM"} or {@code "Dense"}
     * @param name               the layer's name in the model ({@code config.name})
     * @param units              H for an LSTM, K for a Dense
     * @param activation         LSTM: the cell input/output activation; Dense: its activation
     * @param recurrentActivation LSTM only: the gate activation (null for Dense)
     * @param useBias            whether the layer has a bias variable
     * @param returnSequences    LSTM only: whether the layer outputs every step (false: only the last)
     * @param goBackwards        LSTM only: whether the layer reads its sequence backwards
     * @param zeroOutputForMask  LSTM only: whether masked steps output zeros (Keras' {@code zero_output_for_mask})
     */
    public record Layer(String className, String name, int units, String activation, String recurrentActivation,
                        boolean useBias, boolean returnSequences, boolean goBackwards,
                        boolean zeroOutputForMask) {

        public boolean isLstm() {
            return "LSTM".equals(className);
        }
    }

    public KerasModelConfig {
        layers = layers == null ? null : List.copyOf(layers);
    }

    /**
     * Keras' defaults for every LSTM ({@code activation="tanh"}, {@code recurrent_activation="sigmoid"}) and a linear
     * Dense: the layers and sizes are then taken from the weights file alone.
     */
    public static KerasModelConfig defaults() {
        return new KerasModelConfig(null, "Keras defaults (no config given)");
    }

    public boolean isDefaults() {
        return layers == null;
    }

    /**
     * Parses the model JSON ({@code config.json} of a {@code .keras} archive, or {@code model.to_json()}).
     *
     * @param origin where the JSON came from, e.g. a file path
     */
    public static KerasModelConfig parse(String json, String origin) throws KerasFormatException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new KerasFormatException(origin, "the Keras model config is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new KerasFormatException(origin, "the Keras model config must be a JSON object");
        }
        String cls = root.path("class_name").asText("");
        if (!"Sequential".equals(cls)) {
            throw new KerasFormatException(origin, "the Keras model is a '" + cls
                    + "'; only a Sequential model of LSTM (and Dense) layers can be read so far");
        }
        JsonNode list = root.path("config").path("layers");
        if (!list.isArray()) {
            throw new KerasFormatException(origin, "the Sequential config has no 'layers' list");
        }
        List<Layer> layers = new ArrayList<>();
        for (JsonNode l : list) {
            String lc = l.path("class_name").asText("");
            JsonNode c = l.path("config");
            String name = c.path("name").asText("?");
            if (SKIPPED.contains(lc)) {
                continue;
            }
            if ("LSTM".equals(lc)) {
                layers.add(new Layer(lc, name, units(c, name, origin), activation(c, "activation", "tanh"),
                        activation(c, "recurrent_activation", "sigmoid"), c.path("use_bias").asBoolean(true),
                        c.path("return_sequences").asBoolean(false), c.path("go_backwards").asBoolean(false),
                        c.path("zero_output_for_mask").asBoolean(false)));
            } else if ("Dense".equals(lc)) {
                layers.add(new Layer(lc, name, units(c, name, origin), activation(c, "activation", "linear"), null,
                        c.path("use_bias").asBoolean(true), true, false, false));
            } else {
                throw new KerasFormatException(origin, "layer '" + name + "' is a " + lc
                        + "; only InputLayer, LSTM, Dropout and one final Dense can be read so far");
            }
        }
        return new KerasModelConfig(layers, origin);
    }

    private static int units(JsonNode c, String layer, String origin) throws KerasFormatException {
        JsonNode u = c.get("units");
        if (u == null || !u.isIntegralNumber() || u.intValue() <= 0) {
            throw new KerasFormatException(origin, "layer '" + layer + "' has units=" + u
                    + "; expected a positive integer");
        }
        return u.intValue();
    }

    /** Keras 3 serializes a built-in activation as its name; older configs as {@code {"config": name, ...}}. */
    private static String activation(JsonNode c, String key, String dflt) {
        JsonNode a = c.get(key);
        if (a == null || a.isNull()) {
            return dflt;
        }
        if (a.isTextual()) {
            return a.textValue();
        }
        JsonNode inner = a.get("config");
        if (inner != null && inner.isTextual()) {
            return inner.textValue();
        }
        if (inner != null && inner.path("name").isTextual()) {
            return inner.path("name").textValue();
        }
        return a.toString();
    }
}
