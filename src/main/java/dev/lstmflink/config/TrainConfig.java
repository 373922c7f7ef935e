package dev.lstmflink.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lstmflink.core.model.Activation;
import dev.lstmflink.core.model.EmbeddingConfig;
import dev.lstmflink.core.nn.DropoutConfig;
import dev.lstmflink.train.CellOptions;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.data.IdColumns;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.optim.Constraint;
import dev.lstmflink.train.optim.LrSchedule;
import dev.lstmflink.train.optim.Penalties;
import dev.lstmflink.train.optim.Regularizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of {@code jobs/train} as written in {@code config/train.yaml}: sections {@code data}, {@code model},
 * {@code optimiser} and the top-level {@code patience}, {@code seed}, {@code parallelism} and {@code report}. A key
 * left out keeps its built-in default (those of {@link TrainOptions#defaults()} where they overlap).
 *
 * <p>{@link #read} is strict: an unknown key is an error that names it (and the closest known key), a value of the
 * wrong type or out of range is an error that names the key and the value.
 */
public final class TrainConfig {

    private static final TrainOptions D = TrainOptions.defaults();

    /** How the series are cut into windows. */
    public static final class Data {
        /** T: time steps per training window. */
        public int window = 48;
        /** Distance between window starts, in rows. */
        public int stride = 1;
        /** The last part of every series kept for validation, in (0, 1). */
        @JsonProperty("validation_fraction")
        public double validationFraction = 0.2;
        /** Value columns of a key,ts,... CSV that hold categorical ids for model.embedding (none by default). */
        @JsonProperty("id_columns")
        public List<String> idColumns = new ArrayList<>();
    }

    /** nn.Embedding's arguments (model.embedding); ids_per_step is the number of data.id_columns. */
    public static final class EmbeddingSection {
        @JsonProperty("num_embeddings")
        public Integer numEmbeddings;
        @JsonProperty("embedding_dim")
        public Integer embeddingDim;
        /** Null: none; negative counts from the end, as PyTorch. */
        @JsonProperty("padding_idx")
        public Integer paddingIdx;
        /** Null: none. */
        @JsonProperty("max_norm")
        public Double maxNorm;
        @JsonProperty("norm_type")
        public double normType = 2.0;
    }

    /** The network: nn.LSTM + nn.Linear head. */
    public static final class Model {
        @JsonProperty("hidden_size")
        public int hiddenSize = 32;
        public int layers = 1;
        /** Between LSTM layers, in training (as nn.LSTM's dropout). */
        public double dropout = 0.0;
        /** Keras' dropout / Wolfram's VariationalInput: on x_t, one mask per sequence, in training. */
        @JsonProperty("input_dropout")
        public double inputDropout = D.dropout().input();
        /** Keras' recurrent_dropout / Wolfram's VariationalState: on h_{t-1}, one mask per sequence, in training. */
        @JsonProperty("recurrent_dropout")
        public double recurrentDropout = D.dropout().recurrent();
        /** Wolfram's VariationalWeights: DropConnect on W_hh, one mask per sequence, in training. */
        @JsonProperty("weight_dropout")
        public double weightDropout = D.dropout().weights();
        /** Wolfram's StateUpdate: on the cell update g_t, a fresh mask per step, in training. */
        @JsonProperty("state_update_dropout")
        public double stateUpdateDropout = D.dropout().stateUpdate();
        public Init init = D.init() == Initializers.Scheme.KERAS ? Init.KERAS : Init.PYTORCH;
        /** nn.LSTM's bias / Keras' use_bias. */
        public boolean bias = CellOptions.DEFAULT.bias();
        /** nn.LSTM's proj_size (0 = none). */
        @JsonProperty("proj_size")
        public int projSize = CellOptions.DEFAULT.projSize();
        /** Keras' activation (cell input and output): tanh, sigmoid, hard_sigmoid, relu or linear. */
        public String activation = CellOptions.DEFAULT.activation().kerasName();
        /** Keras' recurrent_activation (the gates). */
        @JsonProperty("recurrent_activation")
        public String recurrentActivation = CellOptions.DEFAULT.recurrentActivation().kerasName();
        /** Keras' unit_forget_bias; null = the init scheme's default (true for keras, false for pytorch). */
        @JsonProperty("unit_forget_bias")
        public Boolean unitForgetBias;
        /** Keras' kernel_regularizer, on every weight_ih: null, {l1: .., l2: ..}, or l1, l2, l1_l2 (0.01 each). */
        @JsonProperty("kernel_regularizer")
        public JsonNode kernelRegularizer;
        /** Keras' recurrent_regularizer, on every weight_hh. */
        @JsonProperty("recurrent_regularizer")
        public JsonNode recurrentRegularizer;
        /** Keras' bias_regularizer, on every bias_ih + bias_hh. */
        @JsonProperty("bias_regularizer")
        public JsonNode biasRegularizer;
        /** Keras' kernel_constraint: null, non_neg, max_norm, unit_norm, {max_norm: {max_value, axis}}, ... */
        @JsonProperty("kernel_constraint")
        public JsonNode kernelConstraint;
        /** Keras' recurrent_constraint, on every weight_hh. */
        @JsonProperty("recurrent_constraint")
        public JsonNode recurrentConstraint;
        /** Keras' bias_constraint, on every bias_ih + bias_hh. */
        @JsonProperty("bias_constraint")
        public JsonNode biasConstraint;
        /** nn.Embedding front end for data.id_columns; null: none. */
        public EmbeddingSection embedding;
    }

    /** Adam and the learning-rate schedule. */
    public static final class Optimiser {
        public int epochs = D.epochs();
        @JsonProperty("batch_size")
        public int batchSize = D.batchSize();
        public double lr = D.schedule().lr(0);
        public List<Double> betas = new ArrayList<>(List.of(D.beta1(), D.beta2()));
        public double eps = D.eps();
        @JsonProperty("weight_decay")
        public double weightDecay = D.weightDecay();
        @JsonProperty("clip_norm")
        public double clipNorm = D.clipNorm();
        public Schedule schedule = Schedule.CONSTANT;
        @JsonProperty("step_size")
        public int stepSize = 10;
        public double gamma = 0.1;
        /** Null: the number of epochs. */
        @JsonProperty("t_max")
        public Integer tMax;
        @JsonProperty("eta_min")
        public double etaMin = 0.0;
    }

    public enum Init { PYTORCH, KERAS }

    public enum Schedule { CONSTANT, STEP, COSINE }

    public Data data = new Data();
    public Model model = new Model();
    public Optimiser optimiser = new Optimiser();
    public int patience = D.patience();
    public long seed = D.seed();
    public int parallelism = 1;
    /** The HTML training report; null: {@code training-report.html} next to the model. */
    public String report;

    /** The built-in defaults. */
    public static TrainConfig defaults() {
        return new TrainConfig();
    }

    /** In a holder: it needs {@link #KEYS}, which is initialised after the fields above. */
    private static final class Reader {
        static final StrictYaml<TrainConfig> READER =
                new StrictYaml<>(TrainConfig.class, TrainConfig::defaults, KEYS, TrainConfig::expected);
    }

    /** Reads a YAML file; errors name the file and the key. */
    public static TrainConfig read(Path file) throws ConfigException, IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static TrainConfig parse(String yaml, String source) throws ConfigException {
        TrainConfig c = Reader.READER.parse(yaml, source);
        c.validate(source);
        return c;
    }

    /** Checks ranges; the message names the key and the value. */
    public void validate(String source) throws ConfigException {
        check(source, "data.window", data.window, data.window >= 1, "an integer >= 1");
        check(source, "data.stride", data.stride, data.stride >= 1, "an integer >= 1");
        check(source, "data.validation_fraction", data.validationFraction,
                data.validationFraction > 0 && data.validationFraction < 1, "a number in (0, 1)");
        check(source, "model.hidden_size", model.hiddenSize, model.hiddenSize >= 1, "an integer >= 1");
        check(source, "model.layers", model.layers, model.layers >= 1, "an integer >= 1");
        check(source, "model.dropout", model.dropout, model.dropout >= 0 && model.dropout < 1, "a number in [0, 1)");
        checkProbability(source, "model.input_dropout", model.inputDropout);
        checkProbability(source, "model.recurrent_dropout", model.recurrentDropout);
        checkProbability(source, "model.weight_dropout", model.weightDropout);
        checkProbability(source, "model.state_update_dropout", model.stateUpdateDropout);
        check(source, "model.proj_size", model.projSize, model.projSize >= 0 && model.projSize < model.hiddenSize,
                "an integer in [0, hidden_size = " + model.hiddenSize + ") (0 = no projection)");
        cellOptions(source);
        penalties(source);
        embeddingConfig(source);
        Optimiser o = optimiser;
        check(source, "optimiser.epochs", o.epochs, o.epochs >= 1, "an integer >= 1");
        check(source, "optimiser.batch_size", o.batchSize, o.batchSize >= 1, "an integer >= 1");
        check(source, "optimiser.lr", o.lr, o.lr > 0 && Double.isFinite(o.lr), "a number > 0");
        check(source, "optimiser.betas", o.betas, o.betas.size() == 2 && o.betas.stream()
                .allMatch(b -> b != null && b >= 0 && b < 1), "a list of two numbers in [0, 1)");
        check(source, "optimiser.eps", o.eps, o.eps > 0, "a number > 0");
        check(source, "optimiser.weight_decay", o.weightDecay, o.weightDecay >= 0, "a number >= 0");
        check(source, "optimiser.clip_norm", o.clipNorm, o.clipNorm >= 0, "a number >= 0 (0 = off)");
        check(source, "optimiser.step_size", o.stepSize, o.stepSize >= 1, "an integer >= 1");
        check(source, "optimiser.gamma", o.gamma, o.gamma > 0, "a number > 0");
        check(source, "optimiser.t_max", o.tMax, o.tMax == null || o.tMax >= 1, "an integer >= 1");
        check(source, "optimiser.eta_min", o.etaMin, o.etaMin >= 0 && o.etaMin <= o.lr, "a number in [0, lr]");
        check(source, "patience", patience, patience >= 0, "an integer >= 0 (0 = never stop early)");
        check(source, "parallelism", parallelism, parallelism >= 1, "an integer >= 1");
        check(source, "report", report, report == null || !report.isBlank(), "a file name");
    }

    private static void checkProbability(String source, String key, double p) throws ConfigException {
        check(source, key, p, p >= 0 && p < 1, "a number in [0, 1)");
    }

    private static void check(String source, String key, Object value, boolean ok, String expected)
            throws ConfigException {
        if (!ok) {
            throw new ConfigException(source + ": key '" + key + "': expected " + expected + ", got " + value);
        }
    }

    // ---------------------------------------------------------------- cell

    /** Bias, projection and activations of the LSTM ({@code model.bias}, {@code proj_size}, the activations). */
    public CellOptions cellOptions() {
        try {
            return cellOptions("config");
        } catch (ConfigException e) {
            throw new IllegalStateException("validate() accepted an invalid cell: " + e.getMessage(), e);
        }
    }

    private CellOptions cellOptions(String source) throws ConfigException {
        return new CellOptions(model.bias, model.projSize, activation(source, "model.activation", model.activation),
                activation(source, "model.recurrent_activation", model.recurrentActivation));
    }

    private static Activation activation(String source, String key, String name) throws ConfigException {
        try {
            return Activation.fromName("key '" + key + "'", name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- embedding

    /** The embedding front end of {@code model.embedding} and {@code data.id_columns}, or null for none. */
    public EmbeddingConfig embeddingConfig() {
        try {
            return embeddingConfig("config");
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The id columns with the table's size, {@link IdColumns#NONE} without an embedding. */
    public IdColumns idColumns() {
        EmbeddingConfig e = embeddingConfig();
        return e == null ? IdColumns.NONE : new IdColumns(data.idColumns, e.numEmbeddings());
    }

    private EmbeddingConfig embeddingConfig(String source) throws ConfigException {
        List<String> ids = data.idColumns;
        check(source, "data.id_columns", ids, ids.stream().allMatch(n -> n != null && !n.isBlank())
                && ids.stream().map(n -> n.trim().toLowerCase(Locale.ROOT)).distinct().count() == ids.size(),
                "a list of distinct column names");
        EmbeddingSection e = model.embedding;
        if (e == null) {
            check(source, "data.id_columns", ids, ids.isEmpty(), "no columns without model.embedding (set "
                    + "model.embedding to embed them)");
            return null;
        }
        check(source, "data.id_columns", ids, !ids.isEmpty(), "at least one id column for model.embedding");
        check(source, "model.embedding.num_embeddings", e.numEmbeddings, e.numEmbeddings != null
                && e.numEmbeddings >= 1, "an integer >= 1");
        check(source, "model.embedding.embedding_dim", e.embeddingDim, e.embeddingDim != null
                && e.embeddingDim >= 1, "an integer >= 1");
        int n = e.numEmbeddings;
        check(source, "model.embedding.padding_idx", e.paddingIdx, e.paddingIdx == null
                || (e.paddingIdx >= -n && e.paddingIdx < n), "null or an integer in [-num_embeddings, num_embeddings)");
        check(source, "model.embedding.max_norm", e.maxNorm, e.maxNorm == null
                || (e.maxNorm > 0 && Double.isFinite(e.maxNorm)), "null or a number > 0");
        check(source, "model.embedding.norm_type", e.normType, e.normType > 0 && Double.isFinite(e.normType),
                "a number > 0");
        try {
            return EmbeddingConfig.of(n, e.embeddingDim, e.paddingIdx, e.maxNorm, e.normType, ids.size());
        } catch (IllegalArgumentException x) {
            throw new ConfigException(source + ": key 'model.embedding': " + x.getMessage());
        }
    }

    // ---------------------------------------------------------------- Keras regularizers and constraints

    /** The Keras penalties of {@code model.*_regularizer} and {@code model.*_constraint}. */
    public Penalties penalties() {
        try {
            return penalties("config");
        } catch (ConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private Penalties penalties(String source) throws ConfigException {
        Model m = model;
        return new Penalties(regularizer(source, "model.kernel_regularizer", m.kernelRegularizer),
                regularizer(source, "model.recurrent_regularizer", m.recurrentRegularizer),
                regularizer(source, "model.bias_regularizer", m.biasRegularizer),
                constraint(source, "model.kernel_constraint", m.kernelConstraint, 2),
                constraint(source, "model.recurrent_constraint", m.recurrentConstraint, 2),
                constraint(source, "model.bias_constraint", m.biasConstraint, 1));
    }

    private static final String REGULARIZER = "null, {l1: NUMBER, l2: NUMBER} (numbers >= 0; one may be left out), "
            + "or l1, l2, l1_l2 (Keras' factor 0.01)";

    private static final String CONSTRAINT = "null, non_neg, max_norm, unit_norm, {max_norm: {max_value: NUMBER, "
            + "axis: AXIS}} or {unit_norm: {axis: AXIS}}";

    /** Keras' {@code regularizers.get}: a name with Keras' default factor, or the factors of L1L2. */
    static Regularizer regularizer(String source, String key, JsonNode n) throws ConfigException {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            double f = Regularizer.KERAS_DEFAULT_FACTOR;
            return switch (n.asText()) {
                case "l1" -> Regularizer.l1(f);
                case "l2" -> Regularizer.l2(f);
                case "l1_l2" -> new Regularizer(f, f);
                default -> throw bad(source, key, REGULARIZER, n);
            };
        }
        if (!n.isObject()) {
            throw bad(source, key, REGULARIZER, n);
        }
        onlyKeys(source, key, n, "l1", "l2");
        double l1 = factor(source, key + ".l1", n.get("l1"));
        double l2 = factor(source, key + ".l2", n.get("l2"));
        return new Regularizer(l1, l2);
    }

    private static double factor(String source, String key, JsonNode v) throws ConfigException {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isNumber() || !(v.asDouble() >= 0) || !Double.isFinite(v.asDouble())) {
            throw bad(source, key, "a number >= 0", v);
        }
        return v.asDouble();
    }

    /** Keras' {@code constraints.get}: a name with Keras' default arguments, or {name: {arguments}}. */
    static Constraint constraint(String source, String key, JsonNode n, int rank) throws ConfigException {
        if (n == null || n.isNull()) {
            return null;
        }
        String kind;
        JsonNode args;
        if (n.isTextual()) {
            kind = n.asText();
            args = null;
        } else if (n.isObject() && n.size() == 1) {
            kind = n.fieldNames().next();
            args = n.get(kind);
            if (args != null && !args.isNull() && !args.isObject()) {
                throw bad(source, key + "." + kind, "a section of its arguments, e.g. {axis: 0}", args);
            }
        } else {
            throw bad(source, key, CONSTRAINT, n);
        }
        String k = key + "." + kind;
        Constraint c = switch (kind) {
            case "non_neg" -> {
                onlyKeys(source, k, args);
                yield new Constraint.NonNeg();
            }
            case "max_norm" -> {
                onlyKeys(source, k, args, "max_value", "axis");
                JsonNode mv = args == null ? null : args.get("max_value");
                double max = Constraint.MaxNorm.DEFAULT_MAX_VALUE;
                if (mv != null && !mv.isNull()) {
                    if (!mv.isNumber() || !(mv.asDouble() > 0) || !Double.isFinite(mv.asDouble())) {
                        throw bad(source, k + ".max_value", "a number > 0", mv);
                    }
                    max = mv.asDouble();
                }
                yield new Constraint.MaxNorm(max, axes(source, k + ".axis", args, rank));
            }
            case "unit_norm" -> {
                onlyKeys(source, k, args, "axis");
                yield new Constraint.UnitNorm(axes(source, k + ".axis", args, rank));
            }
            default -> throw bad(source, key, CONSTRAINT, n);
        };
        return c;
    }

    /** Keras' {@code axis}: an integer or a list of them, each in [-rank, rank); 0 when left out, as Keras. */
    private static int[] axes(String source, String key, JsonNode args, int rank) throws ConfigException {
        JsonNode a = args == null ? null : args.get("axis");
        String expected = rank == 1 ? "0 or -1 (the bias has one axis)"
                : "0, 1, -1, -2 or a list of them (Keras' kernel is [inputs, 4*hidden]: 0 = the norm of each unit's "
                        + "weights)";
        if (a == null || a.isNull()) {
            return new int[] {0};
        }
        List<JsonNode> items = new ArrayList<>();
        if (a.isArray() && a.size() > 0) {
            a.forEach(items::add);
        } else {
            items.add(a);
        }
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = items.get(i);
            if (!v.isIntegralNumber() || v.asInt() < -rank || v.asInt() >= rank) {
                throw bad(source, key, expected, a);
            }
            out[i] = v.asInt();
        }
        return out;
    }

    private static void onlyKeys(String source, String key, JsonNode n, String... allowed) throws ConfigException {
        if (n == null || n.isNull()) {
            return;
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of(allowed).contains(f)) {
                throw new ConfigException(source + ": unknown key '" + key + "." + f + "' (" + (allowed.length == 0
                        ? key.substring(key.lastIndexOf('.') + 1) + " takes no arguments"
                        : "expected " + String.join(" or ", allowed)) + ")");
            }
        }
    }

    private static ConfigException bad(String source, String key, String expected, JsonNode v) {
        return new ConfigException(source + ": key '" + key + "': expected " + expected + ", got "
                + (v.isTextual() ? "\"" + v.asText() + "\"" : v.toString()));
    }

    /** The learning-rate schedule. */
    public LrSchedule schedule() {
        Optimiser o = optimiser;
        return switch (o.schedule) {
            case CONSTANT -> LrSchedule.constant(o.lr);
            case STEP -> LrSchedule.step(o.lr, o.stepSize, o.gamma);
            case COSINE -> LrSchedule.cosine(o.lr, tMax(), o.etaMin);
        };
    }

    /** The cosine schedule's period: {@code t_max}, or the number of epochs when not set. */
    public int tMax() {
        return optimiser.tMax != null ? optimiser.tMax : optimiser.epochs;
    }

    /** The training options. */
    public TrainOptions options() {
        Optimiser o = optimiser;
        TrainOptions o2 = new TrainOptions(o.epochs, o.batchSize, schedule(), o.betas.get(0), o.betas.get(1), o.eps,
                o.weightDecay, o.clipNorm, patience, seed,
                model.init == Init.KERAS ? Initializers.Scheme.KERAS : Initializers.Scheme.PYTORCH)
                .withDropout(dropout()).withPenalties(penalties());
        return model.unitForgetBias == null ? o2 : o2.withUnitForgetBias(model.unitForgetBias);
    }

    /** The dropout kinds inside the LSTM layers. */
    public DropoutConfig dropout() {
        return new DropoutConfig(model.inputDropout, model.recurrentDropout, model.weightDropout,
                model.stateUpdateDropout);
    }

    /** Every setting by its dotted key, as written in the file (for the report and the console). */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data.window", Integer.toString(data.window));
        m.put("data.stride", Integer.toString(data.stride));
        m.put("data.validation_fraction", num(data.validationFraction));
        m.put("data.id_columns", data.idColumns.toString());
        m.put("model.hidden_size", Integer.toString(model.hiddenSize));
        m.put("model.layers", Integer.toString(model.layers));
        m.put("model.dropout", num(model.dropout));
        m.put("model.input_dropout", num(model.inputDropout));
        m.put("model.recurrent_dropout", num(model.recurrentDropout));
        m.put("model.weight_dropout", num(model.weightDropout));
        m.put("model.state_update_dropout", num(model.stateUpdateDropout));
        m.put("model.init", lower(model.init));
        m.put("model.bias", Boolean.toString(model.bias));
        m.put("model.proj_size", Integer.toString(model.projSize));
        m.put("model.activation", model.activation);
        m.put("model.recurrent_activation", model.recurrentActivation);
        m.put("model.unit_forget_bias", model.unitForgetBias == null ? "null" : model.unitForgetBias.toString());
        penalties().settings().forEach((k, v) -> m.put("model." + k, v));
        EmbeddingConfig e = embeddingConfig();
        m.put("model.embedding", e == null ? "null" : dev.lstmflink.core.io.EmbeddingConfigJson.toJson(e));
        Optimiser o = optimiser;
        m.put("optimiser.epochs", Integer.toString(o.epochs));
        m.put("optimiser.batch_size", Integer.toString(o.batchSize));
        m.put("optimiser.lr", num(o.lr));
        m.put("optimiser.betas", "[" + num(o.betas.get(0)) + ", " + num(o.betas.get(1)) + "]");
        m.put("optimiser.eps", num(o.eps));
        m.put("optimiser.weight_decay", num(o.weightDecay));
        m.put("optimiser.clip_norm", num(o.clipNorm));
        m.put("optimiser.schedule", lower(o.schedule));
        if (o.schedule == Schedule.STEP) {
            m.put("optimiser.step_size", Integer.toString(o.stepSize));
            m.put("optimiser.gamma", num(o.gamma));
        } else if (o.schedule == Schedule.COSINE) {
            m.put("optimiser.t_max", Integer.toString(tMax()));
            m.put("optimiser.eta_min", num(o.etaMin));
        }
        m.put("patience", Integer.toString(patience));
        m.put("seed", Long.toString(seed));
        m.put("parallelism", Integer.toString(parallelism));
        return m;
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- error messages

    /** Every known key, dotted. */
    static final List<String> KEYS = List.of(
            "data", "data.window", "data.stride", "data.validation_fraction", "data.id_columns",
            "model", "model.hidden_size", "model.layers", "model.dropout", "model.input_dropout",
            "model.recurrent_dropout", "model.weight_dropout", "model.state_update_dropout", "model.init",
            "model.bias", "model.proj_size", "model.activation", "model.recurrent_activation", "model.unit_forget_bias",
            "model.kernel_regularizer", "model.recurrent_regularizer", "model.bias_regularizer",
            "model.kernel_constraint", "model.recurrent_constraint", "model.bias_constraint",
            "model.embedding",
            "optimiser", "optimiser.epochs", "optimiser.batch_size", "optimiser.lr", "optimiser.betas",
            "optimiser.eps", "optimiser.weight_decay", "optimiser.clip_norm", "optimiser.schedule",
            "optimiser.step_size", "optimiser.gamma", "optimiser.t_max", "optimiser.eta_min",
            "patience", "seed", "parallelism", "report");

    private static String expected(String key) {
        return switch (key) {
            case "data", "model", "optimiser" -> "expected a section (key: value lines)";
            case "model.init" -> "expected pytorch or keras";
            case "model.bias" -> "expected true or false";
            case "model.unit_forget_bias" -> "expected true, false or null (the init scheme's default)";
            case "model.activation", "model.recurrent_activation" ->
                    "expected tanh, sigmoid, hard_sigmoid, relu or linear";
            case "optimiser.schedule" -> "expected constant, step or cosine";
            case "optimiser.betas" -> "expected a list of two numbers, e.g. [0.9, 0.999]";
            case "data.id_columns" -> "expected a list of column names, e.g. [machine_state]";
            case "model.embedding" -> "expected a section (num_embeddings, embedding_dim, padding_idx, max_norm, "
                    + "norm_type) or null";
            case "model.embedding.num_embeddings", "model.embedding.embedding_dim", "model.embedding.padding_idx"
                    -> "expected an integer";
            case "report" -> "expected a file name";
            case "data.window", "data.stride", "model.hidden_size", "model.layers", "model.proj_size",
                 "optimiser.epochs",
                 "optimiser.batch_size", "optimiser.step_size", "optimiser.t_max", "patience", "seed",
                 "parallelism" -> "expected an integer";
            default -> "expected a number";
        };
    }

    static String closestKey(String unknown) {
        return Reader.READER.closestKey(unknown);
    }
}
