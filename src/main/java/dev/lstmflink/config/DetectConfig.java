package dev.lstmflink.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lstmflink.anomaly.LikelihoodConfig;
import dev.lstmflink.anomaly.ScoringConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

/**
 * The settings of {@code jobs/detect} as written in {@code config/detect.yaml}: sections {@code input},
 * {@code events}, {@code scoring}, {@code training}, {@code embedded}, {@code kafka}, {@code flink}, and the top-level
 * {@code model} and {@code output}. A key left out keeps its built-in default, which is the value the shipped file
 * writes. Reading is strict (see {@link StrictYaml}); {@link #validate} checks ranges and names key and value.
 *
 * <p>Which source the job reads is chosen by the command line, not here: {@code --kafka} (Kafka mode),
 * {@code --input} (CSV replay), neither (the embedded synthetic sensors).
 */
public final class DetectConfig {

    /** How records are read. */
    public static final class Input {
        /** json or csv: the format of Kafka record values (CSV replay reads CSV, the embedded source JSON). */
        public Format format = Format.JSON;
        /** Records longer than this are dead-lettered as too_large without being parsed. */
        @JsonProperty("max_record_bytes")
        public int maxRecordBytes = 65_536;
    }

    /** Event order, lateness and idle keys. */
    public static final class Events {
        /** Kafka mode: score each key's events in timestamp order (watermarks from ts); files are in order already. */
        @JsonProperty("event_time")
        public boolean eventTime = true;
        /** How far behind the newest timestamp an event may arrive and still be scored in order. */
        @JsonProperty("out_of_orderness")
        public String outOfOrderness = "5 s";
        /** Events further behind the watermark than this are dead-lettered as late. */
        @JsonProperty("allowed_lateness")
        public String allowedLateness = "0 s";
        /** A key silent for this long starts again from a fresh state; 0 s: never. */
        @JsonProperty("idle_timeout")
        public String idleTimeout = "0 s";
        /** Kafka mode, event time: a key's waiting events are scored after this much quiet (processing time). */
        @JsonProperty("quiet_release")
        public String quietRelease = "30 s";
        /** Kafka mode, event time: events stamped further ahead of the clock are dead-lettered (future_ts); 0 s: off. */
        @JsonProperty("max_ahead")
        public String maxAhead = "1 d";
    }

    /** How residuals become scores and flags ({@link ScoringConfig}). */
    public static final class Scoring {
        public ScoringConfig.Mode mode = ScoringConfig.Mode.LIKELIHOOD;
        /** The settings of the likelihood mode. */
        public Likelihood likelihood = new Likelihood();
        public int window = 500;
        @JsonProperty("recompute_every")
        public int recomputeEvery = 50;
        public int warmup = 100;
        @JsonProperty("ewma_span")
        public double ewmaSpan = 3;
        @JsonProperty("z_min")
        public double zMin = 2.5;
        @JsonProperty("z_max")
        public double zMax = 12;
        @JsonProperty("z_step")
        public double zStep = 0.5;
        @JsonProperty("prune_p")
        public double pruneP = 0.13;
        @JsonProperty("error_buffer")
        public int errorBuffer = 5;
        @JsonProperty("fixed_threshold")
        public double fixedThreshold = 0.99;
        /** A flagged event's smoothed error stays in the window clipped to the threshold it crossed. */
        @JsonProperty("clip_anomalies")
        public boolean clipAnomalies = true;
    }

    /** scoring.likelihood: {@link dev.lstmflink.anomaly.LikelihoodConfig}. */
    public static final class Likelihood {
        public int average = 20;
        @JsonProperty("level_average")
        public int levelAverage = 50;
        public int history = 4000;
        public int warmup = 100;
        public double floor = 0.05;
        @JsonProperty("spatial_tolerance")
        public double spatialTolerance = 0.05;
        public int rest = 100;
        @JsonProperty("rest_scale")
        public double restScale = 0;
        public double threshold = 0.5;
    }

