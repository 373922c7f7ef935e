package dev.lstmflink.core.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.core.model.LstmLayout;
import dev.lstmflink.core.model.LstmLayout.TensorSpec;
import dev.lstmflink.core.model.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An LSTM as Wolfram's named arrays, in JSON: what {@code NetExtract[lstm, "InputGateInputWeights"]} and its siblings
 * give for a {@code LongShortTermMemoryLayer[n]} on inputs of size k, so that a Wolfram Language user can export a
 * trained net with {@code Export["m.json", ..., "RawJSON"]} and stream it here, and the other way round.
 *
 * <p>Wolfram documents the layer as (reference.wolfram.com/language/ref/LongShortTermMemoryLayer.html)
 * <pre>
 * i_t = σ(W_ix x_t + W_is s_{t-1} + b_i)    o_t = σ(W_ox x_t + W_os s_{t-1} + b_o)
 * f_t = σ(W_fx x_t + W_fs s_{t-1} + b_f)    m_t = tanh(W_mx x_t + W_ms s_{t-1} + b_m)
 * c_t = f_t * c_{t-1} + i_t * m_t           s_t = o_t * tanh(c_t)
 * </pre>
 * which is PyTorch's {@code nn.LSTM} with the memory gate m as PyTorch's g. The arrays map to PyTorch's row blocks
 * (gate order i, f, g, o) of {@code weight_ih_l*} {@code [4n, k]} and {@code weight_hh_l*} {@code [4n, n]}:
 *
 * <pre>
 * XGateInputWeights  n×k  = weight_ih[block X]        (X = Input: 0, Forget: 1, Memory: 2, Output: 3)
 * XGateStateWeights  n×n  = weight_hh[block X]
 * XGateBiases        n    = bias_ih[block X] + bias_hh[block X]   (Wolfram has one bias per gate)
 * </pre>
 * Reading puts the biases in {@code bias_ih} and zeros in {@code bias_hh}; writing sums the two PyTorch biases in
 * double and rounds once to float32, so a PyTorch model's outputs move by float32 rounding only.
 *
 * <h2>Layout</h2>
 * <pre>
 * {
 *   "format": "wolfram-lstm",
 *   "layers": [                                  // stacked LSTM layers, the first reads the input
 *     { "InputGateInputWeights": [[...], ...],   // n rows of k (layer 0) or D·n (later layers) numbers
 *       "InputGateStateWeights": [[...], ...],   // n×n
 *       "InputGateBiases": [...],                // n; the four *Biases are all absent when bias=false
 *       "OutputGate...", "ForgetGate...", "MemoryGate..." (the same three arrays each),
 *       "Backward": { the same twelve arrays }   // only in a bidirectional LSTM: the reverse direction
 *     }, ...
 *   ],
 *   "head": { "Weights": [[...]], "Biases": [...] },  // optional: a LinearLayer[K] on the last layer's output
 *   "metadata": { "lstm_config": "{...}", "normalization": "{...}", "model_version": "..." }  // optional strings
 * }
 * </pre>
 * Numbers are float32 values written in the shortest decimal that reads back to the same float; unknown keys,
 * duplicate keys, missing arrays, wrong shapes and numbers outside float32's range are errors that name the array.
 * The metadata entries are those of a safetensors model file: {@code lstm_config} supplies {@code batch_first} and
 * {@code dropout} (and must agree with the shapes), {@code model_version} names the model. A projection
 * ({@code proj_size > 0}) has no Wolfram counterpart and is refused by {@link #write}.
 */
public final class WolframLstmJson {

    /** The value of the {@code "format"} field. */
    public static final String FORMAT = "wolfram-lstm";

    /** Wolfram's gate names in PyTorch's block order i, f, g, o. */
    public static final List<String> GATES = List.of("InputGate", "ForgetGate", "MemoryGate", "OutputGate");

    private static final String BACKWARD = "Backward";
    private static final Set<String> TOP_KEYS = Set.of("format", "layers", "head", "metadata");
    private static final Set<String> HEAD_KEYS = Set.of("Weights", "Biases");

    /**
     * Numbers as BigDecimal, converted with {@link Float#parseFloat} on their text: one correctly rounded step from
     * the decimal to float32 (a double in between could round twice).
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private WolframLstmJson() {}

    /** The names of the arrays of one direction of a layer, in PyTorch's order (gate by gate: input, state, bias). */
    public static List<String> arrayNames(boolean bias) {
        List<String> names = new ArrayList<>();
        for (String g : GATES) {
            names.add(g + "InputWeights");
            names.add(g + "StateWeights");
            if (bias) {
                names.add(g + "Biases");
            }
        }
        return names;
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    /** Parses and checks a wolfram-lstm JSON file. */
    public static ModelContents read(byte[] bytes, String source) throws SafetensorsFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(source, "not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at byte " + e.getLocation().getByteOffset()), e);
        } catch (IOException e) {
            throw new SafetensorsFormatException(source, "JSON could not be parsed: " + e.getMessage(), e);
        }
        return new Reader(source).read(root);
    }

    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        ModelContents read(JsonNode root) throws SafetensorsFormatException {
            if (root == null || !root.isObject()) {
                throw fail("a model file in JSON must be an object, got " + SafetensorsReader.describe(
                        root == null ? MAPPER.missingNode() : root));
            }
            JsonNode format = root.get("format");
            if (format == null || !format.isTextual() || !format.textValue().equals(FORMAT)) {
                throw fail("a JSON file, but its \"format\" is " + (format == null ? "missing"
                        : SafetensorsReader.describe(format)) + "; JSON model files must have \"format\": \""
                        + FORMAT + "\". Known formats: " + ModelFormat.knownFormats());
            }
            checkKeys(root, TOP_KEYS, "the top level");
            Map<String, String> metadata = metadata(root.get("metadata"));
            JsonNode layers = root.get("layers");
            if (layers == null || !layers.isArray() || layers.isEmpty()) {
                throw fail("\"layers\" must be a non-empty array of layers, got "
                        + (layers == null ? "nothing" : SafetensorsReader.describe(layers)));
            }
            for (int l = 0; l < layers.size(); l++) {
                if (!layers.get(l).isObject()) {
                    throw fail("layers[" + l + "] must be an object of named arrays, got "
                            + SafetensorsReader.describe(layers.get(l)));
                }
            }
            JsonNode first = layers.get(0);
            boolean bias = first.has("InputGateBiases");
            boolean bidirectional = first.has(BACKWARD);
            int n = rows(first, "InputGateStateWeights", "layers[0]");
            int k = columns(first, "InputGateInputWeights", "layers[0]");
            LstmConfig inferred;
            try {
                inferred = new LstmConfig(k, n, layers.size(), bias, false, 0.0, bidirectional, 0);
            } catch (IllegalArgumentException e) {
                throw fail("the arrays give an invalid LSTM: " + e.getMessage());
            }
            LstmConfig config = LstmSafetensors.withDeclaredConfig(metadata, inferred, source);
            // Every shape is checked, without allocating, before the parameters are: a crafted file of a few empty
            // rows must not make us reserve n×n floats. Afterwards each parameter is a number present in the file.
            List<JsonNode> directions = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int l = 0; l < layers.size(); l++) {
                JsonNode layer = layers.get(l);
                String where = "layers[" + l + "]";
                List<String> allowed = new ArrayList<>(arrayNames(bias));
                if (bidirectional) {
                    allowed.add(BACKWARD);
                }
                checkKeys(layer, Set.copyOf(allowed), where + " (as layers[0]: bias " + bias + ", bidirectional "
                        + bidirectional + ")");
                directions.add(layer);
                names.add(where);
                if (bidirectional) {
                    JsonNode back = layer.get(BACKWARD);
                    if (back == null || !back.isObject()) {
                        throw fail(where + "." + BACKWARD + " must be an object of named arrays (layers[0] has one)");
                    }
                    checkKeys(back, Set.copyOf(arrayNames(bias)), where + "." + BACKWARD);
                    directions.add(back);
                    names.add(where + "." + BACKWARD);
                }
            }
            int n2 = config.hiddenSize();
            for (int i = 0; i < directions.size(); i++) {
                int in = config.layerInputSize(i / config.numDirections());
                for (String gate : GATES) {
                    checkShape(directions.get(i), gate + "InputWeights", names.get(i), n2, in);
                    checkShape(directions.get(i), gate + "StateWeights", names.get(i), n2, n2);
                    if (bias) {
                        checkShape(directions.get(i), gate + "Biases", names.get(i), n2, -1);
                    }
                }
            }
            LstmLayout layout = new LstmLayout(config);
            float[] params = new float[layout.size()];
            for (int i = 0; i < directions.size(); i++) {
                direction(directions.get(i), names.get(i), config, layout, i / config.numDirections(),
                        i % config.numDirections(), params);
            }
            float[][] head = head(root.get("head"), config.outputSize());
            try {
                return new ModelContents(ModelFormat.WOLFRAM_JSON, config, params, head[0], head[1],
                        head[0] == null ? 0 : head[0].length / config.outputSize(), metadata);
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage());
            }
        }

        /** One direction of one layer into the flat parameters, through PyTorch's tensors. */
        private void direction(JsonNode arrays, String where, LstmConfig config, LstmLayout layout, int l, int d,
                               float[] params) throws SafetensorsFormatException {
            int n = config.hiddenSize();
            int in = config.layerInputSize(l);
            for (TensorSpec spec : layout.tensors()) {
                if (spec.cell() != layout.cell(l, d)) {
                    continue;
                }
                double[] rowMajor = new double[spec.elementCount()];
                for (int g = 0; g < 4; g++) {
                    String gate = GATES.get(g);
                    switch (spec.kind()) {
                        case WEIGHT_IH -> matrix(arrays, gate + "InputWeights", where, n, in, rowMajor, g * n * in);
                        case WEIGHT_HH -> matrix(arrays, gate + "StateWeights", where, n, n, rowMajor, g * n * n);
                        case BIAS_IH -> vector(arrays, gate + "Biases", where, n, rowMajor, g * n);
                        case BIAS_HH -> { } // zeros: Wolfram's one bias went to bias_ih
                        case WEIGHT_HR -> throw new IllegalStateException("no projection in a Wolfram LSTM");
                    }
                }
                layout.pack(spec, rowMajor, Precision.F32, params);
            }
        }

        private float[][] head(JsonNode head, int hOut) throws SafetensorsFormatException {
            if (head == null || head.isNull()) {
                return new float[2][];
            }
            if (!head.isObject()) {
                throw fail("\"head\" must be an object with Weights (and Biases), got "
                        + SafetensorsReader.describe(head));
            }
            checkKeys(head, HEAD_KEYS, "head");
            int out = rows(head, "Weights", "head");
            checkShape(head, "Weights", "head", out, hOut);
            if (head.has("Biases")) {
                checkShape(head, "Biases", "head", out, -1);
            }
            double[] w = new double[out * hOut];
            matrix(head, "Weights", "head", out, hOut, w, 0);
            double[] b = null;
            if (head.has("Biases")) {
                b = new double[out];
                vector(head, "Biases", "head", out, b, 0);
            }
            return new float[][] {toFloats(w), b == null ? null : toFloats(b)};
        }

        private Map<String, String> metadata(JsonNode node) throws SafetensorsFormatException {
            Map<String, String> m = new LinkedHashMap<>();
            if (node == null) {
                return m;
            }
            if (!node.isObject()) {
                throw fail("\"metadata\" must be an object of strings, got " + SafetensorsReader.describe(node));
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!e.getValue().isTextual()) {
                    throw fail("metadata value for key " + SafetensorsReader.quote(e.getKey())
                            + " must be a string, got " + SafetensorsReader.describe(e.getValue()));
                }
                m.put(e.getKey(), e.getValue().textValue());
            }
            return m;
        }

        private int rows(JsonNode parent, String name, String where) throws SafetensorsFormatException {
            JsonNode a = array(parent, name, where);
            if (a.isEmpty()) {
                throw fail(where + "." + name + " has no rows");
            }
            return a.size();
        }

        private int columns(JsonNode parent, String name, String where) throws SafetensorsFormatException {
            JsonNode a = array(parent, name, where);
            if (a.isEmpty() || !a.get(0).isArray()) {
                throw fail(where + "." + name + " must be a matrix (an array of rows), got "
                        + SafetensorsReader.describe(a));
            }
            return a.get(0).size();
        }

        /** A matrix of {@code rows×cols} numbers, or a vector of {@code rows} when {@code cols < 0}. */
        private void checkShape(JsonNode parent, String name, String where, int rows, int cols)
                throws SafetensorsFormatException {
            JsonNode a = array(parent, name, where);
            String shape = cols < 0 ? "[" + rows + "]" : rows + "×" + cols;
            if (a.size() != rows) {
                throw fail(where + "." + name + " has " + a.size() + (cols < 0 ? " entries" : " rows")
                        + ", expected shape " + shape);
            }
            if (cols >= 0) {
                for (int r = 0; r < rows; r++) {
                    JsonNode row = a.get(r);
                    if (!row.isArray() || row.size() != cols) {
                        throw fail(where + "." + name + "[" + r + "] must be a row of " + cols + " numbers (shape "
                                + shape + "), got " + SafetensorsReader.describe(row));
                    }
                }
            }
        }

        private JsonNode array(JsonNode parent, String name, String where) throws SafetensorsFormatException {
            JsonNode a = parent.get(name);
            if (a == null) {
                throw fail(where + " has no array \"" + name + "\"");
            }
            if (!a.isArray()) {
                throw fail(where + "." + name + " must be an array, got " + SafetensorsReader.describe(a));
            }
            return a;
        }

        private void matrix(JsonNode parent, String name, String where, int rows, int cols, double[] out, int off)
                throws SafetensorsFormatException {
            JsonNode a = array(parent, name, where);
            if (a.size() != rows) {
                throw fail(where + "." + name + " has " + a.size() + " rows, expected " + rows + " (shape "
                        + rows + "×" + cols + ")");
            }
            for (int r = 0; r < rows; r++) {
                JsonNode row = a.get(r);
                if (!row.isArray() || row.size() != cols) {
                    throw fail(where + "." + name + "[" + r + "] must be a row of " + cols + " numbers (shape "
                            + rows + "×" + cols + "), got " + SafetensorsReader.describe(row));
                }
                for (int c = 0; c < cols; c++) {
                    out[off + r * cols + c] = number(row.get(c), where + "." + name + "[" + r + "][" + c + "]");
                }
            }
        }

        private void vector(JsonNode parent, String name, String where, int size, double[] out, int off)
                throws SafetensorsFormatException {
            JsonNode a = array(parent, name, where);
            if (a.size() != size) {
                throw fail(where + "." + name + " has " + a.size() + " entries, expected " + size);
            }
            for (int i = 0; i < size; i++) {
                out[off + i] = number(a.get(i), where + "." + name + "[" + i + "]");
            }
        }

        private float number(JsonNode v, String where) throws SafetensorsFormatException {
            if (!v.isNumber()) {
                throw fail(where + " must be a number, got " + SafetensorsReader.describe(v));
            }
            float f = Float.parseFloat(v.asText());
            if (!Float.isFinite(f)) {
                throw fail(where + " = " + SafetensorsReader.describe(v) + " is outside float32's range");
            }
            return f;
        }

        private void checkKeys(JsonNode node, Set<String> allowed, String where) throws SafetensorsFormatException {
            for (String key : (Iterable<String>) node::fieldNames) {
                if (!allowed.contains(key)) {
                    throw fail(where + ": unknown key " + SafetensorsReader.quote(key) + " (allowed: "
                            + new java.util.TreeSet<>(allowed) + ")");
                }
            }
        }

        private SafetensorsFormatException fail(String problem) {
            return new SafetensorsFormatException(source, problem);
        }
    }

    // ---- writing ------------------------------------------------------------------------------------------------

    /**
     * The model as wolfram-lstm JSON (UTF-8), each named array on one line.
     *
     * @throws IllegalArgumentException when the LSTM has a projection (Wolfram's layer has none), the model has an
     *                                  embedding front end (this format has no place for its table), or a value is
     *                                  not finite (JSON has no NaN or infinity)
     */
    public static byte[] write(ModelContents model) {
        LstmConfig c = model.config();
        if (model.embedding() != null) {
            throw new IllegalArgumentException("the model has an embedding front end ("
                    + EmbeddingConfigJson.WEIGHT_NAME + " " + model.embedding().config().numEmbeddings() + " x "
                    + model.embedding().config().embeddingDim() + "); wolfram-lstm JSON holds the LSTM and the head "
                    + "only, so it has no form of this model");
        }
        if (c.projSize() > 0) {
            throw new IllegalArgumentException("proj_size " + c.projSize() + ": Wolfram's LongShortTermMemoryLayer "
                    + "has no projection, so this LSTM has no wolfram-lstm form");
        }
        LstmLayout layout = new LstmLayout(c);
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode layers = root.putArray("layers");
        int n = c.hiddenSize();
        for (int l = 0; l < c.numLayers(); l++) {
            ObjectNode layer = layers.addObject();
            writeDirection(layer, layout, model.params(), l, 0, n);
            if (c.bidirectional()) {
                writeDirection(layer.putObject(BACKWARD), layout, model.params(), l, 1, n);
            }
        }
        if (model.headWeight() != null) {
            ObjectNode head = root.putObject("head");
            putMatrix(head, "Weights", widen(model.headWeight()), 0, model.headOut(), c.outputSize());
            if (model.headBias() != null) {
                putVector(head, "Biases", widen(model.headBias()), 0, model.headOut());
            }
        }
        ObjectNode meta = root.putObject("metadata");
        Map<String, String> m = new LinkedHashMap<>(model.metadata());
        m.put(LstmSafetensors.CONFIG_KEY, LstmConfigJson.toJson(c));
        m.forEach(meta::put);
        return toText(root).getBytes(StandardCharsets.UTF_8);
    }

    private static void writeDirection(ObjectNode out, LstmLayout layout, float[] params, int l, int d, int n) {
        String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
        int in = layout.config().layerInputSize(l);
        double[] ih = unpack(layout, params, "weight_ih" + suffix);
        double[] hh = unpack(layout, params, "weight_hh" + suffix);
        double[] bias = null;
        if (layout.config().bias()) {
            double[] bih = unpack(layout, params, "bias_ih" + suffix);
            double[] bhh = unpack(layout, params, "bias_hh" + suffix);
            bias = new double[bih.length];
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) (bih[i] + bhh[i]);   // summed in double, rounded once
            }
        }
        for (int g = 0; g < 4; g++) {
            String gate = GATES.get(g);
            putMatrix(out, gate + "InputWeights", ih, g * n * in, n, in);
            putMatrix(out, gate + "StateWeights", hh, g * n * n, n, n);
            if (bias != null) {
                putVector(out, gate + "Biases", bias, g * n, n);
            }
        }
    }

    private static double[] unpack(LstmLayout layout, float[] params, String name) {
        for (TensorSpec spec : layout.tensors()) {
            if (spec.name().equals(name)) {
                return layout.unpack(spec, Precision.F32, params);
            }
        }
        throw new IllegalStateException("no tensor " + name + " in " + LstmConfigJson.toJson(layout.config()));
    }

    private static void putMatrix(ObjectNode out, String name, double[] v, int off, int rows, int cols) {
        ArrayNode m = out.putArray(name);
        for (int r = 0; r < rows; r++) {
            ArrayNode row = m.addArray();
            for (int j = 0; j < cols; j++) {
                row.add(finite(v[off + r * cols + j], name));
            }
        }
    }

    private static void putVector(ObjectNode out, String name, double[] v, int off, int size) {
        ArrayNode a = out.putArray(name);
        for (int i = 0; i < size; i++) {
            a.add(finite(v[off + i], name));
        }
    }

    private static float finite(double v, String name) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " holds " + v + ", which JSON cannot represent");
        }
        return (float) v;
    }

    /** Indented objects, each named array on one line: readable, diffable, and still small. */
    private static String toText(ObjectNode root) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withArrayIndenter(DefaultPrettyPrinter.NopIndenter.instance);
        try {
            return MAPPER.writer(printer).writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the wolfram-lstm JSON", e);
        }
    }

    private static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
