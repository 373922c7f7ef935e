package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * {@code target/lstm-flink-job.jar} deploys like any Flink job (issue 16): its manifest names the detection job as the
 * entry class, so {@code flink run target/lstm-flink-job.jar --kafka ...} needs no {@code -c}; and Flink itself is not
 * in it (the cluster's {@code lib/} has it), only the Kafka connector, which Flink's distribution does not ship.
 */
class JobJarITCase {

    /** Packages of Flink's distribution (flink-dist), which must come from the cluster's lib/, never from the job. */
    static final List<String> CORE = List.of("org/apache/flink/api/", "org/apache/flink/streaming/api/",
            "org/apache/flink/runtime/", "org/apache/flink/configuration/", "org/apache/flink/core/",
            "org/apache/flink/connector/base/", "org/apache/flink/connector/file/", "org/apache/flink/state/");

    @Test
    void theManifestNamesTheDetectionJobAndFlinkIsNotShadedIn() throws Exception {
        try (JarFile jar = new JarFile(DetectJobSetup.JOB_JAR.toFile())) {
            assertEquals(DetectJobSetup.ENTRY_CLASS, jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertNotNull(jar.getEntry(DetectJobSetup.ENTRY_CLASS.replace('.', '/') + ".class"));
            assertNotNull(jar.getEntry("org/apache/flink/connector/kafka/source/KafkaSource.class"), "the connector");
            List<String> flink = new ArrayList<>();
            jar.stream().map(e -> e.getName())
                    .filter(n -> CORE.stream().anyMatch(n::startsWith))
                    .limit(5).forEach(flink::add);
            assertTrue(flink.isEmpty(), "Flink's own classes shaded into the job jar: " + flink);
        }
    }
}
