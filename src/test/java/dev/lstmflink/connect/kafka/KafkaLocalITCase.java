package dev.lstmflink.connect.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lstmflink.testutil.TestProducer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobs/kafka-local} over the packaged jar (run by failsafe after {@code package}), as its own process: it
 * becomes ready, serves plain and transactional producers ({@code read_committed} sees only committed records), stops
 * on SIGTERM, and keeps its topics across a restart on the same folder.
 */
class KafkaLocalITCase {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String PLAIN = "plain";
    private static final String TX = "tx";

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.stream().filter(Process::isAlive).forEach(Process::destroyForcibly);
    }

    @Test
    void servesTransactionsStopsOnSigtermAndKeepsDataAcrossRestart() throws Exception {
        int port = freePort();
        int controllerPort = freePort();
        Path dir = tmp.resolve("kafka");
        String bootstrap = "127.0.0.1:" + port;

        Process broker = start(port, controllerPort, dir);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(PLAIN, 1, (short) 1), new NewTopic(TX, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Topics.awaitLeaders(bootstrap, List.of(PLAIN, TX), TestProducer.LEADERS); // before the first send
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, null))) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(PLAIN, "k" + i, "plain-" + i)).get(30, TimeUnit.SECONDS);
            }
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap, "kafka-local-it"))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(TX, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TX, "k9", "aborted-0"));
            producer.flush();
            producer.abortTransaction();
        }
        List<String> plain = List.of("plain-0", "plain-1", "plain-2", "plain-3", "plain-4");
        List<String> committed = List.of("committed-0", "committed-1", "committed-2");
        assertEquals(plain, read(bootstrap, PLAIN, "read_committed", 5));
        assertEquals(committed, read(bootstrap, TX, "read_committed", 3));
        assertEquals(List.of("committed-0", "committed-1", "committed-2", "aborted-0"),
                read(bootstrap, TX, "read_uncommitted", 4), "the aborted record is in the log, hidden by read_committed");

        stop(broker);
        String clusterId = Files.readString(dir.resolve("cluster.id"));

        Process again = start(port, controllerPort, dir);
        assertEquals(clusterId, Files.readString(dir.resolve("cluster.id")), "the restart must not format again");
        assertEquals(plain, read(bootstrap, PLAIN, "read_committed", 5));
        assertEquals(committed, read(bootstrap, TX, "read_committed", 3));
        stop(again);
    }

    private Process start(int port, int controllerPort, Path dir) throws Exception {
        Path stderr = Files.createTempFile(tmp, "kafka-local", ".err");
        Process p = new ProcessBuilder(ROOT.resolve("jobs/kafka-local").toString(), "--port", String.valueOf(port),
                "--controller-port", String.valueOf(controllerPort), "--dir", dir.toString())
                .redirectError(stderr.toFile()).start();
        started.add(p);
        CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith(KafkaLocal.READY)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            line = null;
        }
        assertEquals(KafkaLocal.READY + "127.0.0.1:" + port, line, "ready line; stderr:\n" + Files.readString(stderr));
        return p;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "kafka-local did not stop within 30 s of SIGTERM");
    }

    private static List<String> read(String bootstrap, String topic, String isolation, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // one more poll after the expected count, so extra records would show up
            boolean extraPoll = false;
            while (System.nanoTime() < deadline && !extraPoll) {
                extraPoll = values.size() >= expected;
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(extraPoll ? 500 : 200))) {
                    values.add(rec.value());
                }
            }
        }
        return values;
    }

    private static Properties producerProps(String bootstrap, String transactionalId) {
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
