package dev.lstmflink.flink.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.kafka.KafkaIo;
import dev.lstmflink.core.model.LstmConfig;
import dev.lstmflink.jobs.detect.KafkaRun;
import dev.lstmflink.testutil.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The Kafka job's graph as {@code KafkaRun} builds it, without running it: every operator has a fixed uid (a savepoint
 * maps state to operators by uid; the stateful ones are the source, parse, the detector and the two sinks' writers and
 * committers) and the configured max parallelism, so a savepoint restores at another parallelism.
 */
class DetectJobGraphTest {

    static final byte[] MODEL = TestModels.withHead(LstmConfig.of(1, 4), 1, 3);

    static StreamGraph graph(DetectConfig c) throws Exception {
        KafkaSettings s = c.kafkaSettings("127.0.0.1:9");   // nothing connects while the graph is built
        StreamExecutionEnvironment env = KafkaRun.environment(c);
        KafkaRun.build(env, c, s, KafkaIo.source(s), MODEL, "test-model");
        return env.getStreamGraph(false);
    }

    @Test
    void everyOperatorOfTheKafkaJobHasAFixedUid() throws Exception {
        DetectConfig c = DetectConfig.defaults();
        Map<String, String> uidByName = new TreeMap<>();
        List<String> without = new ArrayList<>();
        for (StreamNode n : graph(c).getStreamNodes()) {
            if (n.getTransformationUID() == null) {
                without.add(n.getOperatorName());
            } else {
                uidByName.put(n.getOperatorName(), n.getTransformationUID());
            }
        }
        assertEquals(List.of(), without, "operators without a uid; all uids: " + uidByName);
        Set<String> uids = new TreeSet<>(uidByName.values());
        assertEquals(uidByName.size(), uids.size(), "uids are unique: " + uidByName);
        for (String own : List.of(KafkaRun.SOURCE_UID, DetectPipeline.PARSE_UID, DetectStreams.UID,
                DetectPipeline.COUNT_SCORED_UID, DetectPipeline.REJECTIONS_UID)) {
            assertTrue(uids.contains(own), own + " in " + uidByName);
        }
        // a sink is two operators, a writer and a committer (the Kafka transactions), each with a uid from the sink's
        for (String sink : List.of(KafkaRun.DETECTIONS_UID, KafkaRun.DEAD_LETTERS_UID)) {
            long n = uids.stream().filter(u -> u.equals(sink) || u.equals("Sink Committer: " + sink)).count();
            assertEquals(2, n, sink + ": writer and committer in " + uidByName);
        }
    }

    @Test
    void theConfiguredMaxParallelismIsEveryOperatorsNumberOfKeyGroups() throws Exception {
        DetectConfig c = DetectConfig.defaults();
        assertEquals(128, c.flink.maxParallelism);
        c.flink.parallelism = 3;
        c.flink.maxParallelism = 512;
        StreamGraph g = graph(c);
        StreamNode detect = null;
        for (StreamNode n : g.getStreamNodes()) {
            if (DetectStreams.UID.equals(n.getTransformationUID())) {
                detect = n;
            }
        }
        assertNotNull(detect);
        assertEquals(3, detect.getParallelism());
        int maxParallelism = detect.getMaxParallelism() > 0 ? detect.getMaxParallelism()
                : g.getExecutionConfig().getMaxParallelism();
        assertEquals(512, maxParallelism, "the detector's key groups");
    }
}
