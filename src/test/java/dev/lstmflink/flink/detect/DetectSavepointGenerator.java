package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.KafkaJobPhases.Sent;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.kafka.Topics;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.testutil.TestBroker;
import dev.lstmflink.testutil.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Writes the savepoint fixture {@code src/test/resources/savepoints/detect-v1/} that {@link SavepointCompatibilityITCase}
 * restores: a savepoint of the Kafka detection job as this release builds it, taken with events still waiting in the
 * event-time buffers, the model it ran with, and the detections the job wrote after resuming from it.
 *
 * <p>The scenario: a fresh in-JVM broker; {@value #KEYS} sensors in {@value #PARTITIONS} partitions of topic
 * {@value #IN}; steps [0, {@value #BEFORE}) of every key produced; the job ({@code KafkaRun}'s graph, event time,
 * exactly-once, max parallelism 128) started at parallelism {@value #PARALLELISM} and stopped with a savepoint without
 * drain once it has scored every event the watermark passed (the last 5 s of each key wait in the buffers); steps
 * [{@value #BEFORE}, {@value #STEPS}) produced; the job resumed from the savepoint <em>as copied into the output
 * folder</em> (so the copy is checked to restore from a new place), stopped with drain once it has read everything. The
 * detections it committed after the resume are {@code expected-detections.jsonl}, one JSON detection per line, by key
 * and then in the order written.
 *
 * <p>Rerun it only to make a new fixture (a deliberate change of the state format goes with a new folder,
 * {@code detect-v2}, and the old one stays, so that the old savepoints keep being restored). From the project folder:
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
 * java --add-modules=jdk.incubator.vector \
 *     -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     dev.lstmflink.flink.detect.DetectSavepointGenerator src/test/resources/savepoints/detect-v1
 * </pre>
 * It refuses to write into a folder that holds a savepoint already. The event data and the model follow from fixed
 * seeds; the savepoint's bytes do not (ids, timestamps), the detections do.
 */
public final class DetectSavepointGenerator {

    static final int KEYS = 12;
    static final int PARTITIONS = 2;
    /** Steps produced before the savepoint. */
    static final int BEFORE = 24;
    static final int STEPS = 34;
    static final int PARALLELISM = 2;
    static final long T0 = 1_700_000_000_000L;
    static final long STEP_MS = 1_000;
    static final String IN = "detect-v1-in";
    static final String SAVEPOINT = "savepoint";
    static final String MODEL_FILE = "model.safetensors";
    static final String EXPECTED = "expected-detections.jsonl";

    private DetectSavepointGenerator() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DetectSavepointGenerator FOLDER   (e.g. src/test/resources/savepoints/detect-v1)");
            System.exit(2);
        }
        Path out = Path.of(args[0]).toAbsolutePath();
        if (Files.exists(out.resolve(SAVEPOINT))) {
            System.err.println(out.resolve(SAVEPOINT) + " exists: a fixture is never overwritten; write a new folder");
            System.exit(1);
        }
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("detect-savepoint-generator");
        byte[] model = TestModels.withHead(LstmConfig.of(1, 8), 1, 21);
        try (TestBroker broker = TestBroker.start(Files.createDirectories(work.resolve("broker")))) {
            DetectConfig c = config("detect-v1", work);
            Topics.ensure(c.kafkaSettings(broker.bootstrap));
            String topic = c.kafka.outputTopic;

            KafkaJobPhases.produce(broker.bootstrap, IN, events(0, BEFORE));
            var first = KafkaJobPhases.start(c, broker.bootstrap, model, null, "detect-v1: before the savepoint");
            KafkaJobPhases.awaitRecords(broker.bootstrap, topic, Map.of(), scoredBeforeTheSavepoint());
            String written = KafkaJobPhases.stop(first, work.resolve("savepoints").toUri().toString(), false)
                    .savepoint();
            Path savepoint = out.resolve(SAVEPOINT);
            copy(Path.of(java.net.URI.create(written)), savepoint);
            Files.write(out.resolve(MODEL_FILE), model);

            KafkaJobPhases.produce(broker.bootstrap, IN, events(BEFORE, STEPS));
            Map<Integer, Long> from = KafkaJobPhases.endOffsets(broker.bootstrap, topic, true);
            var resumed = KafkaJobPhases.start(c, broker.bootstrap, model, savepoint.toUri().toString(),
                    "detect-v1: resumed");
            KafkaJobPhases.awaitRecords(broker.bootstrap, topic, from, scoredAfterResumeUpTo(STEPS));
            KafkaJobPhases.stop(resumed, work.resolve("savepoints").toUri().toString(), true);
            List<ConsumerRecord<byte[], byte[]>> after = KafkaJobPhases.read(broker.bootstrap, topic, true, from);

            List<String> lines = new ArrayList<>();
            KafkaJobPhases.byKey(after).entrySet().stream()
                    .sorted(Map.Entry.comparingByKey(Comparator.comparingInt(k -> Integer.parseInt(k.substring(1)))))
                    .forEach(e -> e.getValue().forEach(d -> lines.add(DetectionJson.toJson(d))));
            if (lines.size() != KEYS * STEPS - (int) scoredBeforeTheSavepoint()) {
                throw new IllegalStateException("the resumed job wrote " + lines.size() + " detections, expected "
                        + (KEYS * STEPS - scoredBeforeTheSavepoint()));
            }
            Files.write(out.resolve(EXPECTED), lines, StandardCharsets.UTF_8);
            System.out.printf(Locale.ROOT, "wrote %s: savepoint of %d files, %,d bytes; %d expected detections%n", out,
                    fileCount(savepoint), size(savepoint), lines.size());
        } finally {
            // the savepoint names paths under it (inline state keeps its would-be file name): gone, they cannot be read
            delete(work);
        }
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    /**
     * The job's settings: the shipped defaults of release detect-v1 (event time, 5 s out-of-orderness, exactly-once,
     * max parallelism 128, dynamic scoring) but a scoring window of 20 and a warm-up of 10, to keep the savepoint
     * small. The scoring mode is set explicitly: detect-v1 was written in the dynamic mode (keyed state
     * {@code scoring}), the default until the likelihood mode replaced it.
     */
    static DetectConfig config(String run, Path work) {
        DetectConfig c = DetectConfig.defaults();
        c.scoring.mode = ScoringConfig.Mode.DYNAMIC;
        c.scoring.window = 20;
        c.scoring.warmup = 10;
        c.scoring.recomputeEvery = 5;
        c.kafka.inputTopic = IN;
        c.kafka.outputTopic = run + "-detections";
        c.kafka.deadLetterTopic = run + "-dead-letters";
        c.kafka.groupId = run;
        c.kafka.transactionalIdPrefix = run;
        c.kafka.startingOffsets = "earliest";
        c.kafka.partitions = PARTITIONS;
        c.flink.parallelism = PARALLELISM;
        c.flink.checkpointInterval = "2 s";
        c.flink.checkpointDir = work.resolve(run + "-checkpoints").toUri().toString();
        return c;
    }

    /** Steps [from, to) of every key, step by step, key k in partition k mod 2, spikes before and after the stop. */
    static List<Sent> events(int from, int to) {
        List<Sent> out = new ArrayList<>();
        for (int step = from; step < to; step++) {
            for (int k = 0; k < KEYS; k++) {
                double x = Math.sin(0.25 * step + 0.9 * k) + 0.03 * Math.cos(1.7 * step * (k + 1));
                if ((k % 5 == 2 && step == 29) || (k % 5 == 3 && step == 17)) {
                    x += 6;
                }
                String key = "s" + k;
                long ts = T0 + step * STEP_MS;
                out.add(new Sent(k % PARTITIONS, key, ts,
                        String.format(Locale.ROOT, "{\"key\":\"%s\",\"ts\":%d,\"values\":[%.5f]}", key, ts, x)));
            }
        }
        return out;
    }

    /** Events the watermark passes once the first {@code steps} steps are read: it trails the newest by 5 s + 1 ms. */
    static long scoredAfterResumeUpTo(int steps) {
        return KEYS * (long) (steps - 6) - scoredBeforeTheSavepoint();
    }

    static long scoredBeforeTheSavepoint() {
        return KEYS * (long) (BEFORE - 6);
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }

    static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static long fileCount(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
