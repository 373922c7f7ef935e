package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lstmflink.cli.TrainCli;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.DeadLetterJson;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.testutil.TestProducer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Model hot swap in the detection job (issue 16, item 1), as a user runs it: the job from
 * {@code target/lstm-flink-job.jar} in Kafka mode, exactly-once at parallelism 2 on a {@link LocalFlinkCluster} of two
 * TaskManagers, against a real broker, watching a model folder ({@code model_updates}). {@value #KEYS} sensors ×
 * {@value #STEPS} steps = 200,000 events, produced in phases:
 * <ol>
 *   <li>steps 0–{@value #PHASE_A}: the starting model v1 ({@code examples/sensor_lstm.safetensors}) scores them all;</li>
 *   <li>v2 is trained by {@code jobs/train} (in this JVM) on other data with the same hidden size and published with
 *       its {@code --publish}; right after the publication a TaskManager is killed ({@code kill -9}) and replaced;</li>
 *   <li>one step of all keys at a time until the committed output shows v2 on both detector subtasks: the known point
 *       from which on every detection must carry v2;</li>
 *   <li>a model of another hidden size is published and refused: a dead letter with reason {@code model_rejected}
 *       saying why; v2 keeps serving to the end.</li>
 * </ol>
 * Checked on the committed output ({@code read_committed}): exactly one detection per event (each key's steps 1, 2,
 * 3, ... without gap or repeat, so its LSTM's step count continued through the swap and the crash), v1 only before
 * the publication, per key one switch from v1 to v2 and never back, v2 only from the known point, exactly one
 * rejection and no other dead letter, and the job restored from a checkpoint and still running.
 */
class ModelHotSwapITCase extends ClusterAndBrokerTest {

    static final int KEYS = 1000;
    static final int STEPS = 200;
    static final int PHASE_A = 80;
    static final int REFUSED_AT = 170;
    static final Duration GUARD = Duration.ofMinutes(3);
    static final int MAX_PARALLELISM = 128;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;


    /** What the committed output holds: per key the version of each step's detection, and the dead letters. */
    static final class Output {
        final String[][] versions = new String[KEYS][STEPS];
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        long detections;

        synchronized void detection(Detection d) {
            int k = SensorInput.keyIndex(d.key);
            int step = (int) d.step - 1;
            if (step < 0 || step >= STEPS || versions[k][step] != null) {
                problems.add("unexpected or doubled: " + d);
                return;
            }
            versions[k][step] = d.modelVersion;
            detections++;
        }

        synchronized void deadLetter(DeadLetter d) {
            deadLetters.add(d);
        }

        synchronized long detections() {
            return detections;
        }

        /** Whether some key of {@code subtask} has its detection of step {@code steps} (1-based) by {@code version}. */
        synchronized boolean subtaskServes(int subtask, String version, int steps) {
            for (int k = 0; k < KEYS; k++) {
                if (subtaskOf(k) == subtask && version.equals(versions[k][steps - 1])) {
                    return true;
                }
            }
            return false;
        }

        synchronized List<DeadLetter> deadLetters() {
            return List.copyOf(deadLetters);
        }
    }

    static int subtaskOf(int key) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(SensorInput.key(key), MAX_PARALLELISM, 2);
    }

    @Test
    void everySubtaskSwitchesToThePublishedModelAndTheStateCarriesThroughASwapACrashAndARefusal() throws Exception {
        long t0 = System.nanoTime();
        startCluster(() -> {
            return LocalFlinkCluster.start(tmp.resolve("flink"), 2, 1, Map.of());
        });
        startBroker(tmp.resolve("kafka"));
        DetectJobSetup job = new DetectJobSetup(tmp, broker.bootstrap, "swap-it", 2, "1 s");
        Path models = Files.createDirectories(tmp.resolve("models"));
        Files.writeString(job.configFile, "model_updates: " + models.toUri() + "\nmodel_updates_interval: 300 ms\n",
                StandardOpenOption.APPEND);
        job.createTopics();
        Path newer = newerData(tmp.resolve("newer.csv"));
        String v1 = LstmModelFile.read(Files.readAllBytes(DetectJobSetup.MODEL), "v1").version();
        awaitCluster();

        Output output = new Output();
        try (CommittedReader reader = new CommittedReader(broker.bootstrap, List.of(job.out, job.dlq), rec -> {
            if (rec.topic().equals(job.out)) {
                output.detection(DetectionJson.fromJson(rec.value()));
            } else {
                output.deadLetter(DeadLetterJson.fromJson(rec.value()));
            }
        })) {
            String jobId = cluster.run(DetectJobSetup.JOB_JAR, null, job.args());
            cluster.awaitAllTasksRunning(jobId, Duration.ofMinutes(2));
            log("job running", t0);

            // 1. v1 scores the first part
            produce(job.in, 0, PHASE_A);
            await(output, (long) KEYS * PHASE_A);
            log("phase 1: " + KEYS * PHASE_A + " detections by v1 committed", t0);

            // 2. v2, trained on newer data, published; a TaskManager dies right after
            String v2 = "v2-retrained";
            String trained = train(newer, tmp.resolve("v2.safetensors"), 16, v2, models);
            assertTrue(trained.contains("published"), trained);
            long restoredBefore = cluster.rest().checkpoints(jobId).path("counts").path("restored").asLong();
            LocalFlinkCluster.TaskManager victim = cluster.taskManagers().get(0);
            cluster.killTaskManager(victim.number());
            cluster.startTaskManager();
            awaitRecovery(jobId, restoredBefore);
            log("phase 2: v2 published, " + victim.resourceId() + " killed, job restored and checkpointed", t0);

            // 3. a step of every key at a time, until both subtasks' committed output shows v2
            int step = PHASE_A;
            while (!(output.subtaskServes(0, v2, step) && output.subtaskServes(1, v2, step))) {
                assertTrue(step < REFUSED_AT - 10, "v2 not in the committed output of both subtasks by step " + step);
                produce(job.in, step, step + 1);
                step++;
                await(output, (long) KEYS * step);
            }
            int known = step;   // every detection of a later step must be v2's
            log("phase 3: both subtasks committed v2 detections by step " + known, t0);
            produce(job.in, known, REFUSED_AT);
            await(output, (long) KEYS * REFUSED_AT);

            // 4. another hidden size: refused, v2 keeps serving
            train(newer, tmp.resolve("h8.safetensors"), 8, "v3-hidden8", models);
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (output.deadLetters().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "no rejection committed");
                Thread.sleep(100);
            }
            produce(job.in, REFUSED_AT, STEPS);
            await(output, (long) KEYS * STEPS);
            reader.drainAndStop(Duration.ofSeconds(20));
            log("phase 4: v3 refused, all " + KEYS * STEPS + " detections committed", t0);

            synchronized (output) {
                assertEquals(List.of(), output.problems, "no detection doubled or out of range");
                assertEquals((long) KEYS * STEPS, output.detections, "one detection per event");
                for (int k = 0; k < KEYS; k++) {
                    String[] v = output.versions[k];
                    for (int s = 0; s < STEPS; s++) {
                        String where = "key " + SensorInput.key(k) + " step " + (s + 1);
                        assertTrue(v[s] != null, where + ": no detection");
                        if (s < PHASE_A) {
                            assertEquals(v1, v[s], where + ": before the publication");
                        } else if (s >= known) {
                            assertEquals(v2, v[s], where + ": after the known point, and after the refusal");
                        } else {
                            assertTrue(v[s].equals(v1) || v[s].equals(v2), where + ": " + v[s]);
                            assertTrue(!v[s].equals(v1) || v[s - 1].equals(v1), where + ": back to v1 after v2");
                        }
                    }
                }
            }
            List<DeadLetter> dead = output.deadLetters();
            assertEquals(1, dead.size(), "one rejection (subtask 0's), no other dead letter: " + dead);
            DeadLetter r = dead.get(0);
            assertEquals(DeadLetter.MODEL_REJECTED, r.reason, r.toString());
            assertTrue(r.detail.contains("hidden_size=8") && r.detail.contains("hidden_size=16"), r.detail);
            assertTrue(r.detail.endsWith("model " + v2 + " keeps serving"), r.detail);
            assertTrue(r.source.endsWith("v3-hidden8.safetensors"), r.toString());

            // the kill restores the job once or twice: Flink may first redeploy onto the dead TaskManager before its
            // loss is detected, fail that deployment and restore again
            JsonNode cp = cluster.rest().checkpoints(jobId);
            assertTrue(cp.path("counts").path("restored").asLong() > restoredBefore, "restored: " + cp.path("counts"));
            assertTrue(cp.path("latest").path("restored").path("id").asLong(0) >= 1, "from a checkpoint: " + cp);
            assertEquals("RUNNING", cluster.rest().jobState(jobId));
            cluster.rest().cancel(jobId);
        }
    }

    /** Other data than v1 was trained on: 20 series of 400 readings, a higher level and another period. */
    static Path newerData(Path csv) throws Exception {
        StringBuilder b = new StringBuilder("key,ts,v1\n");
        for (int k = 0; k < 20; k++) {
            for (int s = 0; s < 400; s++) {
                b.append(String.format(Locale.ROOT, "n%d,%d,%.4f%n", k, SensorInput.T0 + 1000L * s,
                        34.0 + 5 * Math.sin(0.25 * s + k)));
            }
        }
        Files.writeString(csv, b);
        return csv;
    }

    /** {@code jobs/train ... --model-version V --publish FOLDER}, in this JVM; returns what it printed. */
    static String train(Path input, Path output, int hidden, String version, Path folder) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new TrainCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("--input", input.toString(), "--output", output.toString(), "--epochs", "2",
                        "--hidden-size", String.valueOf(hidden), "--window", "16", "--parallelism", "1",
                        "--model-version", version, "--publish", folder.toString());
        assertEquals(0, code, out + "\n" + err);
        return out.toString();
    }

    /** Steps [from, to) of every key, each key's events in its own partition in step order. */
    private void produce(String topic, int from, int to) throws Exception {
        try (TestProducer<byte[], byte[]> p = TestProducer.bytes(broker.bootstrap, topic,
                Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"))) {
            for (int s = from; s < to; s++) {
                for (int k = 0; k < KEYS; k++) {
                    p.send(new ProducerRecord<>(topic, SensorInput.key(k).getBytes(StandardCharsets.UTF_8),
                            SensorInput.eventJson(k, s).getBytes(StandardCharsets.UTF_8)));
                }
            }
            p.finish();
        }
    }

    private void await(Output output, long detections) throws InterruptedException {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (output.detections() < detections) {
            assertTrue(System.nanoTime() < deadline, output.detections() + " of " + detections + " detections committed");
            Thread.sleep(50);
        }
    }

    /** Until the job has restored a checkpoint, runs all its tasks and completed a checkpoint after the restore. */
    private void awaitRecovery(String jobId, long restoredBefore) throws Exception {
        FlinkRest rest = cluster.rest();
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (true) {
            JsonNode cp = rest.checkpoints(jobId);
            long restoredId = cp.path("latest").path("restored").path("id").asLong(-1);
            if (cp.path("counts").path("restored").asLong() > restoredBefore && rest.allTasksRunning(jobId)
                    && cp.path("latest").path("completed").path("id").asLong(-1) > restoredId) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "job not back: " + cp);
            Thread.sleep(50);
        }
    }

    private static void log(String what, long since) {
        System.out.printf(Locale.ROOT, "%s: %.1f s%n", what, (System.nanoTime() - since) / 1e9);
    }
}
