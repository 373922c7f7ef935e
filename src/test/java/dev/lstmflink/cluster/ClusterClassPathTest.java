package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterClassPathTest {

    @TempDir
    Path tmp;

    @Test
    void artifactIdIsTheNameUpToTheVersion() {
        assertEquals("flink-shaded-netty", ClusterClassPath.artifactId("flink-shaded-netty-4.1.100.Final-20.0.jar"));
        assertEquals("jackson-datatype-jdk8", ClusterClassPath.artifactId("jackson-datatype-jdk8-2.18.2.jar"));
        assertEquals("kafka_2.13", ClusterClassPath.artifactId("kafka_2.13-4.2.0.jar"));
        assertEquals("frocksdbjni", ClusterClassPath.artifactId("frocksdbjni-8.10.0-ververica-1.0.jar"));
        assertEquals("log4j-slf4j-impl", ClusterClassPath.artifactId("log4j-slf4j-impl-2.24.3.jar"));
        assertEquals("snakeyaml-engine", ClusterClassPath.artifactId("snakeyaml-engine-2.6.jar"));
    }

    @Test
    void flinkAndLoggingGoOnTheClusterTheJobJarsAndTheBrokersDoNot() {
        for (String on : List.of("flink-runtime", "flink-runtime-web", "flink-statebackend-rocksdb", "frocksdbjni",
                "commons-lang3", "kryo", "snakeyaml-engine", "log4j-core", "slf4j-api", "flink-metrics-core")) {
            assertTrue(ClusterClassPath.onCluster(on), on);
        }
        for (String off : List.of("flink-connector-kafka", "kafka-clients", "zstd-jni", "jackson-databind",
                "jackson-dataformat-yaml", "snakeyaml", "picocli", "progressbar", "jline-terminal", "kafka_2.13",
                "kafka-server", "scala-library", "scala-logging_2.13", "metrics-core", "commons-validator",
                "flink-metrics-prometheus")) {
            assertFalse(ClusterClassPath.onCluster(off), off);
        }
    }

    @Test
    void picksFromAFolderAndNamesARequiredJarThatIsMissing() throws Exception {
        for (String jar : List.of("flink-runtime-2.2.1.jar", "flink-clients-2.2.1.jar",
                "flink-streaming-java-2.2.1.jar", "flink-runtime-web-2.2.1.jar", "log4j-core-2.24.3.jar",
                "log4j-slf4j-impl-2.24.3.jar", "kafka-clients-4.2.0.jar", "picocli-4.7.7.jar", "notes.txt")) {
            Files.writeString(tmp.resolve(jar), "");
        }
        List<String> names = ClusterClassPath.of(tmp).stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("flink-clients-2.2.1.jar", "flink-runtime-2.2.1.jar", "flink-runtime-web-2.2.1.jar",
                "flink-streaming-java-2.2.1.jar", "log4j-core-2.24.3.jar", "log4j-slf4j-impl-2.24.3.jar"), names);

        String p = assertThrows(IllegalStateException.class,
                () -> ClusterClassPath.plugin(tmp, "flink-metrics-prometheus")).getMessage();
        assertTrue(p.contains("flink-metrics-prometheus") && p.contains("mvn"), p);
        Files.writeString(tmp.resolve("flink-metrics-prometheus-2.2.1.jar"), "");
        assertEquals(tmp.resolve("flink-metrics-prometheus-2.2.1.jar"),
                ClusterClassPath.plugin(tmp, "flink-metrics-prometheus"));
        assertFalse(ClusterClassPath.of(tmp).contains(tmp.resolve("flink-metrics-prometheus-2.2.1.jar")),
                "a plugin, not on the class path");

        Files.delete(tmp.resolve("flink-runtime-web-2.2.1.jar"));
        String m = assertThrows(IllegalStateException.class, () -> ClusterClassPath.of(tmp)).getMessage();
        assertTrue(m.contains("flink-runtime-web") && m.contains("mvn"), m);
        String none = assertThrows(IllegalStateException.class,
                () -> ClusterClassPath.of(tmp.resolve("nothing"))).getMessage();
        assertTrue(none.contains("no such folder"), none);
    }
}
