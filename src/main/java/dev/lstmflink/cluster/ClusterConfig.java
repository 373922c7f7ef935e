package dev.lstmflink.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's {@code conf/config.yaml}: flat {@code key: value} lines, as Flink 2 reads them.
 *
 * <p>Everything listens on 127.0.0.1 only (the bind keys too: without them Flink listens on 0.0.0.0). Memory leaves the
 * TaskManager real task heap: at Flink's default split a 1 GB TaskManager has about 26 MB of it, so the process gets
 * {@value #TM_PROCESS_MEMORY} with a managed-memory fraction of {@value #TM_MANAGED_FRACTION} (managed memory only
 * serves RocksDB). Failures are found fast and restarts keep trying: heartbeats every second, a TaskManager lost after
 * {@value #HEARTBEAT_TIMEOUT} without one, and a fixed-delay restart strategy whose {@value #RESTART_ATTEMPTS} attempts
 * one second apart outlast the time a replacement TaskManager needs (while slots are missing, each attempt fails at
 * once). Network buffer debloating keeps checkpoints short while a job is backpressured. A user program's
 * {@code System.exit} throws instead of ending the JobManager (see {@link #defaults}).
 *
 * <p>{@code env.java.opts.all} holds the {@code --add-opens}/{@code --add-exports} list that Flink's own
 * {@code config.yaml} ships for Java 17 plus the Vector API module {@value #VECTOR_FLAG}; {@link LocalFlinkCluster}
 * passes the same options to the JVMs it starts, since no script reads them here.
 */
public final class ClusterConfig {

    /** The incubating Vector API of JDK 17, which the LSTM kernel uses (else it falls back to scalar code). */
    public static final String VECTOR_FLAG = "--add-modules=jdk.incubator.vector";

    /** What Flink 2.2's {@code flink-dist/src/main/resources/config.yaml} sets as {@code env.java.opts.all}. */
    static final List<String> JAVA17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** The name of the Prometheus reporter in the {@code metrics.reporter.<name>.*} keys. */
    public static final String PROMETHEUS = "prom";
    public static final String PROMETHEUS_FACTORY_KEY = "metrics.reporter." + PROMETHEUS + ".factory.class";
    public static final String PROMETHEUS_PORT_KEY = "metrics.reporter." + PROMETHEUS + ".port";
    static final String PROMETHEUS_FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    static final String HOST = "127.0.0.1";
    static final String JM_PROCESS_MEMORY = "1024m";
    static final String TM_PROCESS_MEMORY = "1280m";
    static final String TM_MANAGED_FRACTION = "0.15";
    static final String HEARTBEAT_TIMEOUT = "5 s";
    static final String RESTART_ATTEMPTS = "1000";

    private final Map<String, String> entries;

    private ClusterConfig(Map<String, String> entries) {
        this.entries = entries;
    }

    /**
     * The configuration of a cluster in {@code dir}, then {@code extra} on top (any Flink key; a value replaces ours).
     *
     * @param rpcPort the JobManager's RPC port
     * @param restPort the REST port (web UI, job submission)
     * @param slots task slots per TaskManager
     */
    public static ClusterConfig defaults(Path dir, int rpcPort, int restPort, int slots, Map<String, String> extra) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots per TaskManager must be >= 1, got " + slots);
        }
        Path home = dir.toAbsolutePath().normalize();
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", HOST);
        c.put("jobmanager.bind-host", HOST);
        c.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        c.put("jobmanager.memory.process.size", JM_PROCESS_MEMORY);
        c.put("rest.address", HOST);
        c.put("rest.bind-address", HOST);
        c.put("rest.port", String.valueOf(restPort));
        c.put("taskmanager.host", HOST);
        c.put("taskmanager.bind-host", HOST);
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        c.put("taskmanager.memory.process.size", TM_PROCESS_MEMORY);
        c.put("taskmanager.memory.managed.fraction", TM_MANAGED_FRACTION);
        // A checkpoint barrier queues behind the records already in the network buffers (about 80 MB per
        // TaskManager here). When a job is backpressured, as while it works off the backlog after a restart, the
        // first checkpoint after a crash took 12 s in DetectCrashITCase; debloating keeps about 1 s of data in flight.
        c.put("taskmanager.network.memory.buffer-debloat.enabled", "true");
        c.put("parallelism.default", "1");
        c.put("execution.checkpointing.dir", home.resolve("checkpoints").toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", home.resolve("savepoints").toUri().toString());
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", RESTART_ATTEMPTS);
        c.put("restart-strategy.fixed-delay.delay", "1 s");
        c.put("heartbeat.interval", "1 s");
        c.put("heartbeat.timeout", HEARTBEAT_TIMEOUT);
        c.put("io.tmp.dirs", home.resolve("tmp").toString());
        c.put("web.upload.dir", home.resolve("web-upload").toString());
        // A program submitted through REST runs its main() inside the JobManager; a System.exit there (picocli
        // mains end with one) would end the JobManager. THROW turns it into an error of that one submission.
        c.put("cluster.intercept-user-system-exit", "THROW");
        c.put("env.java.opts.all", String.join(" ", JAVA17_OPTS) + " " + VECTOR_FLAG);
        c.putAll(extra);
        return new ClusterConfig(c);
    }

    /** Reads a config.yaml of flat {@code key: value} lines, as {@link #write} writes it. */
    public static ClusterConfig read(Path file) throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new IOException(file + ": expected 'key: value', got: " + line);
            }
            c.put(line.substring(0, colon), unquote(line.substring(colon + 2).trim()));
        }
        return new ClusterConfig(c);
    }

    public String get(String key) {
        return entries.get(key);
    }

    public Map<String, String> entries() {
        return Map.copyOf(entries);
    }

    /**
     * The settings of Flink's Prometheus reporter with the JobManager's port: {@link LocalFlinkCluster} gives
     * TaskManager N the port {@code port + N} on its command line (a port each: they share this host).
     */
    public static Map<String, String> prometheus(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("Prometheus port must be in 1..65535, got " + port);
        }
        Map<String, String> c = new LinkedHashMap<>();
        c.put(PROMETHEUS_FACTORY_KEY, PROMETHEUS_FACTORY);
        c.put(PROMETHEUS_PORT_KEY, String.valueOf(port));
        return c;
    }

    /** The JobManager's Prometheus port when the reporter is configured with one port, else -1. */
    public int prometheusPort() {
        String port = entries.get(PROMETHEUS_PORT_KEY);
        if (!PROMETHEUS_FACTORY.equals(entries.get(PROMETHEUS_FACTORY_KEY)) || port == null
                || !port.trim().matches("[0-9]+")) {
            return -1;
        }
        return Integer.parseInt(port.trim());
    }

    public int restPort() {
        return Integer.parseInt(entries.get("rest.port"));
    }

    /** {@code env.java.opts.all} split at whitespace (quoting is not supported): what every cluster JVM gets. */
    public List<String> javaOpts() {
        String opts = entries.getOrDefault("env.java.opts.all", "").trim();
        return opts.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(opts.split("\\s+")));
    }

    /** Writes {@code config.yaml}: one {@code key: 'value'} line per entry. */
    public void write(Path file) throws IOException {
        StringBuilder b = new StringBuilder("# written by jobs/flink-local (dev.lstmflink.cluster.ClusterConfig) at "
                + "every start; flat keys, as Flink 2 reads them\n");
        entries.forEach((k, v) -> b.append(k).append(": ").append(quote(v)).append('\n'));
        Files.createDirectories(file.getParent());
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /** A YAML single-quoted scalar: a value holding {@code :}, {@code #} or spaces stays one string. */
    static String quote(String v) {
        return "'" + v.replace("'", "''") + "'";
    }

    static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("'") && v.endsWith("'")
                ? v.substring(1, v.length() - 1).replace("''", "'") : v;
    }
}
