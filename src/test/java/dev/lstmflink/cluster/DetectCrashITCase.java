package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.kafka.KafkaIo;
import dev.lstmflink.flink.detect.DetectPipeline;
import dev.lstmflink.record.Detection;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Exactly-once through TaskManager crashes (issue 6, item 2): the detection job from {@code target/lstm-flink-job.jar}
 * in Kafka mode on a {@link LocalFlinkCluster} of two TaskManagers (one slot each, parallelism 2, {@code EXACTLY_ONCE},
 * a checkpoint every {@value #CHECKPOINT_INTERVAL}), against a real broker in this JVM. The input is
 * {@value #KEYS} sensors × {@value #STEPS} events = 1,000,000 valid events, and one record in every 1,000 malformed
 * (seven kinds in turn, 1,001 in all; {@link SensorInput}). While the job works through it, {@code kill -9} hits a TaskManager {@value #CRASHES} times
 * (at 20, 45 and 70 % of the committed detections; each time the oldest TaskManager, so the first three all die, and
 * a replacement is started at once). The output and dead-letter topics are read with {@code read_committed} as the job
 * commits them.
 *
 * <p>Checked: exactly one detection per valid event (none missing, none doubled: each key's detections arrive with
 * steps 1, 2, 3, ... without a gap or a repeat), and every detection equal in all fields (values, prediction,
 * residual, score, threshold, anomaly flag, step, model version) to the one a run without failures made; exactly one
 * dead letter per malformed record, at its partition and offset, with its reason; each crash restored the job from a
 * checkpoint. The recovery time of each crash (kill → replacement registered → all tasks running → the first
 * checkpoint after the restore completed, i.e. output committed again) is printed and written to
 * {@code target/crash-recovery.txt} (the dynamic mode's run: {@code target/crash-recovery-dynamic.txt}); nothing is
 * asserted on times.
 *
 * <p>Once per scoring mode, stated explicitly ({@link DetectJobSetup}): {@code likelihood}, the default, and
 * {@code dynamic}, the default before it; each with a warm-up of 20 events, so that the spike each key has (step 40 to
 * 89) is flagged and the flags are compared too.
 *
 * <p>Why "identical" is well defined: the job runs in arrival order ({@code events.event_time: false}). Each sensor's
 * events carry its key, so they sit in one partition in step order; one source subtask reads that partition in offset
 * order, and the keyed exchange keeps the order between one sender and one receiver, so the detector sees each key's
 * events in the same order in every run, whatever the partition-to-subtask assignment or the parallelism. A restore
 * sets the source back to the offsets of the checkpoint whose keyed state (LSTM h and c, the pending prediction, the
 * scoring history) it restores, so after a crash each key continues from a consistent state with the same next event;
 * what the crashed attempt emitted after that checkpoint was in Kafka transactions that are aborted and never seen by a
 * read_committed reader. The detector is deterministic given the state and the event (the same model bytes, the same
 * Vector API kernel in every JVM), so the results must be equal bit for bit. Event time would add nothing here and
 * would hold the last events back until a later watermark.
 *
 * <p>The reference run: the same records through the same pipeline ({@link DetectPipeline#build} with the job's own
 * settings file, as {@code KafkaRun.build} wires it) on a local Flink in this JVM, reading the input topic with a
 * bounded source, without failures.
 */
class DetectCrashITCase extends ClusterAndBrokerTest {

    static final int KEYS = 10_000;
    static final int STEPS = 100;
    static final SensorInput INPUT = new SensorInput(KEYS, STEPS, 1000);
    static final int CRASHES = 3;
    static final double[] KILL_AT = {0.20, 0.45, 0.70};
    static final String CHECKPOINT_INTERVAL = "1 s";
    static final Duration GUARD = Duration.ofMinutes(5);
    /** The default mode's report; another mode's is {@code crash-recovery-<mode>.txt}. */
    static final Path REPORT = Path.of("target", "crash-recovery.txt");

    /** Kept when the test fails: the cluster's logs are in {@code flink/log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;


    /** One crash: when it came and how long the job took to come back (ms after the kill). */
    record Crash(int n, String victim, long committedAtKill, String replacement, long registeredMs, long runningMs,
            long checkpointMs, long restoredCheckpoint) {

        String line() {
            return String.format(Locale.ROOT, "crash %d: kill -9 of %s at %,d committed detections; replacement %s "
                    + "registered after %.1f s; all tasks running after %.1f s; first checkpoint after the restore "
                    + "(output committed again) after %.1f s; restored checkpoint %d", n, victim, committedAtKill,
                    replacement, registeredMs / 1000.0, runningMs / 1000.0, checkpointMs / 1000.0, restoredCheckpoint);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ScoringConfig.Mode.class, names = {"LIKELIHOOD", "DYNAMIC"})
    void exactlyOnceThroughThreeTaskManagerCrashesWithResultsIdenticalToARunWithoutFailures(ScoringConfig.Mode mode)
            throws Exception {
        long testStart = System.nanoTime();
        List<String> report = new ArrayList<>();
        long[] clusterStartMs = new long[1];
        startCluster(() -> {
            long t0 = System.nanoTime();
            LocalFlinkCluster c = LocalFlinkCluster.start(tmp.resolve("flink"), 2, 1, Map.of());
            clusterStartMs[0] = (System.nanoTime() - t0) / 1_000_000;
            return c;
        });
        startBroker(tmp.resolve("kafka"));
        DetectJobSetup job = new DetectJobSetup(tmp, broker.bootstrap, "crash-it", 2, CHECKPOINT_INTERVAL, mode);
        job.createTopics();
        long t = System.nanoTime();
        Map<String, String> malformed = INPUT.produce(broker.bootstrap, job.in, DetectJobSetup.PARTITIONS);
        report.add(timing("produced %,d records (%,d malformed)", t, INPUT.records(), INPUT.malformed()));

        t = System.nanoTime();
        Detection[][] reference = reference(job);
        report.add(timing("reference run without failures (local Flink in the test JVM, parallelism 2)", t));
        long flagged = 0;
        for (Detection[] ofKey : reference) {
            for (Detection d : ofKey) {
                flagged += d.anomaly ? 1 : 0;
            }
        }
        assertTrue(flagged > 0, "the reference flags anomalies (else the flags are compared only as false)");

        awaitCluster();
        report.add(String.format(Locale.ROOT, "cluster up (1 JobManager, 2 TaskManagers, each TaskManager "
                + "registered) in %.1f s, started while producing", clusterStartMs[0] / 1000.0));
        System.out.println(report.get(report.size() - 1));

        CrashVerifier verifier = new CrashVerifier(reference, malformed, job.in, job.out);
        try (CommittedReader reader = new CommittedReader(broker.bootstrap, List.of(job.out, job.dlq), verifier)) {
            t = System.nanoTime();
            // no -c: as `flink run target/lstm-flink-job.jar ...` on a stock cluster, the manifest names the entry class
            String jobId = cluster.run(DetectJobSetup.JOB_JAR, null, job.args());
            cluster.awaitAllTasksRunning(jobId, Duration.ofMinutes(2));
            report.add(timing("job submitted (flink run -d) and all its tasks running", t));
            long jobStart = System.nanoTime();

            List<Crash> crashes = new ArrayList<>();
            for (int i = 0; i < CRASHES; i++) {
                verifier.awaitDetections((long) (KILL_AT[i] * INPUT.valid()), GUARD);
                crashes.add(crash(i + 1, jobId, verifier));
                System.out.println(crashes.get(i).line());
            }
            reader.awaitCount(INPUT.records(), GUARD, "detections and dead letters");
            long jobMs = (System.nanoTime() - jobStart) / 1_000_000;
            reader.drainAndStop(Duration.ofMinutes(1));
            report.add(String.format(Locale.ROOT, "job: all %,d records committed %.1f s after its tasks first ran "
                    + "(%d crashes included)", INPUT.records(), jobMs / 1000.0, CRASHES));
            crashes.forEach(c -> report.add(c.line()));

            verifier.assertComplete(INPUT.valid(), INPUT.malformed());
            assertEquals(flagged, verifier.anomalies(), "anomalies flagged, as in the reference");
            assertEquals("RUNNING", cluster.rest().jobState(jobId), "the job survived every crash");
            cluster.rest().cancel(jobId);
        }
        List<ProcessHandle> jvms = cluster.processes();
        cluster.stop();
        jvms.forEach(h -> assertFalse(h.isAlive(), "pid " + h.pid() + " alive after stop"));
        report.add(timing("whole test", testStart));
        write(report, mode);
    }

    /**
     * Kills the oldest TaskManager, starts a replacement at once, and measures until the job has restored a
     * checkpoint, runs all its tasks and completed a checkpoint after the restore.
     */
    private Crash crash(int n, String jobId, CrashVerifier verifier) throws Exception {
        FlinkRest rest = cluster.rest();
        LocalFlinkCluster.TaskManager victim = cluster.taskManagers().get(0);
        Set<String> running = new TreeSet<>();
        rest.taskLocations(jobId).values().forEach(running::addAll);
        assertTrue(running.contains(victim.resourceId()), victim.resourceId() + " runs subtasks: " + running);
        long restoredBefore = rest.checkpoints(jobId).path("counts").path("restored").asLong();
        long committed = verifier.detections();
        assertTrue(committed < INPUT.valid(), "crash " + n + " would come after the job has scored all its input");

        long t0 = System.nanoTime();
        cluster.killTaskManager(victim.number());
        int replacement = cluster.startTaskManager();
        long registered = System.nanoTime();
        long deadline = t0 + GUARD.toNanos();
        long allRunning = 0;
        long checkpointed;
        JsonNode restored;
        while (true) {
            JsonNode cp = rest.checkpoints(jobId);
            restored = cp.path("latest").path("restored");
            boolean restoredNow = cp.path("counts").path("restored").asLong() > restoredBefore;
            if (allRunning == 0 && restoredNow && rest.allTasksRunning(jobId)) {
                allRunning = System.nanoTime();
            }
            if (allRunning != 0
                    && cp.path("latest").path("completed").path("id").asLong(-1) > restored.path("id").asLong()) {
                checkpointed = System.nanoTime();
                break;
            }
            assertTrue(System.nanoTime() < deadline, "crash " + n + ": job not back within " + GUARD.toMinutes()
                    + " min; checkpoints " + cp);
            Thread.sleep(50);
        }
        assertTrue(restored.path("id").asLong(0) >= 1, "crash " + n + ": restored from a checkpoint: " + restored);
        assertFalse(restored.path("is_savepoint").asBoolean(true), restored.toString());
        return new Crash(n, victim.resourceId(), committed, LocalFlinkCluster.resourceId(replacement),
                (registered - t0) / 1_000_000, (allRunning - t0) / 1_000_000, (checkpointed - t0) / 1_000_000,
                restored.path("id").asLong());
    }

    /**
     * The detections of a run without failures: the job's pipeline, with the job's settings, over the input topic
     * read by a bounded source, on a local Flink; indexed by key and step.
     */
    static Detection[][] reference(DetectJobSetup job) throws Exception {
        DetectConfig c = job.config();
        KafkaSettings s = new KafkaSettings(job.bootstrap, job.in, job.out, job.dlq, "crash-it-reference",
                "earliest", false, null, false, DetectJobSetup.PARTITIONS, Map.of());
        byte[] model = Files.readAllBytes(DetectJobSetup.MODEL);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2);
        var raw = env.fromSource(KafkaIo.sourceBuilder(s).setBounded(OffsetsInitializer.latest()).build(),
                WatermarkStrategy.<RawRecord>noWatermarks(), "kafka " + job.in);
        DetectPipeline.Outputs out = DetectPipeline.build(raw, new JsonRecordParser(1, c.input.maxRecordBytes),
                c.scoring(), c.detectOptions(true), null, model, DetectJobSetup.MODEL.toString());
        Detection[][] ref = new Detection[KEYS][STEPS];
        long n = 0;
        try (CloseableIterator<Detection> it = out.detections().executeAndCollect("crash-it reference")) {
            while (it.hasNext()) {
                Detection d = it.next();
                Detection[] ofKey = ref[SensorInput.keyIndex(d.key)];
                assertNull(ofKey[(int) d.step - 1], "reference: two detections for " + d.key + " step " + d.step);
                ofKey[(int) d.step - 1] = d;
                n++;
            }
        }
        assertEquals(INPUT.valid(), n, "reference detections");
        for (Detection[] ofKey : ref) {
            for (Detection d : ofKey) {
                assertNotNull(d, "reference: a step without detection");
            }
        }
        return ref;
    }

    private static String timing(String what, long since, Object... args) {
        String line = String.format(Locale.ROOT, what, args)
                + String.format(Locale.ROOT, ": %.1f s", (System.nanoTime() - since) / 1e9);
        System.out.println(line);
        return line;
    }

    private static void write(List<String> lines, ScoringConfig.Mode mode) throws Exception {
        List<String> out = new ArrayList<>();
        out.add("# DetectCrashITCase: the detection job (Kafka, exactly-once, parallelism 2, checkpoint every "
                + CHECKPOINT_INTERVAL + ", scoring mode " + mode.name().toLowerCase(Locale.ROOT)
                + ") on jobs/flink-local's cluster, " + String.format(Locale.ROOT, "%,d", INPUT.valid())
                + " events over " + String.format(Locale.ROOT, "%,d", KEYS) + " keys, " + CRASHES
                + " kill -9 of a TaskManager");
        out.add(String.format(Locale.ROOT, "# %d cores, system load average %.1f at the end (the machine may be shared)",
                Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        out.addAll(lines);
        Path report = mode == DetectConfig.defaults().scoring.mode ? REPORT
                : REPORT.resolveSibling("crash-recovery-" + mode.name().toLowerCase(Locale.ROOT) + ".txt");
        Files.createDirectories(report.getParent());
        Files.write(report, out);
        System.out.println("written to " + report.toAbsolutePath());
    }
}
