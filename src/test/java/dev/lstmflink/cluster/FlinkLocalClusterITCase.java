package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@link LocalFlinkCluster} end to end: a JobManager and two TaskManagers as separate JVMs, a probe job submitted
 * through the REST API ({@code /jars/upload}, {@code /jars/:id/run}) and cancelled, the detection job from
 * {@code target/lstm-flink-job.jar} on them (Kafka mode, parallelism 2, exactly-once, a checkpoint every 500 ms,
 * against a broker in this JVM), {@code kill -9} of a TaskManager, a replacement, and the job running again from its
 * last checkpoint; then {@code jobs/flink-local status} and {@code stop} through the command line, and no JVM of the
 * cluster left.
 *
 * <p>Also checked: the cluster's class path mirrors the official image's {@code lib/} (Flink, the web submission
 * handlers and logging, none of the jars the job jar bundles or the broker's), the job jar runs on it as it is, and the
 * TaskManagers got the Vector API module (their log names the vector kernel).
 */
class FlinkLocalClusterITCase extends ClusterAndBrokerTest {

    static final SensorInput INPUT = new SensorInput(40, 50, 100);

    /** Kept when the test fails: the cluster's logs are in {@code flink/log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;


    @Test
    void aJobSurvivesKill9OfATaskManagerAndTheClusterStopsEveryJvmItStarted() throws Exception {
        long t = System.nanoTime();
        startCluster(() -> {
            return LocalFlinkCluster.start(tmp.resolve("flink"), 2, 1, Map.of());
        });
        startBroker(tmp.resolve("kafka"));
        DetectJobSetup job = new DetectJobSetup(tmp, broker.bootstrap, "cluster-it", 2, "500 ms");
        job.leaveStateToTheCluster();   // the cluster's config.yaml rules the checkpoint storage (issue 16)
        job.createTopics();
        Map<String, String> malformed = INPUT.produce(broker.bootstrap, job.in, DetectJobSetup.PARTITIONS);
        awaitCluster();
        System.out.printf("broker, input and cluster up in %d ms; web UI at %s%n", ms(t), cluster.restUrl());
        checkClassPath(cluster.classPath());
        assertEquals(Set.of("tm-1", "tm-2"), Set.copyOf(cluster.rest().taskManagerIds()));

        // submit(), through REST as the web UI does: upload, then main() runs in the JobManager
        String probe = cluster.submit(probeJar(), ProbeJob.class.getName(), List.of());
        cluster.awaitAllTasksRunning(probe, Duration.ofSeconds(60));
        cluster.rest().cancel(probe);
        awaitState(probe, "CANCELED");
        String jarId = cluster.rest().uploadJar(DetectJobSetup.JOB_JAR);
        List<String> jars = new ArrayList<>();
        cluster.rest().get("/jars").path("files").forEach(f -> jars.add(f.path("id").asText()));
        assertTrue(jars.contains(jarId), jarId + " in " + jars);

        t = System.nanoTime();
        // through REST (/jars/:id/run), as the web UI submits: DetectJob's main runs inside the JobManager, so it must
        // not exit the JVM (the cluster's config turns System.exit into a failed submission); DetectCrashITCase
        // submits with the client, as flink run -d does
        String jobId = cluster.submit(DetectJobSetup.JOB_JAR, DetectJobSetup.ENTRY_CLASS, job.args());
        cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(60));
        System.out.printf("job %s running in %d ms%n", jobId, ms(t));
        assertEquals(Set.of("tm-1", "tm-2"), tasksOn(jobId), "parallelism 2, one slot per TaskManager");
        awaitCompletedCheckpoint(jobId);
        String stored = cluster.rest().checkpoints(jobId).path("latest").path("completed").path("external_path")
                .asText();
        assertTrue(stored.startsWith(tmp.resolve("flink").resolve("checkpoints").toUri().toString().replace("file:///",
                "file:/")), "the job checkpoints where the cluster's execution.checkpointing.dir says: " + stored);

        long restoredBefore = cluster.rest().checkpoints(jobId).path("counts").path("restored").asLong();
        t = System.nanoTime();
        cluster.killTaskManager(1);
        int replacement = cluster.startTaskManager();
        assertEquals(3, replacement);
        // an idle job notices the loss only by the heartbeat timeout: wait for the restore, then for the tasks
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (cluster.rest().checkpoints(jobId).path("counts").path("restored").asLong() <= restoredBefore) {
            assertTrue(System.nanoTime() < deadline, "job " + jobId + " not restored within 90 s");
            Thread.sleep(100);
        }
        cluster.awaitAllTasksRunning(jobId, Duration.ofSeconds(90));
        System.out.printf("kill -9 of tm-1 to all tasks running again on tm-2 and tm-3: %d ms%n", ms(t));
        assertEquals(Set.of("tm-2", "tm-3"), tasksOn(jobId));
        JsonNode restored = cluster.rest().checkpoints(jobId).path("latest").path("restored");
        assertTrue(restored.path("id").asLong(0) >= 1, "restored from a checkpoint: " + restored);
        assertFalse(restored.path("is_savepoint").asBoolean(true), restored.toString());
        String failures = cluster.rest().exceptions(jobId).toString();
        assertTrue(failures.contains("tm-1"), "the failure names the lost TaskManager: " + failures);

        // the job still does its work: every record comes out once, detections and dead letters
        try (CommittedReader r = new CommittedReader(broker.bootstrap, List.of(job.out, job.dlq), rec -> { })) {
            r.awaitCount(INPUT.records(), Duration.ofSeconds(90), "detections and dead letters");
            r.drainAndStop(Duration.ofSeconds(30));
            assertEquals(INPUT.records(), r.count(), INPUT.valid() + " detections + " + malformed.size()
                    + " dead letters");
        }
        String tmLog = Files.readString(cluster.logFile("taskmanager-3"));
        assertTrue(tmLog.contains("LSTM kernel: vector"), "the TaskManager runs the Vector API kernel");

        // the command line finds the cluster by its folder, lists it and stops it
        String status = cli("status", "--dir", cluster.dir().toString());
        assertTrue(status.contains("TaskManager 2") && status.contains("TaskManager 3")
                && !status.contains("TaskManager 1 ") && status.contains(jobId) && status.contains("RUNNING"), status);
        List<ProcessHandle> jvms = cluster.processes();
        assertEquals(3, jvms.size(), "JobManager, tm-2, tm-3");
        String stopped = cli("stop", "--dir", cluster.dir().toString());
        assertTrue(stopped.contains("stopped 3 JVM(s)"), stopped);
        for (ProcessHandle h : jvms) {
            assertFalse(h.isAlive(), "pid " + h.pid() + " still alive after stop");
        }
        try (var pids = Files.list(cluster.dir().resolve("pids"))) {
            assertEquals(List.of(), pids.toList());
        }
        assertTrue(cluster.processes().isEmpty());
    }

    /** Flink, its web submission handlers and logging; nothing the job jar bundles, nothing of the broker. */
    static void checkClassPath(List<Path> jars) {
        Set<String> ids = new TreeSet<>();
        jars.forEach(j -> ids.add(ClusterClassPath.artifactId(j.getFileName().toString())));
        for (String needed : List.of("flink-runtime", "flink-clients", "flink-streaming-java", "flink-runtime-web",
                "flink-statebackend-rocksdb", "flink-connector-base", "log4j-core", "log4j-slf4j-impl")) {
            assertTrue(ids.contains(needed), needed + " in " + ids);
        }
        for (String absent : List.of("flink-connector-kafka", "kafka-clients", "jackson-databind", "picocli",
                "progressbar", "snakeyaml", "kafka_2.13", "scala-library", "kafka-server")) {
            assertFalse(ids.contains(absent), absent + " must not be on the cluster: " + ids);
        }
    }

    /** A jar holding {@link ProbeJob} alone, from the compiled test classes. */
    private Path probeJar() throws Exception {
        String entry = ProbeJob.class.getName().replace('.', '/') + ".class";
        Path jar = tmp.resolve("probe.jar");
        try (var in = ProbeJob.class.getClassLoader().getResourceAsStream(entry);
             var out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        return jar;
    }

    private void awaitState(String jobId, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cluster.rest().jobState(jobId).equals(state)) {
            assertTrue(System.nanoTime() < deadline, "job " + jobId + " not " + state + " within 60 s");
            Thread.sleep(100);
        }
    }

    private Set<String> tasksOn(String jobId) throws Exception {
        Set<String> tms = new TreeSet<>();
        cluster.rest().taskLocations(jobId).values().forEach(tms::addAll);
        return tms;
    }

    private void awaitCompletedCheckpoint(String jobId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (cluster.rest().checkpoints(jobId).path("counts").path("completed").asLong() < 1) {
            assertTrue(System.nanoTime() < deadline, "no checkpoint completed within 60 s");
            Thread.sleep(100);
        }
    }

    static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = new CommandLine(new FlinkLocalCli()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute(args);
        assertEquals(0, rc, "flink-local " + String.join(" ", args) + ": " + err);
        return out.toString();
    }

    static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
