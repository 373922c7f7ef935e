package dev.lstmflink.core.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.LstmConfig;
import java.util.Iterator;
import java.util.Set;

/**
 * {@link LstmConfig} as the JSON of {@code nn.LSTM}'s keyword arguments ({@code {"input_size": 3, ...}}), the form
 * stored in a model file's {@code __metadata__} under {@code lstm_config}.
 *
 * <p>The Keras options ({@code activation}, {@code recurrent_activation} by Keras name, {@code go_backwards},
 * {@code zero_output_for_mask}) are written only when they differ from the defaults, so a PyTorch-compatible
 * model's JSON is exactly what it was before
 * they existed; JSON without them reads as the defaults.
 */
public final class LstmConfigJson {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("input_size", "hidden_size", "num_layers", "bias", "batch_first",
            "dropout", "bidirectional", "proj_size", "activation", "recurrent_activation", "go_backwards",
            "zero_output_for_mask");

    private LstmConfigJson() {}

    public static String toJson(LstmConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("input_size", c.inputSize());
        o.put("hidden_size", c.hiddenSize());
        o.put("num_layers", c.numLayers());
        o.put("bias", c.bias());
        o.put("batch_first", c.batchFirst());
        o.put("dropout", c.dropout());
        o.put("bidirectional", c.bidirectional());
        o.put("proj_size", c.projSize());
        if (c.activation() != Activation.TANH) {
            o.put("activation", c.activation().kerasName());
        }
        if (c.recurrentActivation() != Activation.SIGMOID) {
            o.put("recurrent_activation", c.recurrentActivation().kerasName());
        }
        if (c.goBackwards()) {
            o.put("go_backwards", true);
        }
        if (c.zeroOutputForMask()) {
            o.put("zero_output_for_mask", true);
        }
        return o.toString();
    }

    /**
     * Parses the JSON; keys that are absent take their values from {@code defaults}. Unknown keys and values of the
     * wrong type are errors naming the key.
     */
    public static LstmConfig fromJson(String json, LstmConfig defaults) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("LSTM config is not valid JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("LSTM config must be a JSON object, got: " + json);
        }
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("LSTM config has an unknown key '" + key + "' (known: " + KEYS + ")");
            }
        }
        return new LstmConfig(
                intOf(o, "input_size", defaults.inputSize()),
                intOf(o, "hidden_size", defaults.hiddenSize()),
                intOf(o, "num_layers", defaults.numLayers()),
                boolOf(o, "bias", defaults.bias()),
                boolOf(o, "batch_first", defaults.batchFirst()),
                doubleOf(o, "dropout", defaults.dropout()),
                boolOf(o, "bidirectional", defaults.bidirectional()),
                intOf(o, "proj_size", defaults.projSize()),
                activationOf(o, "activation", defaults.activation()),
                activationOf(o, "recurrent_activation", defaults.recurrentActivation()),
                boolOf(o, "go_backwards", defaults.goBackwards()),
                boolOf(o, "zero_output_for_mask", defaults.zeroOutputForMask()));
    }

    private static Activation activationOf(JsonNode o, String key, Activation dflt) {
        JsonNode v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("LSTM config '" + key + "' must be a string, got " + v);
        }
        return Activation.fromName("LSTM config '" + key + "'", v.textValue());
    }

    private static int intOf(JsonNode o, String key, int dflt) {
        JsonNode v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("LSTM config '" + key + "' must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static boolean boolOf(JsonNode o, String key, boolean dflt) {
        JsonNode v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("LSTM config '" + key + "' must be true or false, got " + v);
        }
        return v.booleanValue();
    }

    private static double doubleOf(JsonNode o, String key, double dflt) {
        JsonNode v = o.get(key);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("LSTM config '" + key + "' must be a number, got " + v);
        }
        return v.doubleValue();
    }
}
