package dev.lstmflink.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lstmflink.connect.kafka.KafkaLocal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;

/**
 * One real KRaft node (broker and controller) in the test's JVM, configured by {@link KafkaLocal#serverProperties}
 * with topic auto-creation off (a sink must not create its topic behind {@code Topics.ensure}'s back) and Kafka's
 * default {@code transaction.max.timeout.ms}. {@code extra} properties override (e.g. {@code message.max.bytes}).
 */
public final class TestBroker implements AutoCloseable {

    public final KafkaRaftServer server;
    public final String bootstrap;

    private TestBroker(KafkaRaftServer server, String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    public static TestBroker start(Path dir) throws Exception {
        return start(dir, new Properties());
    }

    public static TestBroker start(Path dir, Properties extra) throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Properties props = KafkaLocal.serverProperties(port, controllerPort, dir.resolve("data"));
        props.setProperty("auto.create.topics.enable", "false");
        // Kafka's default (kafka-local allows 1 h): the sinks' default transaction timeout must fit a stock broker
        props.setProperty("transaction.max.timeout.ms", "900000");
        // one partition each instead of 50: the coordinators' topics are created at first use, within the job
        props.setProperty("offsets.topic.num.partitions", "1");
        props.setProperty("transaction.state.log.num.partitions", "1");
        props.putAll(extra);
        Path propsFile = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(w, null);
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                propsFile.toString(), "--standalone"}, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, "kafka-storage format: " + log.toString(StandardCharsets.UTF_8));
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        server.startup();
        String bootstrap = "127.0.0.1:" + port;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertTrue(!admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).isEmpty(), "no broker listed");
        }
        return new TestBroker(server, bootstrap);
    }

    /**
     * Every committed record of {@code topic} ({@code read_committed}), all partitions in partition order, read from
     * the beginning up to the end offsets (the last stable ones); a test fails when that takes over a minute (a guard
     * against a hang, not a measure).
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    fail("reading " + topic + " did not reach the end offsets " + end + " (" + out.size() + " read)");
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    public void stop() {
        server.shutdown();
        server.awaitShutdown();
    }

    @Override
    public void close() {
        stop();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
