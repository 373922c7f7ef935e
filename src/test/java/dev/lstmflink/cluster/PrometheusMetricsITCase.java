package dev.lstmflink.cluster;

import static dev.lstmflink.cluster.PrometheusScrape.named;
import static dev.lstmflink.cluster.PrometheusScrape.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.cluster.PrometheusScrape.Sample;
import dev.lstmflink.connect.DeadLetterMetrics;
import dev.lstmflink.connect.ParseFunction;
import dev.lstmflink.flink.detect.DetectMetrics;
import dev.lstmflink.flink.detect.DetectPipeline;
import dev.lstmflink.flink.keyed.KeyedLstmEngine;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics people scrape (issue 16, item 3): {@code jobs/flink-local start --prometheus=PORT} (through its command
 * line class) starts a JobManager and two TaskManagers with Flink's Prometheus reporter; the detection job runs on them
 * in Kafka mode (parallelism 2, exactly-once, arrival order) over {@link SensorInput}'s records (40 keys × 50 steps
 * and a malformed record of each of its 7 kinds in turn); once every record has come out, committed, the test GETs
 * each JVM's {@code /metrics} over HTTP, parses the exposition text and finds every counter of the job's metric set at
 * the value the run produced: received = the records sent, parsed and scored = the valid ones, dead letters by reason
 * = the malformed records sent, late 0, anomalies = the detections flagged in the output topic, one model-version
 * gauge per detector subtask labelled with the version the detections carry, one processing-time sample per
 * detection, and 40 keys in state.
 */
class PrometheusMetricsITCase extends ClusterAndBrokerTest {

    static final SensorInput INPUT = new SensorInput(40, 50, 100);
    /** Flink's Prometheus names of operator metrics: scope {@code taskmanager.job.task.operator}, then ours. */
    static final String OPERATOR = "flink_taskmanager_job_task_operator_";
    static final String DETECT = OPERATOR + DeadLetterMetrics.GROUP + "_";