    /** The model trained when there is none (the embedded source, or CSV replay with a train fraction). */
    public static final class Training {
        @JsonProperty("hidden_size")
        public int hiddenSize = 16;
        /** T: time steps per training window. */
        public int window = 48;
        public int stride = 2;
        public int epochs = 12;
        @JsonProperty("batch_size")
        public int batchSize = 32;
        public double lr = 0.005;
        public int patience = 3;
        public long seed = 42;
        @JsonProperty("validation_fraction")
        public double validationFraction = 0.2;
        /** CSV replay: train on this first part of each series (null: use the model given). */
        @JsonProperty("train_fraction")
        public Double trainFraction;
        /**
         * CSV replay: train on at most this many rows of each series, the first min(⌊train_fraction · rows⌋,
         * max_rows) (null: no cap). NAB's probationary period is min(⌊0.15 · rows⌋, 750).
         */
        @JsonProperty("max_rows")
        public Integer maxRows;
    }

    /** The built-in synthetic sensor source. */
    public static final class Embedded {
        public int sensors = 6;
        /** Readings per sensor. */
        public int points = 4000;
        /** The first readings of each sensor are anomaly-free; the model is trained on them. */
        @JsonProperty("train_points")
        public int trainPoints = 1200;
        /** Readings per simulated day (the seasonal period). */
        public int period = 96;
        /** Anomalies injected per sensor after train_points. */
        @JsonProperty("anomalies_per_sensor")
        public int anomaliesPerSensor = 5;
        /** Malformed records mixed into the stream, to show the dead-letter output. */
        @JsonProperty("bad_records")
        public int badRecords = 24;
        public long seed = 7;
    }

    /** Kafka mode. */
    public static final class Kafka {
        @JsonProperty("bootstrap_servers")
        public String bootstrapServers = "127.0.0.1:9092";
        @JsonProperty("input_topic")
        public String inputTopic = "sensor-events";
        @JsonProperty("output_topic")
        public String outputTopic = "detections";
        @JsonProperty("dead_letter_topic")
        public String deadLetterTopic = "dead-letters";
        @JsonProperty("group_id")
        public String groupId = "lstm-flink-detect";
        @JsonProperty("starting_offsets")
        public String startingOffsets = "committed";
        public Delivery delivery = Delivery.EXACTLY_ONCE;
        @JsonProperty("transactional_id_prefix")
        public String transactionalIdPrefix = "lstm-flink-detect";
        @JsonProperty("create_topics")
        public boolean createTopics = true;
        public int partitions = 4;
        /** The sinks' producers: Kafka's linger.ms, as a duration. */
        public String linger = KafkaSettings.ProducerBatching.DEFAULTS.lingerMs() + " ms";
        /** The sinks' producers: Kafka's batch.size, the most bytes of one partition's batch. */
        @JsonProperty("batch_size")
        public int batchSize = KafkaSettings.ProducerBatching.DEFAULTS.batchSize();
        /** The sinks' producers: Kafka's compression.type (none, gzip, snappy, lz4, zstd). */
        public String compression = KafkaSettings.ProducerBatching.DEFAULTS.compression();
        /** Any other Kafka client property (security.protocol, sasl.*, ssl.*, ...), as strings. */
        public Map<String, String> properties = new LinkedHashMap<>();
    }

    /** The Flink job. */
    public static final class Flink {
        public int parallelism = 1;
        /**
         * Key groups: keyed state is stored and moved in this many groups, fixed for the life of a savepoint's state
         * (see {@link #MAX_PARALLELISM_DEFAULT}).
         */
        @JsonProperty("max_parallelism")
        public int maxParallelism = MAX_PARALLELISM_DEFAULT;
        /** A restore from a savepoint written with a model of another shape: fail (refuse) or reset the keys. */
        @JsonProperty("on_state_mismatch")
        public OnStateMismatch onStateMismatch = OnStateMismatch.FAIL;
        /** Kafka mode: checkpoints commit the Kafka transactions (exactly-once output appears at this pace). */
        @JsonProperty("checkpoint_interval")
        public String checkpointInterval = "10 s";
        /** hashmap or rocksdb; null: the cluster's (state.backend.type in its config.yaml), hashmap when run locally. */
        @JsonProperty("state_backend")
        public String stateBackend;
        /**
         * Where checkpoints go (a file:// or s3:// URI); null: the cluster's (execution.checkpointing.dir), and when run
         * locally checkpoints/ under {@link #output}.
         */
        @JsonProperty("checkpoint_dir")
        public String checkpointDir;
        /** Events the detector steps per pass over the model's weights (1: each on arrival). */
        @JsonProperty("batch_size")
        public int batchSize = MicroBatch.DEFAULT.size();
        /** The longest an event waits for its batch to fill (processing time). */
        @JsonProperty("batch_max_delay")
        public String batchMaxDelay = "10 ms";
        /** Kafka mode: a savepoint or retained checkpoint to start from (Flink's execution.state-recovery.path). */
        @JsonProperty("restore_from")
        public String restoreFrom;
    }

