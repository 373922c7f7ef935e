package dev.lstmflink.connect.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import kafka.Kafka;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A real single-node Kafka (KRaft, broker and controller in one JVM) on 127.0.0.1, without Docker: {@code
 * jobs/kafka-local [--port 9092] [--controller-port 9093] [--dir target/kafka-local]}.
 *
 * <p>Writes {@code DIR/server.properties} on every start, formats {@code DIR/data} on the first start only (the
 * cluster id is kept in {@code DIR/cluster.id}, so topics and offsets survive restarts), starts the Kafka server
 * classes in this JVM ({@code kafka.Kafka}, the broker's own main), prints {@code Kafka ready at 127.0.0.1:PORT} on stdout once an AdminClient can describe the
 * cluster, and shuts the broker down cleanly on Ctrl-C or SIGTERM. Replication factor and min ISR are 1 for the
 * offsets and transaction topics (the defaults of 3 break transactions on one broker), and
 * {@code transaction.max.timeout.ms} is one hour so that Flink's {@code KafkaSink} works with its default
 * {@code transaction.timeout.ms}.
 */
@Command(name = "kafka-local", mixinStandardHelpOptions = true,
        description = "Start a single-node Kafka broker (KRaft) on 127.0.0.1 that keeps its data in DIR.")
public final class KafkaLocal implements Callable<Integer> {

    static final String READY = "Kafka ready at ";
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    @Option(names = "--port", defaultValue = "9092", description = "broker (PLAINTEXT) port (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--controller-port", description = "KRaft controller port (default: port + 1)")
    Integer controllerPort;

    @Option(names = "--dir", defaultValue = "target/kafka-local",
            description = "folder for server.properties, cluster.id and the data (default ${DEFAULT-VALUE})")
    Path dir;

    public static void main(String[] args) {
        // our shutdown hook stops the broker, which still logs: keep log4j alive until the JVM ends
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        System.exit(new CommandLine(new KafkaLocal()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        int cport = controllerPort != null ? controllerPort : port + 1;
        if (port < 1 || port > 65535 || cport < 1 || cport > 65535 || port == cport) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "ports must be distinct and in 1..65535: --port " + port + ", --controller-port " + cport);
        }
        for (int p : new int[] {port, cport}) {
            if (!free(p)) {
                System.err.printf("kafka-local: port %d on %s is in use (another Kafka still running?); "
                        + "choose others with --port P [--controller-port Q]%n", p, HOST);
                return 2;
            }
        }
        Path home = dir.toAbsolutePath().normalize();
        Path data = home.resolve("data");
        Files.createDirectories(home);
        Path propsFile = home.resolve("server.properties");
        Properties props = serverProperties(port, cport, data);
        try (Writer w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(w, "written by jobs/kafka-local on every start; edits are overwritten");
        }
        if (!Files.exists(data.resolve("meta.properties"))) {
            format(home.resolve("cluster.id"), propsFile);
        }

        // kafka.Kafka is the broker's own main: it starts the server classes, stops them in its shutdown hook on
        // Ctrl-C or SIGTERM, and exits the JVM with status 1 if the start fails
        Thread broker = new Thread(() -> Kafka.main(new String[] {propsFile.toString()}), "kafka-main");
        broker.start();
        try {
            awaitReady(port);
        } catch (Exception e) {
            System.err.println("kafka-local: the broker did not start: " + e.getMessage());
            return 1;
        }
        System.out.println(READY + HOST + ":" + port);
        System.out.flush();
        System.err.println("kafka-local: data in " + home + "; Ctrl-C stops the broker");
        broker.join();
        return 0;
    }

    /** The broker's configuration: one combined KRaft node, loopback listeners only, replication factor 1. */
    public static Properties serverProperties(int port, int controllerPort, Path logDir) {
        Properties p = new Properties();
        p.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"),
                Map.entry("log.dirs", logDir.toString()),
                Map.entry("num.partitions", "1"),
                Map.entry("default.replication.factor", "1"),
                Map.entry("min.insync.replicas", "1"),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("transaction.max.timeout.ms", "3600000"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("auto.create.topics.enable", "true")));
        return p;
    }

    /** Formats the storage (first start): the cluster id comes from {@code cluster.id}, or is made and kept there. */
    private static void format(Path idFile, Path propsFile) throws IOException {
        String id = Files.exists(idFile) ? Files.readString(idFile).trim() : Uuid.randomUuid().toString();
        PrintStream log = System.err;
        int rc = StorageTool.execute(new String[] {"format", "-t", id, "-c", propsFile.toString(), "--standalone"}, log);
        if (rc != 0) {
            throw new IOException("formatting the Kafka storage failed (kafka-storage format returned " + rc + ")");
        }
        Files.writeString(idFile, id + System.lineSeparator());
    }

    private static void awaitReady(int port) throws Exception {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // wait for the listener first: the AdminClient warns on every refused connection
        while (!listening(port) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        try (Admin client = Admin.create(admin)) {
            while (true) {
                try {
                    if (!client.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no answer from " + HOST + ":" + port + " within "
                                + READY_TIMEOUT.toSeconds() + " s", e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(HOST + ":" + port + " lists no brokers after "
                            + READY_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
