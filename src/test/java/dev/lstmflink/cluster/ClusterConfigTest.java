package dev.lstmflink.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {

    @TempDir
    Path tmp;

    @Test
    void listensOnLoopbackOnlyAndGivesEveryJvmFlinksJava17FlagsAndTheVectorModule() {
        ClusterConfig c = ClusterConfig.defaults(tmp, 6123, 8081, 2, Map.of());
        for (String key : List.of("jobmanager.rpc.address", "jobmanager.bind-host", "rest.address",
                "rest.bind-address", "taskmanager.host", "taskmanager.bind-host")) {
            assertEquals("127.0.0.1", c.get(key), key);
        }
        assertEquals("2", c.get("taskmanager.numberOfTaskSlots"));
        assertEquals(8081, c.restPort());
        assertEquals(tmp.toAbsolutePath().resolve("checkpoints").toUri().toString(),
                c.get("execution.checkpointing.dir"));
        assertEquals("fixed-delay", c.get("restart-strategy.type"));
        List<String> opts = c.javaOpts();
        assertTrue(opts.containsAll(ClusterConfig.JAVA17_OPTS), opts.toString());
        assertTrue(opts.contains(ClusterConfig.VECTOR_FLAG), opts.toString());
        assertEquals(ClusterConfig.JAVA17_OPTS.size() + 1, opts.size());
    }

    @Test
    void extraSettingsReplaceOursAndAddNewOnes() {
        ClusterConfig c = ClusterConfig.defaults(tmp, 1, 2, 1, Map.of("state.backend.type", "rocksdb",
                "heartbeat.timeout", "30 s"));
        assertEquals("rocksdb", c.get("state.backend.type"));
        assertEquals("30 s", c.get("heartbeat.timeout"));
    }

    @Test
    void writtenFileReadsBackWithColonsSpacesHashesAndQuotes() throws Exception {
        ClusterConfig c = ClusterConfig.defaults(tmp, 1, 2, 1, Map.of("x.uri", "file:///a b/c#d",
                "x.quote", "it's", "x.empty", ""));
        Path f = tmp.resolve("conf/config.yaml");
        c.write(f);
        assertEquals(c.entries(), ClusterConfig.read(f).entries());
        assertTrue(Files.readString(f).contains("x.quote: 'it''s'"));
    }

    @Test
    void thePrometheusReporterIsConfiguredWithTheJobManagersPortAndReadBack() throws Exception {
        assertEquals(-1, ClusterConfig.defaults(tmp, 1, 2, 1, Map.of()).prometheusPort(), "off by default");
        ClusterConfig c = ClusterConfig.defaults(tmp, 1, 2, 1, ClusterConfig.prometheus(9300));
        assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                c.get("metrics.reporter.prom.factory.class"));
        assertEquals("9300", c.get("metrics.reporter.prom.port"));
        Path f = tmp.resolve("conf/config.yaml");
        c.write(f);
        assertEquals(9300, ClusterConfig.read(f).prometheusPort(), "jobs/flink-local finds it from another shell");
        assertEquals(-1, ClusterConfig.defaults(tmp, 1, 2, 1, Map.of(ClusterConfig.PROMETHEUS_FACTORY_KEY,
                ClusterConfig.PROMETHEUS_FACTORY, ClusterConfig.PROMETHEUS_PORT_KEY, "9250-9260")).prometheusPort(),
                "a range set by hand: the ports are not known in advance");
        String m = assertThrows(IllegalArgumentException.class, () -> ClusterConfig.prometheus(0)).getMessage();
        assertTrue(m.contains("Prometheus port") && m.contains("0"), m);
    }

    @Test
    void refusesZeroSlots() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> ClusterConfig.defaults(tmp, 1, 2, 0, Map.of())).getMessage();
        assertTrue(m.contains("slots") && m.contains("0"), m);
    }
}
