package dev.lstmflink.flink.detect;

import static dev.lstmflink.flink.detect.DetectSavepointGenerator.BEFORE;
import static dev.lstmflink.flink.detect.DetectSavepointGenerator.IN;
import static dev.lstmflink.flink.detect.DetectSavepointGenerator.KEYS;
import static dev.lstmflink.flink.detect.DetectSavepointGenerator.STEPS;
import static dev.lstmflink.flink.detect.DetectSavepointGenerator.T0;
import static dev.lstmflink.flink.detect.DetectSavepointGenerator.STEP_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.anomaly.KeyScorer;
import dev.lstmflink.anomaly.LikelihoodScorer;
import dev.lstmflink.anomaly.LikelihoodState;
import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.connect.kafka.Topics;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.DetectionJson;
import dev.lstmflink.testutil.TestBroker;
import dev.lstmflink.testutil.TestModels;
import dev.lstmflink.config.OnStateMismatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint written by release {@code detect-v1} ({@code src/test/resources/savepoints/detect-v1/}, made by
 * {@link DetectSavepointGenerator}) restores with the current code (issue 6, "State compatibility"): the Kafka job
 * resumes from it, at parallelism 1 where it was written at 2, and writes exactly the detections that release wrote
 * after the same resume ({@code expected-detections.jsonl}), including those of the events that were waiting in the
 * event-time buffers when it was taken. A model of another shape is refused at start-up with both shapes named, and
 * does not send Flink into a restart loop; with {@code flink.on_state_mismatch: reset} every key of the savepoint starts
 * again and is counted in the run's {@link RunCounts#stateResets()}.
 *
 * <p>detect-v1 was written in the dynamic scoring mode, the default then (keyed state {@code scoring}); the job that
 * resumes it here states that mode ({@link DetectSavepointGenerator#config}). Users who upgrade resume it in the
 * likelihood mode, the default now (keyed state {@code likelihood}): that restore is checked too, against the same
 * expected detections for everything but the scores, whose history starts at the restore.
 *
 * <p>The savepoint is copied to a new folder before each restore, and the absolute paths its {@code _metadata} names
 * (Flink keeps a would-be file name for state small enough to be inline) are checked not to exist: it restores from
 * wherever the repository is cloned.
 *
 * <p>When this fails after a change: a change of a state format (a serializer, a state name, a uid, the operator chain
 * of a stateful operator) breaks savepoints users hold. Make the change readable from the old format (a new serializer
 * snapshot version that reads version 1) or, when that is deliberate, keep this fixture and add a new one (see the
 * generator); never regenerate this one to make the test pass.
 */
class SavepointCompatibilityITCase {

    static final String FIXTURE = "/savepoints/detect-v1";
    /** The events scored before the savepoint: those the watermark had passed, 5 s + 1 ms behind the newest. */
    static final int SCORED_BEFORE = KEYS * (BEFORE - 6);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    static Path work;
    static TestBroker broker;
    static Path fixture;
    static byte[] model;
    static List<Detection> expected;

    @BeforeAll
    static void setUp() throws Exception {
        fixture = Path.of(SavepointCompatibilityITCase.class.getResource(FIXTURE).toURI());
        model = Files.readAllBytes(fixture.resolve(DetectSavepointGenerator.MODEL_FILE));
        expected = new ArrayList<>();
        for (String line : Files.readAllLines(fixture.resolve(DetectSavepointGenerator.EXPECTED))) {
            expected.add(DetectionJson.fromJson(line));
        }
        broker = TestBroker.start(Files.createDirectories(work.resolve("broker")));
        // the input exactly as the generator produced it: same partitions, same order, so the same offsets
        Topics.ensure(DetectSavepointGenerator.config("current", work).kafkaSettings(broker.bootstrap));
        KafkaJobPhases.produce(broker.bootstrap, IN, DetectSavepointGenerator.events(0, STEPS));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void theFixtureIsSmallAndNamesNoPathThatExists() throws Exception {
        Path savepoint = fixture.resolve(DetectSavepointGenerator.SAVEPOINT);
        assertTrue(Files.isRegularFile(savepoint.resolve("_metadata")), "Flink's _metadata is in the fixture");
        long bytes = DetectSavepointGenerator.size(savepoint);
        assertTrue(bytes < 64 * 1024, "the savepoint is " + bytes + " bytes");
        assertEquals(KEYS * (STEPS - BEFORE + 6), expected.size(), "expected detections");
        for (String path : absolutePaths(savepoint.resolve("_metadata"))) {
            assertFalse(Files.exists(Path.of(java.net.URI.create(path))),
                    "the savepoint names " + path + ", which exists: the restores would not show it is relocatable");
        }
    }

    @Test
    void theV1SavepointRestoresAndTheJobContinuesWithTheDetectionsV1Wrote() throws Exception {
        DetectConfig c = DetectSavepointGenerator.config("current", work);
        c.flink.parallelism = 1;
        Map<String, List<Detection>> got = resume(c, model, relocatedCopy("same-model"));

        Map<String, List<Detection>> want = new LinkedHashMap<>();
        expected.forEach(d -> want.computeIfAbsent(d.key, k -> new ArrayList<>()).add(d));
        assertEquals(KEYS, want.size());
        assertEquals(want.keySet(), got.keySet());
        long waiting = 0;
        for (Map.Entry<String, List<Detection>> e : want.entrySet()) {
            assertEquals(e.getValue(), got.get(e.getKey()), "key " + e.getKey());
            Detection first = got.get(e.getKey()).get(0);
            assertEquals(BEFORE - 6 + 1, first.step, "the step count continues: " + first);
            assertNotNull(first.prediction, "the pending prediction came from the savepoint: " + first);
            assertFalse(Double.isNaN(first.threshold), "so did the scoring state, past its warm-up: " + first);
            waiting += got.get(e.getKey()).stream().filter(d -> d.ts < T0 + BEFORE * STEP_MS).count();
        }
        assertEquals(KEYS * 6L, waiting, "events waiting in the savepoint's buffers, scored after the restore");
        assertTrue(expected.stream().anyMatch(d -> d.anomaly), "a spike after the restore is flagged");
    }

    /**
     * The upgrade as users make it: the v1 savepoint (dynamic mode) resumed by a job in the likelihood mode, the
     * default now. Everything the LSTM carries continues exactly as v1 wrote it after its resume (step, values,
     * prediction, residual, also of the events waiting in the buffers); the likelihood mode has no history in the
     * savepoint, so each key's starts at the restore: every score equals a new {@link LikelihoodScorer}'s over the
     * key's events since the restore. The warm-up is 5 here (shipped: 100, so that a key's first 100 events after such
     * an upgrade are never flagged) so that the spikes after the restore are scored past it.
     */
    @Test
    void theV1SavepointRestoresIntoTheLikelihoodDefaultWithTheLstmContinuingAndANewScoringHistory() throws Exception {
        DetectConfig c = DetectSavepointGenerator.config("likelihood", work);
        c.scoring.mode = ScoringConfig.Mode.LIKELIHOOD;
        c.scoring.likelihood.warmup = 5;
        c.flink.parallelism = 1;
        Map<String, List<Detection>> got = resume(c, model, relocatedCopy("likelihood"));

        Map<String, List<Detection>> want = new LinkedHashMap<>();
        LikelihoodScorer scorer = new LikelihoodScorer(c.scoring().likelihood());
        Map<String, LikelihoodState> history = new LinkedHashMap<>();
        for (Detection v1 : expected) {
            // the model has no normalization: the scorer sees the values and predictions as written
            KeyScorer.Result r = scorer.score(v1.values, v1.prediction,
                    history.computeIfAbsent(v1.key, k -> scorer.newState(1)));
            want.computeIfAbsent(v1.key, k -> new ArrayList<>()).add(new Detection(v1.key, v1.ts, v1.values,
                    v1.prediction, v1.residual, r.score(), r.threshold(), r.anomaly(), v1.step, v1.modelVersion));
        }
        assertEquals(want.keySet(), got.keySet());
        long flagged = 0;
        for (Map.Entry<String, List<Detection>> e : want.entrySet()) {
            assertEquals(e.getValue(), got.get(e.getKey()), "key " + e.getKey());
            flagged += got.get(e.getKey()).stream().filter(d -> d.anomaly).count();
        }
        assertTrue(flagged > 0, "a spike after the restore is flagged");
        assertTrue(got.values().stream().flatMap(List::stream).anyMatch(d -> d.score > 0 && d.score < 0.5),
                "scores past the warm-up other than the spatial check's 1 (the error and level channels)");
    }

    @Test
    void aModelOfAnotherHiddenSizeIsRefusedAtStartNamingBothShapes() throws Exception {
        DetectConfig c = DetectSavepointGenerator.config("refused", work);
        c.flink.parallelism = 1;
        byte[] wider = TestModels.withHead(LstmConfig.of(1, 16), 1, 5);
        var job = KafkaJobPhases.start(c, broker.bootstrap, wider, relocatedCopy("refused"), "detect-v1: refused");
        // with restarts this would never end (the guard fails it): the refusal must stop the job at once
        ExecutionException e = assertThrows(ExecutionException.class, () -> job.job().getJobExecutionResult()
                .get(KafkaJobPhases.GUARD.toSeconds(), TimeUnit.SECONDS));
        String trace = ExceptionUtils.stringifyException(e);
        assertTrue(trace.contains("SuppressRestartsException"), trace);
        assertTrue(trace.contains("Refusing to restore: the savepoint's key state was written by a model of shape "
                + "input_size=1, hidden_size=8, num_layers=1, proj_size=0 (16 state values per key"), trace);
        assertTrue(trace.contains("has shape input_size=1, hidden_size=16, num_layers=1, proj_size=0 (32 state values "
                + "per key"), trace);
        KafkaJobPhases.assertEmpty(broker.bootstrap, c.kafka.outputTopic);
    }

    @Test
    void withOnStateMismatchResetEveryKeyStartsAgainAndIsCounted() throws Exception {
        DetectConfig c = DetectSavepointGenerator.config("reset", work);
        c.flink.parallelism = 1;
        c.flink.onStateMismatch = OnStateMismatch.RESET;
        byte[] wider = TestModels.withHead(LstmConfig.of(1, 16), 1, 5);
        Topics.ensure(c.kafkaSettings(broker.bootstrap));
        var job = KafkaJobPhases.start(c, broker.bootstrap, wider, relocatedCopy("reset"), "detect-v1: reset");
        KafkaJobPhases.awaitRecords(broker.bootstrap, c.kafka.outputTopic, Map.of(), behindTheLastWatermark());
        RunCounts counts = RunCounts.of(KafkaJobPhases.stop(job, work.resolve("savepoints").toUri().toString(), true)
                .result());
        assertEquals(KEYS, counts.stateResets(), counts.summary());
        assertTrue(counts.summary().contains(KEYS + " keys' restored state did not fit the model"), counts.summary());
        assertEquals(expected.size(), counts.scored(), counts.summary());

        Map<String, List<Detection>> got = KafkaJobPhases.byKey(
                KafkaJobPhases.read(broker.bootstrap, c.kafka.outputTopic, true, null));
        assertEquals(KEYS, got.size());
        for (List<Detection> ofKey : got.values()) {
            Detection first = ofKey.get(0);
            assertEquals(1, first.step, "started again: " + first);
            assertNull(first.prediction, first.toString());
            assertEquals(ofKey.size(), ofKey.get(ofKey.size() - 1).step);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Resumes the job from {@code savepoint}, waits until it has scored what the watermark passed, stops it with drain
     * (which scores the rest) and returns what it committed, by key in the order written.
     */
    static Map<String, List<Detection>> resume(DetectConfig c, byte[] model, String savepoint) throws Exception {
        Topics.ensure(c.kafkaSettings(broker.bootstrap));
        var job = KafkaJobPhases.start(c, broker.bootstrap, model, savepoint, "detect-v1: restored");
        KafkaJobPhases.awaitRecords(broker.bootstrap, c.kafka.outputTopic, Map.of(), behindTheLastWatermark());
        KafkaJobPhases.stop(job, work.resolve("savepoints").toUri().toString(), true);
        List<ConsumerRecord<byte[], byte[]>> r = KafkaJobPhases.read(broker.bootstrap, c.kafka.outputTopic, true, null);
        KafkaJobPhases.assertOnePartitionPerKey(r);
        KafkaJobPhases.assertEmpty(broker.bootstrap, c.kafka.deadLetterTopic);
        return KafkaJobPhases.byKey(r);
    }

    /** Detections written after the restore once the job has read all the input (the last 5 s still wait). */
    static long behindTheLastWatermark() {
        return KEYS * (long) (STEPS - 6) - SCORED_BEFORE;
    }

    /** A copy of the fixture's savepoint in a new folder, as a URI string for {@code execution.state-recovery.path}. */
    static String relocatedCopy(String name) throws Exception {
        Path to = work.resolve("relocated").resolve(name).resolve("savepoint");
        DetectSavepointGenerator.copy(fixture.resolve(DetectSavepointGenerator.SAVEPOINT), to);
        return to.toUri().toString();
    }

    /** The {@code file:} paths written in {@code _metadata}. */
    static List<String> absolutePaths(Path metadata) throws Exception {
        String text = new String(Files.readAllBytes(metadata), StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("file:/[A-Za-z0-9_./-]+").matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