    /**
     * 128: what Flink itself picks for a job of parallelism up to 85, written down so that it never changes. Flink
     * hashes each key to one of max-parallelism key groups and stores and moves keyed state by key group; a savepoint's
     * state restores only into the same number of key groups, and parallelism can never exceed it. Left to Flink, the
     * number follows the parallelism of the job's first run (1.5 × parallelism rounded up to a power of two, at least
     * 128: a first run at parallelism 100 gets 256), and nothing in the job says what it is; written here it is the
     * same for every run of every deployment, and raising it later means rewriting the state.
     */
    public static final int MAX_PARALLELISM_DEFAULT = 128;
    /** Flink's upper bound for max parallelism (2^15 key groups). */
    public static final int MAX_PARALLELISM_LIMIT = 1 << 15;

    public enum Format { JSON, CSV }

    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    /** The model file; null: train one (embedded, CSV replay with a train fraction) or the shipped example (Kafka). */
    public String model;
    /** A model file larger than this is refused before it is read (Flink memory size syntax: 256 mb, 1 gb). */
    @JsonProperty("model_max_bytes")
    public String modelMaxBytes = "256 mb";
    /**
     * Kafka mode: a folder (local path or URI: {@code file://}, {@code s3://}, {@code hdfs://} through Flink's file
     * systems) watched for published models, each swapped in while the job runs; null: the model never changes.
     */
    @JsonProperty("model_updates")
    public String modelUpdates;
    /** How often the {@link #modelUpdates} folder is listed (a Flink duration: 5 s, 500 ms). */
    @JsonProperty("model_updates_interval")
    public String modelUpdatesInterval = "5 s";
    /** Local modes: the folder for report.html, dead-letters.jsonl and the CSV results. */
    public String output = "target/detect";
    public Input input = new Input();
    public Events events = new Events();
    public Scoring scoring = new Scoring();
    public Training training = new Training();
    public Embedded embedded = new Embedded();
    public Kafka kafka = new Kafka();
    public Flink flink = new Flink();

    public static DetectConfig defaults() {
        return new DetectConfig();
    }

    /** Every known key, dotted. */
    static final List<String> KEYS = keys();

    private static final class Reader {
        static final StrictYaml<DetectConfig> READER =
                new StrictYaml<>(DetectConfig.class, DetectConfig::defaults, KEYS, DetectConfig::expected);
    }

    public static DetectConfig read(Path file) throws ConfigException, IOException {
        return parse(Files.readString(file), file.toString(), List.of());
    }

    /**
     * Parses YAML text, then applies {@code overrides} ({@code section.key=value}, as given to {@code --set}) before
     * binding, so an override is checked exactly as the file is: unknown keys and wrong types are errors.
     */
    public static DetectConfig parse(String yaml, String source, List<String> overrides) throws ConfigException {
        String text = yaml;
        if (!overrides.isEmpty()) {
            text = withOverrides(yaml, source, overrides);
        }
        DetectConfig c = Reader.READER.parse(text, overrides.isEmpty() ? source : source + " with --set "
                + String.join(" ", overrides));
        c.validate(source);
        return c;
    }

    private static final String PROPERTIES_PREFIX = "kafka.properties.";

