package dev.lstmflink.cluster;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The detection job in Kafka mode as the cluster tests submit it: {@code dev.lstmflink.cli.DetectJob} from
 * {@code target/lstm-flink-job.jar}, with a settings file of the test's own ({@code --config}), so that the job on the
 * cluster and a reference run in the test read the very same settings: arrival order ({@code events.event_time:
 * false}), exactly-once, the hashmap state backend, checkpoints into the test's folder, the scoring mode stated
 * explicitly, and a small warm-up (and, for the dynamic mode, window) so that each key's short history reaches
 * thresholds and flags.
 */
final class DetectJobSetup {

    static final Path JOB_JAR = Path.of("target", "lstm-flink-job.jar").toAbsolutePath();
    static final String ENTRY_CLASS = "dev.lstmflink.cli.DetectJob";
    static final Path MODEL = Path.of("examples", "sensor_lstm.safetensors").toAbsolutePath();
    static final int PARTITIONS = 4;

    final String bootstrap;
    final String in;
    final String out;
    final String dlq;
    final Path configFile;

    /** As {@link #DetectJobSetup(Path, String, String, int, String, ScoringConfig.Mode)} in the shipped default mode. */
    DetectJobSetup(Path dir, String bootstrap, String name, int parallelism, String checkpointInterval)
            throws Exception {
        this(dir, bootstrap, name, parallelism, checkpointInterval, DetectConfig.defaults().scoring.mode);
    }

    /**
     * Writes the settings file {@code dir/detect.yaml}.
     *
     * @param parallelism       the job's parallelism
     * @param checkpointInterval a Flink duration, e.g. {@code 1 s}
     * @param mode              the scoring mode; either way the warm-up is 20 events (the dynamic mode's window 50)
     */
    DetectJobSetup(Path dir, String bootstrap, String name, int parallelism, String checkpointInterval,
            ScoringConfig.Mode mode) throws Exception {
        this.bootstrap = bootstrap;
        this.in = name + "-in";
        this.out = name + "-detections";
        this.dlq = name + "-dead-letters";
        this.configFile = dir.resolve("detect.yaml").toAbsolutePath();
        Files.writeString(configFile, String.join("\n",
                "# written by " + DetectJobSetup.class.getName(),
                "input:",
                "  format: json",
                "  max_record_bytes: 1024",
                "events:",
                "  event_time: false",
                "scoring:",
                "  mode: " + mode.name().toLowerCase(Locale.ROOT),
                "  likelihood:",
                "    warmup: 20",
                "  window: 50",
                "  warmup: 20",
                "  recompute_every: 10",
                "kafka:",
                "  group_id: " + name,
                "  starting_offsets: earliest",
                "  delivery: exactly_once",
                "  transactional_id_prefix: " + name,
                "  create_topics: false",
                "  partitions: " + PARTITIONS,
                "flink:",
                "  parallelism: " + parallelism,
                "  checkpoint_interval: " + checkpointInterval,
                "  state_backend: hashmap",
                "  checkpoint_dir: " + dir.resolve("job-checkpoints").toAbsolutePath().toUri(),
                ""));
    }

    /**
     * Leaves the state backend and the checkpoint storage to the cluster: drops {@code flink.state_backend} and
     * {@code flink.checkpoint_dir} from the job's settings.
     */
    void leaveStateToTheCluster() throws Exception {
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(configFile)) {
            if (!line.startsWith("  state_backend:") && !line.startsWith("  checkpoint_dir:")) {
                kept.add(line);
            }
        }
        Files.write(configFile, kept);
    }

    /** The settings, as the job reads them. */
    DetectConfig config() throws Exception {
        return DetectConfig.read(configFile);
    }

    /** The three topics, {@value #PARTITIONS} partitions each. */
    void createTopics() throws Exception {
        KafkaSettings s = new KafkaSettings(bootstrap, in, out, dlq, "setup", "earliest", false, null, true,
                PARTITIONS, Map.of());
        Topics.ensure(s);
    }

    /** DetectJob's program arguments. */
    List<String> args() {
        return new ArrayList<>(List.of("--config", configFile.toString(), "--kafka", bootstrap,
                "--input-topic", in, "--output-topic", out, "--dead-letter-topic", dlq, "--model", MODEL.toString()));
    }
}
