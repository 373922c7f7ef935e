package dev.lstmflink.connect.kafka;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jobs/kafka-tail --kafka HOST:PORT --topic T}: prints the values of a topic's records, one per line (UTF-8;
 * an empty line for a record without a value), read with {@code isolation.level=read_committed}: the output of an
 * exactly-once job shows up only once its transaction is committed, never records of aborted transactions.
 *
 * <p>Reads every partition of the topic without a consumer group (nothing is committed, nothing rebalanced): from the
 * end as found at start (only new records), or with {@code --from-beginning} from the first record. Records of one
 * partition come in order; partitions are interleaved as fetches return. Stops after {@code --max} records, or when
 * no new record has arrived for {@code --timeout} (0: never; Ctrl-C stops it). A broker that does not answer within
 * the timeout (30 s when it is 0) and a topic that does not exist are errors naming the broker and the topic.
 */
@Command(name = "kafka-tail", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the values of a Kafka topic's records, one per line, reading with read_committed.")
public final class TopicTail implements Callable<Integer> {

    /** How long to wait for the broker when {@code --timeout} is 0 (follow forever). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT", description = "the bootstrap servers")
    String bootstrap;

    @Option(names = "--topic", required = true, paramLabel = "T", description = "the topic")
    String topic;

    @Option(names = "--from-beginning", description = "start at each partition's first record (default: at its end)")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "stop after N records; 0: no limit (default ${DEFAULT-VALUE})")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10 s",
            description = "stop when no record has come for this long, 0: never; also how long to wait for the "
                    + "broker (default ${DEFAULT-VALUE})")
    String timeout;

    /** Where values go: one call per record, and one after each batch (to flush). */
    @FunctionalInterface
    public interface Output {
        void value(String value);

        default void endOfBatch() {}
    }

    /** What {@link #tail} read, and why it stopped. */
    public record Result(long records, boolean reachedMax) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new TopicTail()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine cmd = new CommandLine(this);
        if (max < 0) {
            throw new CommandLine.ParameterException(cmd, "--max must be >= 0 (0: no limit), got " + max);
        }
        Duration idle;
        try {
            idle = TimeUtils.parseDuration(timeout);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cmd, "--timeout: expected a duration such as 10 s or 500 ms, "
                    + "got " + timeout);
        }
        if (idle.isNegative()) {
            throw new CommandLine.ParameterException(cmd, "--timeout must be >= 0, got " + timeout);
        }
        Writer w = new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
                StandardCharsets.UTF_8), 1 << 16);
        Output out = new Output() {
            @Override
            public void value(String value) {
                try {
                    w.write(value);
                    w.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void endOfBatch() {
                try {
                    w.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        try {
            Result r = tail(bootstrap, topic, fromBeginning, max, idle, out);
            out.endOfBatch();
            System.err.printf(Locale.ROOT, "kafka-tail: %,d records from %s at %s%s%n", r.records(), topic, bootstrap,
                    r.reachedMax() ? "" : ", then none for " + timeout);
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            out.endOfBatch();
            System.err.println("kafka-tail: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Reads {@code topic} at {@code bootstrap} with {@code read_committed} and hands each value to {@code out}.
     *
     * @param fromBeginning from each partition's first record; else from its end as found now
     * @param max           stop after this many records; 0: no limit
     * @param idle          stop when no record came for this long; {@link Duration#ZERO}: never. Also how long to wait
     *                      for the broker ({@link #CONNECT_TIMEOUT} when zero)
     * @throws IllegalStateException    when the broker does not answer in time, or a read fails (the message names
     *                                  the broker and the topic)
     * @throws IllegalArgumentException when the topic does not exist, or the bootstrap servers are not an address
     */
    public static Result tail(String bootstrap, String topic, boolean fromBeginning, long max, Duration idle,
            Output out) {
        Duration connect = idle.isZero() ? CONNECT_TIMEOUT : idle;
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = new KafkaConsumer<>(consumerProperties(bootstrap, connect));
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot connect to Kafka at " + bootstrap + ": " + cause.getMessage(),
                    e);
        }
        try (consumer) {
            List<TopicPartition> partitions = partitions(consumer, bootstrap, topic, connect);
            consumer.assign(partitions);
            try {
                if (fromBeginning) {
                    consumer.seekToBeginning(partitions);
                } else {
                    consumer.seekToEnd(partitions);
                }
                for (TopicPartition p : partitions) {
                    consumer.position(p, connect); // resolve the start now, so records written from here on count
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw unreachable(bootstrap, topic, connect, "finding where to start", e);
            }
            long n = 0;
            long lastRecord = System.nanoTime();
            while (max == 0 || n < max) {
                Duration wait = Duration.ofMillis(500);
                if (!idle.isZero()) {
                    long left = idle.toNanos() - (System.nanoTime() - lastRecord);
                    if (left <= 0) {
                        return new Result(n, false);
                    }
                    wait = Duration.ofNanos(Math.min(left, wait.toNanos()));
                }
                ConsumerRecords<byte[], byte[]> batch;
                try {
                    batch = consumer.poll(wait);
                } catch (KafkaException e) {
                    throw new IllegalStateException("reading topic " + topic + " at " + bootstrap + " failed: "
                            + e.getMessage(), e);
                }
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    out.value(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                    if (++n == max) {
                        break;
                    }
                }
                if (!batch.isEmpty()) {
                    lastRecord = System.nanoTime();
                    out.endOfBatch();
                }
            }
            return new Result(n, true);
        }
    }

    /** The consumer's settings: no group, nothing committed, no topic auto-creation, read_committed. */
    static Properties consumerProperties(String bootstrap, Duration timeout) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, "kafka-tail");
        String ms = String.valueOf(Math.max(1, timeout.toMillis()));
        p.setProperty(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        p.setProperty(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        return p;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String bootstrap, String topic,
            Duration timeout) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, timeout);
        } catch (UnknownTopicOrPartitionException e) {
            infos = List.of();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw unreachable(bootstrap, topic, timeout, "looking up the topic", e);
        } catch (KafkaException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " refused looking up topic " + topic + ": "
                    + e.getMessage(), e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("topic " + topic + " does not exist at " + bootstrap);
        }
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo i : infos) {
            out.add(new TopicPartition(topic, i.partition()));
        }
        return out;
    }

    private static IllegalStateException unreachable(String bootstrap, String topic, Duration timeout, String doing,
            Exception e) {
        return new IllegalStateException("no answer from Kafka at " + bootstrap + " within " + timeout.toMillis()
                + " ms while " + doing + " (topic " + topic + "; is the broker running, and the address right?)", e);
    }
}