    /** Kept when the test fails: the cluster's logs are in {@code flink/log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;


    @Test
    void theJobsCountersAreScrapedAtTheValuesTheRunProduced() throws Exception {
        long t = System.nanoTime();
        Path dir = tmp.resolve("flink");
        int port = freePorts(3);
        startCluster(() -> {
            String started = FlinkLocalClusterITCase.cli("start", "--dir", dir.toString(), "--taskmanagers", "2",
                    "--rest-port", "0", "--prometheus=" + port);
            assertTrue(started.contains("metrics of taskmanager-2: http://127.0.0.1:" + (port + 2) + "/metrics"),
                    started);
            return LocalFlinkCluster.attach(dir);
        });
        startBroker(tmp.resolve("kafka"));
        DetectJobSetup job = new DetectJobSetup(tmp, broker.bootstrap, "prometheus-it", 2, "500 ms");
        job.createTopics();
        Map<String, String> malformed = INPUT.produce(broker.bootstrap, job.in, DetectJobSetup.PARTITIONS);
        awaitCluster();
        Map<String, String> endpoints = cluster.prometheusEndpoints();
        assertEquals(List.of("jobmanager", "taskmanager-1", "taskmanager-2"), List.copyOf(endpoints.keySet()));
        assertTrue(Files.isRegularFile(dir.resolve("plugins/metrics-prometheus").resolve(
                ClusterClassPath.plugin(LocalFlinkCluster.defaultLibDir(), "flink-metrics-prometheus")
                        .getFileName())), "the reporter is a plugin");
        assertTrue(cluster.classPath().stream().noneMatch(j -> j.getFileName().toString().contains("prometheus")),
                "and not on the class path");
        System.out.printf("broker, input and cluster up in %d ms; metrics at %s%n", ms(t), endpoints.values());

        t = System.nanoTime();
        String jobId = cluster.run(DetectJobSetup.JOB_JAR, DetectJobSetup.ENTRY_CLASS, job.args());
        AtomicLong flagged = new AtomicLong();
        Set<String> versions = new TreeSet<>();
        try (CommittedReader r = new CommittedReader(broker.bootstrap, List.of(job.out, job.dlq), rec -> {
            if (rec.topic().equals(job.out)) {
                Detection d = DetectionJson.fromJson(rec.value());
                synchronized (versions) {
                    versions.add(d.modelVersion);
                }
                if (d.anomaly) {
                    flagged.incrementAndGet();
                }
            }
        })) {
            r.awaitCount(INPUT.records(), Duration.ofSeconds(90), "detections and dead letters");
            r.drainAndStop(Duration.ofSeconds(10));
            assertEquals(INPUT.records(), r.count());
        }
        System.out.printf("job %s: %d records out, committed, in %d ms; %d flagged%n", jobId, INPUT.records(), ms(t),
                flagged.get());
        assertTrue(flagged.get() > 0, "the spikes are flagged");
        assertEquals(1, versions.size(), versions.toString());
        String version = versions.iterator().next();

        Map<String, PrometheusScrape> scrapes = new TreeMap<>();
        for (Map.Entry<String, String> e : endpoints.entrySet()) {
            scrapes.put(e.getKey(), PrometheusScrape.of(e.getValue()));
        }
        assertEquals(2.0, sum(scrapes.get("jobmanager").samples(), "flink_jobmanager_numRegisteredTaskManagers",
                l -> true), "the JobManager's own endpoint answers");
        List<Sample> all = PrometheusScrape.all(scrapes.values());
        Predicate<Map<String, String>> thisJob = l -> jobId.equals(l.get("job_id"));

        assertEquals(INPUT.records(), sum(all, DETECT + ParseFunction.RECEIVED, thisJob), "received");
        assertEquals(INPUT.valid(), sum(all, DETECT + ParseFunction.PARSED, thisJob), "parsed");
        assertEquals(INPUT.valid(), sum(all, DETECT + DetectMetrics.SCORED, thisJob), "scored");
        assertEquals(0, sum(all, DETECT + DetectPipeline.LATE, thisJob), "late");
        assertEquals(INPUT.malformed(), sum(all, DETECT + DeadLetterMetrics.DEAD_LETTERED, thisJob), "dead-lettered");
        Map<String, Long> expectedReasons = malformed.values().stream()
                .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        Map<String, Long> scrapedReasons = new TreeMap<>();
        for (Sample s : named(all, DETECT + DeadLetterMetrics.REASON + "_" + DeadLetterMetrics.DEAD_LETTERED)) {
            if (thisJob.test(s.labels())) {
                scrapedReasons.merge(s.labels().get(DeadLetterMetrics.REASON), (long) s.value(), Long::sum);
            }
        }
        assertEquals(7, expectedReasons.size(), expectedReasons.toString());
        assertEquals(expectedReasons, scrapedReasons, "dead letters by reason (label reason)");
        assertEquals(flagged.get(), sum(all, DETECT + DetectMetrics.ANOMALIES, thisJob), "anomalies");

        // one model-version gauge per detector subtask, labelled with the version every detection carries, as the
        // reporter writes label values: every character outside [a-zA-Z0-9:_] becomes _ (trained-2a-epoch12 ->
        // trained_2a_epoch12); the reporter has no setting to keep them (only the push gateway reporter has one)
        String label = version.replaceAll("[^a-zA-Z0-9:_]", "_");
        List<Sample> model = named(all, DETECT + DetectMetrics.MODEL_VERSION + "_" + DetectMetrics.MODEL_INFO)
                .stream().filter(s -> thisJob.test(s.labels())).toList();
        assertEquals(2, model.size(), model.toString());
        for (Sample s : model) {
            assertEquals(label, s.labels().get(DetectMetrics.MODEL_VERSION), s.toString());
            assertEquals(1.0, s.value(), s.toString());
        }
        assertEquals(Set.of("0", "1"), model.stream().map(s -> s.labels().get("subtask_index"))
                .collect(Collectors.toSet()), model.toString());
        assertEquals(Set.of("tm_1", "tm_2"), model.stream().map(s -> s.labels().get("tm_id"))
                .collect(Collectors.toSet()), "one detector subtask on each TaskManager: " + model);

        // the processing-time histogram: a Prometheus summary, one sample per detection
        assertEquals(INPUT.valid(), sum(all, DETECT + DetectMetrics.LATENCY + "_count", thisJob), "latency samples");
        List<Sample> median = named(all, DETECT + DetectMetrics.LATENCY).stream()
                .filter(s -> thisJob.test(s.labels()) && "0.5".equals(s.labels().get("quantile"))).toList();
        assertEquals(2, median.size(), median.toString());
        for (Sample s : median) {
            assertTrue(s.value() > 0 && s.value() < 1e9, "median processing time per event, ns: " + s);
        }
        System.out.printf("median processing time per scored event (ns) by subtask: %s%n",
                median.stream().map(s -> s.labels().get("subtask_index") + "=" + (long) s.value()).toList());

        assertEquals(INPUT.keys, sum(all, DETECT + DetectMetrics.KEYS_IN_STATE, thisJob), "keys in state");
        // hot swap's counters are exported by every detector subtask, at 0 in a job that swapped nothing
        for (String counter : List.of(DetectMetrics.SWAPS, DetectMetrics.REJECTIONS)) {
            List<Sample> swaps = named(all, DETECT + counter).stream().filter(s -> thisJob.test(s.labels())).toList();
            assertEquals(2, swaps.size(), counter + ": " + swaps);
            swaps.forEach(s -> assertEquals(0.0, s.value(), s.toString()));
        }
        assertEquals(INPUT.keys, sum(all, OPERATOR + KeyedLstmEngine.METRIC_KEYS_STARTED, thisJob), "keys started");

        // the command line lists the endpoints too
        String status = FlinkLocalClusterITCase.cli("status", "--dir", dir.toString());
        assertTrue(status.contains("metrics of jobmanager: http://127.0.0.1:" + port + "/metrics"), status);
        cluster.rest().cancel(jobId);
    }

    /** A port p with p, p + 1, ..., p + n - 1 free on 127.0.0.1. */
    static int freePorts(int n) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            int p = LocalFlinkCluster.freePort();
            boolean free = p + n - 1 <= 65535;
            for (int i = 1; i < n && free; i++) {
                free = LocalFlinkCluster.portFree(p + i);
            }
            if (free) {
                return p;
            }
        }
        throw new IllegalStateException("no " + n + " free ports in a row");
    }

    static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
