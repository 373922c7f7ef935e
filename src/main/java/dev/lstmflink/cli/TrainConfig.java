package dev.lstmflink.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lstmflink.core.nn.DropoutConfig;
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
    public static TrainConfig read(Path file) throws CliException, IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static TrainConfig parse(String yaml, String source) throws CliException {
        TrainConfig c = Reader.READER.parse(yaml, source);
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
        checkProbability(source, "model.input_dropout", model.inputDropout);
        checkProbability(source, "model.recurrent_dropout", model.recurrentDropout);
        checkProbability(source, "model.weight_dropout", model.weightDropout);
        checkProbability(source, "model.state_update_dropout", model.stateUpdateDropout);
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

    private static void checkProbability(String source, String key, double p) throws CliException {
        check(source, key, p, p >= 0 && p < 1, "a number in [0, 1)");
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
                model.init == Init.KERAS ? Initializers.Scheme.KERAS : Initializers.Scheme.PYTORCH)
                .withDropout(dropout());
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
        m.put("model.hidden_size", Integer.toString(model.hiddenSize));
        m.put("model.layers", Integer.toString(model.layers));
        m.put("model.dropout", num(model.dropout));
        m.put("model.input_dropout", num(model.inputDropout));
        m.put("model.recurrent_dropout", num(model.recurrentDropout));
        m.put("model.weight_dropout", num(model.weightDropout));
        m.put("model.state_update_dropout", num(model.stateUpdateDropout));
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
            "model", "model.hidden_size", "model.layers", "model.dropout", "model.input_dropout",
            "model.recurrent_dropout", "model.weight_dropout", "model.state_update_dropout", "model.init",
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

    static String closestKey(String unknown) {
        return Reader.READER.closestKey(unknown);
    }
}
