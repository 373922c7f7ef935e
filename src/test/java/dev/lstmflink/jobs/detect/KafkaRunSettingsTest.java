package dev.lstmflink.jobs.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.config.DetectConfig;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * What the Kafka job sets of Flink's configuration (issue 16): run locally it brings its own defaults (heap state,
 * checkpoints under the output folder); on a cluster the cluster's state backend and checkpoint storage stand unless
 * the user set them, and the restart strategy is never set.
 */
class KafkaRunSettingsTest {

    private static Map<String, String> settings(DetectConfig c, boolean onCluster) {
        Configuration conf = KafkaRun.settings(c, onCluster);
        assertFalse(conf.toMap().keySet().stream().anyMatch(k -> k.startsWith("restart-strategy")), conf.toString());
        return conf.toMap();
    }

    @Test
    void locallyTheJobBringsItsOwnDefaults() {
        DetectConfig c = DetectConfig.defaults();
        Map<String, String> s = settings(c, false);
        assertEquals("hashmap", s.get("state.backend.type"));
        assertEquals(Path.of(c.output, "checkpoints").toAbsolutePath().toUri().toString(),
                s.get("execution.checkpointing.dir"));
        assertEquals("RETAIN_ON_CANCELLATION", s.get("execution.checkpointing.externalized-checkpoint-retention"));
    }

    @Test
    void onAClusterItsOwnBackendAndCheckpointStorageStandUnlessTheUserSetsThem() {
        Map<String, String> s = settings(DetectConfig.defaults(), true);
        assertFalse(s.containsKey("state.backend.type"), s.toString());
        assertFalse(s.containsKey("execution.checkpointing.dir"), s.toString());

        DetectConfig c = DetectConfig.defaults();
        c.flink.stateBackend = "rocksdb";
        c.flink.checkpointDir = "s3://bucket/checkpoints";
        for (boolean onCluster : new boolean[] {true, false}) {
            s = settings(c, onCluster);
            assertEquals("rocksdb", s.get("state.backend.type"));
            assertEquals("true", s.get("state.backend.rocksdb.use-bloom-filter"));
            assertEquals("s3://bucket/checkpoints", s.get("execution.checkpointing.dir"));
        }
    }

    @Test
    void objectReuseIsOn() {
        // safe only while no operator changes or re-emits a record it has emitted: see KafkaRun.environment
        assertTrue(KafkaRun.environment(DetectConfig.defaults()).getConfig().isObjectReuseEnabled());
    }

    @Test
    void aPlainJvmIsALocalRun() {
        assertTrue(KafkaRun.environment(DetectConfig.defaults()).getClass().getName().contains("Local"),
                "getExecutionEnvironment() outside flink run is a local environment");
    }
}