    private static String withOverrides(String yaml, String source, List<String> overrides) throws ConfigException {
        try {
            JsonNode tree = StrictYaml.YAML.readTree(yaml);
            ObjectNode root = tree instanceof ObjectNode o ? o : StrictYaml.YAML.createObjectNode();
            for (String o : overrides) {
                int eq = o.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException("--set " + o + ": expected section.key=value, e.g. scoring.window=500");
                }
                String name = o.substring(0, eq).trim();
                // Kafka property names have dots of their own: kafka.properties.security.protocol is one property
                String[] path = name.startsWith(PROPERTIES_PREFIX)
                        ? new String[] {"kafka", "properties", name.substring(PROPERTIES_PREFIX.length())}
                        : name.split("\\.");
                String text = o.substring(eq + 1);
                JsonNode value = name.startsWith(PROPERTIES_PREFIX) ? StrictYaml.YAML.getNodeFactory().textNode(text)
                        : StrictYaml.YAML.readTree(text.isBlank() ? "null" : text);
                ObjectNode at = root;
                for (int i = 0; i < path.length - 1; i++) {
                    JsonNode next = at.get(path[i]);
                    if (!(next instanceof ObjectNode)) {
                        next = at.putObject(path[i]);
                    }
                    at = (ObjectNode) next;
                }
                at.set(path[path.length - 1], value);
            }
            return StrictYaml.YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot apply --set " + overrides + ": " + e.getMessage());
        }
    }

    /** Checks ranges; the message names the key and the value. */
    public void validate(String source) throws ConfigException {
        check(source, "model", model, model == null || !model.isBlank(), "a file name");
        check(source, "model_updates", modelUpdates, modelUpdates == null || !modelUpdates.isBlank(),
                "a folder (path or URI)");
        duration(source, "model_updates_interval", modelUpdatesInterval);
        check(source, "model_updates_interval", modelUpdatesInterval,
                !modelUpdatesInterval().isNegative() && modelUpdatesInterval().toMillis() >= 100, "at least 100 ms");
        check(source, "output", output, output != null && !output.isBlank(), "a folder name");
        check(source, "input.max_record_bytes", input.maxRecordBytes, input.maxRecordBytes >= 16,
                "an integer >= 16");
        duration(source, "events.out_of_orderness", events.outOfOrderness);
        duration(source, "events.allowed_lateness", events.allowedLateness);
        duration(source, "events.idle_timeout", events.idleTimeout);
        duration(source, "events.quiet_release", events.quietRelease);
        duration(source, "events.max_ahead", events.maxAhead);
        check(source, "model_max_bytes", modelMaxBytes, memorySize(modelMaxBytes) > 0, "a size such as 256 mb or 1 gb");
        try {
            scoring();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": scoring: " + e.getMessage().replace('-', '_'));
        }
        Training t = training;
        check(source, "training.hidden_size", t.hiddenSize, t.hiddenSize >= 1, "an integer >= 1");
        check(source, "training.window", t.window, t.window >= 2, "an integer >= 2");
        check(source, "training.stride", t.stride, t.stride >= 1, "an integer >= 1");
        check(source, "training.epochs", t.epochs, t.epochs >= 1, "an integer >= 1");
        check(source, "training.batch_size", t.batchSize, t.batchSize >= 1, "an integer >= 1");
        check(source, "training.lr", t.lr, t.lr > 0 && Double.isFinite(t.lr), "a number > 0");
        check(source, "training.patience", t.patience, t.patience >= 0, "an integer >= 0");
        check(source, "training.validation_fraction", t.validationFraction,
                t.validationFraction > 0 && t.validationFraction < 1, "a number in (0, 1)");
        check(source, "training.train_fraction", t.trainFraction,
                t.trainFraction == null || (t.trainFraction > 0 && t.trainFraction < 1), "a number in (0, 1)");
        check(source, "training.max_rows", t.maxRows, t.maxRows == null || t.maxRows >= 1,
                "an integer >= 1, or null for no cap");
        Embedded e = embedded;
        check(source, "embedded.sensors", e.sensors, e.sensors >= 1 && e.sensors <= 1000, "an integer in [1, 1000]");
        check(source, "embedded.period", e.period, e.period >= 8, "an integer >= 8");
        check(source, "embedded.train_points", e.trainPoints, e.trainPoints >= 4 * e.period && e.trainPoints
                >= 2 * training.window, "an integer >= 4 periods and >= 2 training windows");
        check(source, "embedded.points", e.points, e.points > e.trainPoints, "an integer > train_points ("
                + e.trainPoints + ")");
        check(source, "embedded.anomalies_per_sensor", e.anomaliesPerSensor, e.anomaliesPerSensor >= 0,
                "an integer >= 0");
        check(source, "embedded.bad_records", e.badRecords, e.badRecords >= 0, "an integer >= 0");
        duration(source, "kafka.linger", kafka.linger);
        try {
            kafkaSettings(kafka.bootstrapServers);
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(source + ": " + ex.getMessage());
        }
        check(source, "flink.parallelism", flink.parallelism, flink.parallelism >= 1, "an integer >= 1");
        check(source, "flink.max_parallelism", flink.maxParallelism,
                flink.maxParallelism >= flink.parallelism && flink.maxParallelism <= MAX_PARALLELISM_LIMIT,
                "an integer in [flink.parallelism (" + flink.parallelism + "), " + MAX_PARALLELISM_LIMIT + "]");
        check(source, "flink.on_state_mismatch", flink.onStateMismatch, flink.onStateMismatch != null,
                "fail or reset");
        check(source, "flink.batch_size", flink.batchSize, flink.batchSize >= 1 && flink.batchSize <= MicroBatch.MAX_SIZE,
                "an integer in [1, " + MicroBatch.MAX_SIZE + "]");
        check(source, "flink.batch_max_delay", flink.batchMaxDelay,
                parses(flink.batchMaxDelay) && !TimeUtils.parseDuration(flink.batchMaxDelay).isZero(),
                "a duration > 0, e.g. 10 ms");
        check(source, "flink.checkpoint_interval", flink.checkpointInterval,
                parses(flink.checkpointInterval) && !checkpointInterval().isZero(), "a duration > 0, e.g. 10 s");
        check(source, "flink.state_backend", flink.stateBackend, flink.stateBackend == null
                || "hashmap".equals(flink.stateBackend) || "rocksdb".equals(flink.stateBackend),
                "hashmap, rocksdb or null (the cluster's)");
    }

    private static void check(String source, String key, Object value, boolean ok, String expected)
            throws ConfigException {
        if (!ok) {
            throw new ConfigException(source + ": key '" + key + "': expected " + expected + ", got " + value);
        }
    }

    private static void duration(String source, String key, String value) throws ConfigException {
        check(source, key, value, parses(value), "a duration such as 500 ms, 5 s, 10 min, 24 h");
    }

    /** The size in bytes, or -1 when it is not a size. */
    private static long memorySize(String v) {
        try {
            return v == null ? -1 : MemorySize.parseBytes(v);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** {@link #modelMaxBytes} in bytes. */
    public long modelMaxBytes() {
        return memorySize(modelMaxBytes);
    }

    /** {@link Events#maxAhead}: zero for no limit. */
    public Duration maxAhead() {
        return TimeUtils.parseDuration(events.maxAhead);
    }

    private static boolean parses(String d) {
        try {
            return d != null && !TimeUtils.parseDuration(d).isNegative();
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- typed views

    public ScoringConfig scoring() {
        Scoring s = scoring;
        return new ScoringConfig(s.mode, s.window, s.recomputeEvery, s.warmup, s.ewmaSpan, s.zMin, s.zMax, s.zStep,
                s.pruneP, s.errorBuffer, s.fixedThreshold, s.clipAnomalies,
                new LikelihoodConfig(s.likelihood.average, s.likelihood.levelAverage, s.likelihood.history, s.likelihood.warmup,
                        s.likelihood.floor, s.likelihood.spatialTolerance, s.likelihood.rest, s.likelihood.restScale,
                        s.likelihood.threshold));
    }

    /** The detector's event order and expiry; {@code eventTime} only applies to the Kafka mode. */
    public DetectOptions detectOptions(boolean eventTimeSource) {
        return new DetectOptions(eventTimeSource && events.eventTime,
                TimeUtils.parseDuration(events.allowedLateness), TimeUtils.parseDuration(events.idleTimeout),
                flink.onStateMismatch, TimeUtils.parseDuration(events.quietRelease),
                new MicroBatch(flink.batchSize, TimeUtils.parseDuration(flink.batchMaxDelay)));
    }

    public Duration outOfOrderness() {
        return TimeUtils.parseDuration(events.outOfOrderness);
    }

    public Duration modelUpdatesInterval() {
        return TimeUtils.parseDuration(modelUpdatesInterval);
    }

    public Duration checkpointInterval() {
        return TimeUtils.parseDuration(flink.checkpointInterval);
    }

    /** The Kafka settings with the given bootstrap servers (the {@code --kafka} flag, or the file's). */
    public KafkaSettings kafkaSettings(String bootstrapServers) {
        Kafka k = kafka;
        return new KafkaSettings(bootstrapServers, k.inputTopic, k.outputTopic, k.deadLetterTopic, k.groupId,
                k.startingOffsets, k.delivery == Delivery.EXACTLY_ONCE, k.transactionalIdPrefix, k.createTopics,
                k.partitions, k.properties, new KafkaSettings.ProducerBatching(
                        TimeUtils.parseDuration(k.linger).toMillis(), k.batchSize, k.compression));
    }

    // ---------------------------------------------------------------- error messages

    private static List<String> keys() {
        List<String> out = new ArrayList<>();
        collect("", StrictYaml.YAML.valueToTree(new DetectConfig()), out);
        for (String nullByDefault : List.of("model", "model_updates", "training.train_fraction", "training.max_rows",
                "flink.checkpoint_dir", "flink.restore_from")) {
            if (!out.contains(nullByDefault)) {
                out.add(nullByDefault);
            }
        }
        return List.copyOf(out);
    }

    private static void collect(String prefix, JsonNode node, List<String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = prefix + f.getKey();
            if (!out.contains(key)) {
                out.add(key);
            }
            if (f.getValue().isObject() && !key.equals("kafka.properties")) {
                collect(key + ".", f.getValue(), out);
            }
        }
    }

    private static String expected(String key) {
        return switch (key) {
            case "input", "events", "scoring", "training", "embedded", "kafka", "flink" ->
                    "expected a section (key: value lines)";
            case "kafka.properties" -> "expected a section of Kafka client properties (name: value)";
            case "input.format" -> "expected json or csv";
            case "scoring.mode" -> "expected likelihood, dynamic or fixed";
            case "scoring.likelihood" -> "expected a section (key: value lines)";
            case "kafka.delivery" -> "expected exactly_once or at_least_once";
            case "flink.on_state_mismatch" -> "expected fail or reset";
            case "events.event_time", "kafka.create_topics", "scoring.clip_anomalies" -> "expected true or false";
            case "model", "model_max_bytes", "model_updates", "model_updates_interval", "output", "events.out_of_orderness", "events.allowed_lateness",
                 "events.idle_timeout", "events.quiet_release", "events.max_ahead",
                 "kafka.bootstrap_servers", "kafka.input_topic", "kafka.output_topic", "kafka.dead_letter_topic",
                 "kafka.group_id", "kafka.starting_offsets", "kafka.transactional_id_prefix", "kafka.linger",
                 "kafka.compression", "flink.checkpoint_interval", "flink.batch_max_delay", "flink.state_backend",
                 "flink.checkpoint_dir", "flink.restore_from" -> "expected a string";
            case "scoring.ewma_span", "scoring.z_min", "scoring.z_max", "scoring.z_step", "scoring.prune_p",
                 "scoring.fixed_threshold", "scoring.likelihood.floor", "scoring.likelihood.spatial_tolerance",
                 "scoring.likelihood.rest_scale", "scoring.likelihood.threshold", "training.lr", "training.validation_fraction",
                 "training.train_fraction" -> "expected a number";
            default -> key.startsWith("kafka.properties.") ? "expected a string" : "expected an integer";
        };
    }

    /** Every setting by dotted key (for the run summary). */
    public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        flatten("", StrictYaml.YAML.valueToTree(this), m);
        return m;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isObject()) {
                flatten(prefix + f.getKey() + ".", f.getValue(), out);
            } else {
                out.put(prefix + f.getKey(), f.getValue().isTextual() ? f.getValue().asText()
                        : f.getValue().toString().toLowerCase(Locale.ROOT));
            }
        }
    }
}
