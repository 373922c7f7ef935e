package dev.lstmflink.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lstmflink.train.TrainOptions;
import dev.lstmflink.train.model.Initializers;
import dev.lstmflink.train.optim.LrSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    }

    /** The network: nn.LSTM + nn.Linear head. */
    public static final class Model {
        @JsonProperty("hidden_size")
        public int hiddenSize = 32;
        public int layers = 1;
        /** Between LSTM layers, in training (as nn.LSTM's dropout). */
        public double dropout = 0.0;
        public Init init = D.init() == Initializers.Scheme.KERAS ? Init.KERAS : Init.PYTORCH;
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

    private static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .defaultSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SKIP))
            .build();

    /** Reads a YAML file; errors name the file and the key. */
    public static TrainConfig read(Path file) throws CliException, IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static TrainConfig parse(String yaml, String source) throws CliException {
        JsonNode tree;
        try {
            tree = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new CliException(source + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            return defaults();   // an empty file: all defaults
        }
        if (!tree.isObject()) {
            throw new CliException(source + ": expected a mapping of settings (key: value), got " + tree.getNodeType()
                    .toString().toLowerCase(Locale.ROOT));
        }
        TrainConfig c;
        try {
            c = YAML.treeToValue(tree, TrainConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String key = dotted(e.getPath());
            String hint = closestKey(key);
            throw new CliException(source + ": unknown key '" + key + "'" + (hint != null ? " (did you mean '"
                    + hint + "'?)" : ""));
        } catch (JsonMappingException e) {
            String key = dotted(e.getPath());
            JsonNode v = at(tree, e.getPath());
            throw new CliException(source + ": key '" + key + "': " + expected(key) + ", got "
                    + (v == null ? "?" : v.isTextual() ? "\"" + v.asText() + "\"" : v.toString()));
        } catch (JacksonException e) {
            throw new CliException(source + ": " + e.getOriginalMessage());
        }
        c.validate(source);
        return c;
    }

    /** Checks ranges; the message names the key and the value. */
    public void validate(String source) throws CliException {
        check(source, "data.window", data.window, data.window >= 1, "an integer >= 1");
        check(source, "data.stride", data.stride, data.stride >= 1, "an integer >= 1");
        check(source, "data.validation_fraction", data.validationFraction,
                data.validationFraction > 0 && data.validationFraction < 1, "a number in (0, 1)");
        check(source, "model.hidden_size", model.hiddenSize, model.hiddenSize >= 1, "an integer >= 1");
        check(source, "model.layers", model.layers, model.layers >= 1, "an integer >= 1");
        check(source, "model.dropout", model.dropout, model.dropout >= 0 && model.dropout < 1, "a number in [0, 1)");
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

    private static void check(String source, String key, Object value, boolean ok, String expected)
            throws CliException {
        if (!ok) {
            throw new CliException(source + ": key '" + key + "': expected " + expected + ", got " + value);
        }
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
        return new TrainOptions(o.epochs, o.batchSize, schedule(), o.betas.get(0), o.betas.get(1), o.eps,
                o.weightDecay, o.clipNorm, patience, seed,
                model.init == Init.KERAS ? Initializers.Scheme.KERAS : Initializers.Scheme.PYTORCH);
    }

    /** Every setting by its dotted key, as written in the file (for the report and the console). */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data.window", Integer.toString(data.window));
        m.put("data.stride", Integer.toString(data.stride));
        m.put("data.validation_fraction", num(data.validationFraction));
        m.put("model.hidden_size", Integer.toString(model.hiddenSize));
        m.put("model.layers", Integer.toString(model.layers));
        m.put("model.dropout", num(model.dropout));
        m.put("model.init", lower(model.init));
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
            "data", "data.window", "data.stride", "data.validation_fraction",
            "model", "model.hidden_size", "model.layers", "model.dropout", "model.init",
            "optimiser", "optimiser.epochs", "optimiser.batch_size", "optimiser.lr", "optimiser.betas",
            "optimiser.eps", "optimiser.weight_decay", "optimiser.clip_norm", "optimiser.schedule",
            "optimiser.step_size", "optimiser.gamma", "optimiser.t_max", "optimiser.eta_min",
            "patience", "seed", "parallelism", "report");

    private static String expected(String key) {
        return switch (key) {
            case "data", "model", "optimiser" -> "expected a section (key: value lines)";
            case "model.init" -> "expected pytorch or keras";
            case "optimiser.schedule" -> "expected constant, step or cosine";
            case "optimiser.betas" -> "expected a list of two numbers, e.g. [0.9, 0.999]";
            case "report" -> "expected a file name";
            case "data.window", "data.stride", "model.hidden_size", "model.layers", "optimiser.epochs",
                 "optimiser.batch_size", "optimiser.step_size", "optimiser.t_max", "patience", "seed",
                 "parallelism" -> "expected an integer";
            default -> "expected a number";
        };
    }

    /**
     * The known key closest to an unknown one: the same leaf name in another section, else the key with the least
     * edit distance of its leaf name (at most a third of the name's length, at least 2), same section first.
     */
    static String closestKey(String unknown) {
        int dot = unknown.lastIndexOf('.');
        String section = dot < 0 ? "" : unknown.substring(0, dot);
        String leaf = normalise(unknown.substring(dot + 1));
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        for (String k : KEYS) {
            int kd = k.lastIndexOf('.');
            String kSection = kd < 0 ? "" : k.substring(0, kd);
            int d = distance(leaf, normalise(k.substring(kd + 1)));
            int score = 2 * d + (kSection.equals(section) ? 0 : 1);
            if (d <= Math.max(2, leaf.length() / 3) && score < bestScore) {
                best = k;
                bestScore = score;
            }
        }
        return best;
    }

    private static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replace('-', '_');
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String dotted(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : path) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> path) {
        JsonNode n = root;
        for (JsonMappingException.Reference r : path) {
            if (n == null) {
                return null;
            }
            n = r.getFieldName() != null ? n.get(r.getFieldName()) : r.getIndex() >= 0 ? n.get(r.getIndex()) : n;
        }
        return n;
    }
}
