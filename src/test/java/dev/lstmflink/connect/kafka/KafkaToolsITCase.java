package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.testutil.TestProducer;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobs/sensors} and {@code jobs/kafka-tail} against a real broker (KRaft, in this JVM, configured as
 * {@code jobs/kafka-local} does), through their logic ({@link SensorProducer#send}, {@link TopicTail#tail}) rather
 * than the scripts: what the producer writes comes back through the tail, record for record, malformed ones
 * included; the tail shows only committed transactions, starts at the end unless asked otherwise, and an unreachable
 * broker or a missing topic is an error that names them.
 */
class KafkaToolsITCase {

    @TempDir
    static Path dir;

    static KafkaRaftServer server;
    static String bootstrap;

    @BeforeAll
    static void startBroker() throws Exception {
        int port = freePort();
        Properties props = KafkaLocal.serverProperties(port, freePort(), dir.resolve("data"));
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("offsets.topic.num.partitions", "1");
        props.setProperty("transaction.state.log.num.partitions", "1");
        Path propsFile = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(propsFile, StandardCharsets.UTF_8)) {
            props.store(w, null);
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                propsFile.toString(), "--standalone"}, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, "kafka-storage format: " + log.toString(StandardCharsets.UTF_8));
        server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        server.startup();
        bootstrap = "127.0.0.1:" + port;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            assertFalse(admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).isEmpty(), "no broker listed");
        }
    }

    @AfterAll
    static void stopBroker() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    @Test
    void whatTheProducerWritesTheTailReadsBack() {
        List<SensorProducer.Keyed> sent = SensorProducer.records(SensorProducer.spec(2, 300, 5, 7));
        assertEquals(605, sent.size(), "2 sensors x 300 readings + 5 malformed records");

        assertTrue(SensorProducer.ensureTopic(bootstrap, "sensors", 3, Duration.ofSeconds(30)), "topic created");
        assertFalse(SensorProducer.ensureTopic(bootstrap, "sensors", 3, Duration.ofSeconds(30)), "exists already");
        List<String> progress = new ArrayList<>();
        SensorProducer.Result r = SensorProducer.send(bootstrap, "sensors", sent, 0, Duration.ofSeconds(30),
                progress::add);
        assertEquals(605, r.sent(), "records acknowledged");

        List<String> read = new ArrayList<>();
        TopicTail.Result t = TopicTail.tail(bootstrap, "sensors", true, 0, Duration.ofSeconds(3), read::add);
        assertEquals(605, t.records());
        assertFalse(t.reachedMax());
        assertEquals(sorted(values(sent)), sorted(read), "the same values, each once");

        JsonRecordParser parser = new JsonRecordParser(1, 65_536);
        List<String> bad = read.stream().filter(v -> !parser.parse(RawRecord.line("t", 1, v)).isOk()).toList();
        assertEquals(5, bad.size(), "the malformed records among the values: " + bad);

        // each sensor's records share a key, hence a partition, so they come back in the order they were sent
        Map<String, List<String>> sentByKey = byKey(sent);
        assertEquals(List.of("sensor-01", "sensor-02"), List.copyOf(sentByKey.keySet()));
        for (Map.Entry<String, List<String>> e : sentByKey.entrySet()) {
            List<String> order = read.stream().filter(e.getValue()::contains).toList();
            assertEquals(e.getValue(), order, "order of key " + e.getKey());
        }

        // --max stops early
        List<String> first = new ArrayList<>();
        TopicTail.Result limited = TopicTail.tail(bootstrap, "sensors", true, 10, Duration.ofSeconds(10), first::add);
        assertEquals(10, first.size());
        assertTrue(limited.reachedMax());
    }

    @Test
    void tailShowsOnlyCommittedRecordsAndStartsAtTheEnd() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic("tx", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Topics.awaitLeaders(bootstrap, List.of("tx"), TestProducer.LEADERS); // before the first send
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps("tools-it"))) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx", "k", "committed-0"));
            p.send(new ProducerRecord<>("tx", "k", "committed-1"));
            p.commitTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx", "k", "aborted"));
            p.flush();
            p.abortTransaction();
        }
        List<String> all = new ArrayList<>();
        TopicTail.tail(bootstrap, "tx", true, 0, Duration.ofSeconds(2), all::add);
        assertEquals(List.of("committed-0", "committed-1"), all, "read_committed hides the aborted record");

        // without --from-beginning only records written after the start: the tail waits for one new record
        List<String> fresh = new CopyOnWriteArrayList<>();
        CompletableFuture<TopicTail.Result> tail = CompletableFuture.supplyAsync(
                () -> TopicTail.tail(bootstrap, "tx", false, 1, Duration.ofSeconds(30), fresh::add));
        // the tail resolves its start before its first poll; records sent until then may be skipped, so keep sending
        // new ones until it has one
        try (KafkaProducer<String, String> p = new KafkaProducer<>(producerProps(null))) {
            for (int i = 0; !tail.isDone() && i < 200; i++) {
                p.send(new ProducerRecord<>("tx", "k", "new-" + i)).get(30, TimeUnit.SECONDS);
                Thread.sleep(100);
            }
        }
        assertTrue(tail.get(30, TimeUnit.SECONDS).reachedMax());
        assertEquals(1, fresh.size());
        assertTrue(fresh.get(0).startsWith("new-"), "an old record was shown: " + fresh);
    }

    @Test
    void unreachableBrokerAndMissingTopicAreErrorsThatNameThem() throws Exception {
        String nowhere = "127.0.0.1:" + freePort();
        // a hang guard, not a speed test: both give up after their 1 s timeout
        IllegalStateException tail = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                IllegalStateException.class,
                () -> TopicTail.tail(nowhere, "detections", true, 0, Duration.ofSeconds(1), v -> {})));
        assertTrue(tail.getMessage().contains(nowhere) && tail.getMessage().contains("detections"), tail.getMessage());
        IllegalStateException producer = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                IllegalStateException.class,
                () -> SensorProducer.ensureTopic(nowhere, "sensor-events", 4, Duration.ofSeconds(1))));
        assertTrue(producer.getMessage().contains(nowhere) && producer.getMessage().contains("sensor-events"),
                producer.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> TopicTail.tail(bootstrap, "no-such-topic", true, 0, Duration.ofSeconds(10), v -> {}));
        assertEquals("topic no-such-topic does not exist at " + bootstrap, missing.getMessage());

        // waiting for partition leaders is bounded, and its failure names the topic and why
        IllegalStateException leaders = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(
                IllegalStateException.class,
                () -> Topics.awaitLeaders(bootstrap, List.of("no-such-topic"), Duration.ofSeconds(1))));
        // why depends on the broker's answer within the bound: "not listed yet", or the describe call timed out on a
        // loaded machine ("not described: ...TimeoutException"); either way the message names broker, bound and topic
        assertTrue(leaders.getMessage().contains(bootstrap) && leaders.getMessage().contains("after 1000 ms")
                && leaders.getMessage().contains("\"no-such-topic\": "), leaders.getMessage());
    }

    private static List<String> values(List<SensorProducer.Keyed> records) {
        return records.stream().map(SensorProducer.Keyed::value).toList();
    }

    private static Map<String, List<String>> byKey(List<SensorProducer.Keyed> records) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (SensorProducer.Keyed r : records) {
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
        return out;
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    private static Properties producerProps(String transactionalId) {
        Properties props = TestProducer.properties(bootstrap); // bounded waits, one request in flight
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        if (transactionalId != null) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return props;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
