package dev.lstmflink.connect.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.SyntheticSensors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jobs/sensors --kafka HOST:PORT}: writes the embedded demo's synthetic sensor stream ({@link SyntheticSensors},
 * JSON values, malformed records mixed in) to a Kafka topic, so the Kafka mode of {@code jobs/detect} has something to
 * read. The record key is the sensor's key, so each sensor stays in one partition and in order; a malformed record
 * gets the key its JSON names, or, when it names none, the key of the record before it (the sensor it was mixed in
 * after). Timestamps inside the records are the synthetic ones (2026-01-05 onwards), whatever {@code --rate} says.
 *
 * <p>With the default {@code --points 4000} the stream is exactly the embedded demo's for the same seed: the first
 * 1,200 readings of each sensor are anomaly-free, 5 anomalies per sensor follow, 96 readings make a day (so from 2,256
 * points on). Fewer points keep the anomaly-free start at 30 % of the readings and inject only as many anomalies as
 * fit.
 *
 * <p>A missing topic is created with {@code --partitions} partitions (the detection job's default, 4) before
 * anything is sent: the broker's auto-creation would make one partition. Sending starts once every partition of the
 * topic has a leader that serves it. The broker must answer within {@code --timeout}, else the command fails with a
 * sentence naming it; sends that fail (broker gone, topic deleted) stop the run and are reported with the first
 * error.
 */
@Command(name = "sensors", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write the embedded demo's synthetic sensor records (JSON, keyed by sensor) to a Kafka topic.")
public final class SensorProducer implements Callable<Integer> {

    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT", description = "the bootstrap servers")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "T", defaultValue = "sensor-events",
            description = "the topic (default ${DEFAULT-VALUE})")
    String topic;

    @Option(names = "--sensors", paramLabel = "N", defaultValue = "6",
            description = "number of sensors (default ${DEFAULT-VALUE})")
    int sensors;

    @Option(names = "--points", paramLabel = "N", defaultValue = "4000",
            description = "readings per sensor (default ${DEFAULT-VALUE})")
    int points;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S",
            description = "records per second, malformed ones included; 0: as fast as possible "
                    + "(default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "7",
            description = "seed of the synthetic data (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--bad-records", paramLabel = "N", defaultValue = "24",
            description = "malformed records mixed in (default ${DEFAULT-VALUE})")
    int badRecords;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "4",
            description = "partitions of the topic if it has to be created (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30 s",
            description = "how long to wait for the broker, and for a send to be acknowledged "
                    + "(default ${DEFAULT-VALUE})")
    String timeout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SensorProducer()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine cmd = new CommandLine(this);
        if (sensors < 1 || points < 2 || badRecords < 0 || partitions < 1 || !(rate >= 0) || Double.isInfinite(rate)) {
            throw new CommandLine.ParameterException(cmd, "--sensors and --partitions must be >= 1, --points >= 2, "
                    + "--bad-records >= 0 and --rate a number >= 0; got --sensors " + sensors + " --points " + points
                    + " --bad-records " + badRecords + " --partitions " + partitions + " --rate " + rate);
        }
        Duration wait;
        try {
            wait = TimeUtils.parseDuration(timeout);
        } catch (RuntimeException e) {
            throw new CommandLine.ParameterException(cmd, "--timeout: expected a duration such as 30 s or 500 ms, got "
                    + timeout);
        }
        if (wait.isZero() || wait.isNegative()) {
            throw new CommandLine.ParameterException(cmd, "--timeout must be > 0, got " + timeout);
        }
        List<Keyed> records = records(spec(sensors, points, badRecords, seed));
        try {
            if (ensureTopic(bootstrap, topic, partitions, wait)) {
                System.err.printf(Locale.ROOT, "sensors: created topic %s (%d partitions) at %s%n", topic, partitions,
                        bootstrap);
            }
            Result r = send(bootstrap, topic, records, rate, wait, System.err::println);
            System.out.printf(Locale.ROOT, "sent %,d records (%d sensors x %,d readings + %d malformed) to %s at %s "
                            + "in %.1f s (%,.0f records/s)%n", r.sent(), sensors, points, badRecords, topic, bootstrap,
                    r.seconds(), r.sent() / Math.max(r.seconds(), 1e-9));
            return 0;
        } catch (IllegalStateException | IllegalArgumentException e) {
            System.err.println("sensors: " + e.getMessage());
            return 1;
        }
    }

    /** A record as sent: the Kafka key (the sensor) and the JSON value. */
    public record Keyed(String key, String value) {}

    /** What {@link #send} did: records acknowledged by the broker, and seconds from the first send to the last ack. */
    public record Result(long sent, double seconds) {}

    /**
     * The embedded demo's data settings ({@link DetectConfig.Embedded}) for this many sensors, readings and malformed
     * records: the demo's own when they fit ({@code points} >= 2,256), else an anomaly-free start of 30 % of the
     * readings and as many anomalies as fit after it (possibly none).
     */
    public static SyntheticSensors.Spec spec(int sensors, int points, int badRecords, long seed) {
        DetectConfig.Embedded demo = DetectConfig.defaults().embedded;
        int period = demo.period;
        boolean demoFits = demo.trainPoints + period * (1 + 2 * demo.anomaliesPerSensor) <= points;
        int trainPoints = demoFits ? demo.trainPoints : points * 3 / 10;
        int room = (points - trainPoints) / period - 1;                  // periods left after the warm-up period
        int anomalies = Math.max(0, Math.min(demo.anomaliesPerSensor, room / 2));
        if (trainPoints + period > points) {                             // too short for a day: shorter days
            period = Math.max(2, (points - trainPoints) / 2);
            anomalies = 0;
        }
        return new SyntheticSensors.Spec(sensors, points, trainPoints, period, anomalies, badRecords, seed);
    }

    /** The stream of {@link SyntheticSensors#generate} in its order, each record with its Kafka key. */
    public static List<Keyed> records(SyntheticSensors.Spec spec) {
        List<RawRecord> raw = SyntheticSensors.generate(spec).records();
        List<Keyed> out = new ArrayList<>(raw.size());
        String previous = null;
        for (RawRecord r : raw) {
            String key = jsonKey(r.text);
            if (key == null) {
                key = previous;
            }
            out.add(new Keyed(key, r.text));
            previous = key;
        }
        return out;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The string {@code key} of a JSON object, or null (not JSON, no key, not a string). */
    static String jsonKey(String value) {
        try {
            JsonNode key = JSON.readTree(value).get("key");
            return key != null && key.isTextual() ? key.asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions (replication min(3, brokers)) unless it exists, then
     * waits until every partition has a leader that serves it ({@link Topics#awaitLeaders}; an existing topic too, as
     * it may have been created a moment before), all within {@code timeout}.
     *
     * @return true when this call created it
     * @throws IllegalStateException naming the broker and the topic when the broker does not answer within
     *                               {@code timeout} or refuses
     */
    public static boolean ensureTopic(String bootstrap, String topic, int partitions, Duration timeout) {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        String ms = String.valueOf(timeout.toMillis());
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            Collection<Node> brokers = await(admin.describeCluster().nodes(),
                    deadline, bootstrap, topic, timeout, "listing brokers");
            try {
                await(admin.describeTopics(List.of(topic)).allTopicNames(),
                        deadline, bootstrap, topic, timeout, "describing the topic");
                // it exists, but may have been created a moment ago (by a script just before this command)
                Topics.awaitLeaders(admin, bootstrap, List.of(topic), deadline, timeout);
                return false;
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            NewTopic request = new NewTopic(topic, partitions, (short) Math.min(3, Math.max(1, brokers.size())));
            boolean created;
            try {
                await(admin.createTopics(List.of(request)).all(), deadline,
                        bootstrap, topic, timeout, "creating the topic");
                created = true;
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                created = false; // created by someone else meanwhile
            }
            // a new topic's first sends must not race the broker taking up its partitions (see Topics)
            Topics.awaitLeaders(admin, bootstrap, List.of(topic), deadline, timeout);
            return created;
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            // Admin.create: e.g. "No resolvable bootstrap urls given in bootstrap.servers"
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot connect to Kafka at " + bootstrap + ": " + cause.getMessage(),
                    e);
        }
    }

    private static <T> T await(Future<T> f, long deadline, String bootstrap, String topic,
            Duration timeout, String doing) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka at " + bootstrap + " within " + timeout.toMillis()
                    + " ms while " + doing + " (topic " + topic + "; is the broker running, and the address right?)",
                    e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new IllegalStateException("no answer from Kafka at " + bootstrap + " within "
                        + timeout.toMillis() + " ms while " + doing + " (topic " + topic
                        + "; is the broker running, and the address right?)", cause);
            }
            throw new IllegalStateException("Kafka at " + bootstrap + " refused " + doing + " (topic " + topic + "): "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + doing + " (topic " + topic + ") at " + bootstrap, e);
        }
    }

    /**
     * Producer settings for sending to {@code bootstrap}: string keys and values, acks from all in-sync replicas,
     * idempotence (Kafka's defaults), and every wait bounded by {@code timeout} ({@code max.block.ms} for metadata and
     * buffer space, {@code request.timeout.ms}, and {@code delivery.timeout.ms} just above it).
     */
    public static Properties producerProperties(String bootstrap, Duration timeout) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        long ms = Math.max(1, timeout.toMillis());
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(ms));
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        // must be >= linger.ms + request.timeout.ms (linger.ms is 5 by default in Kafka 4)
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(ms + 1_000));
        return p;
    }

    /**
     * Sends the records in order, {@code rate} per second (0: as fast as the producer takes them), and waits for
     * every acknowledgement. Progress goes to {@code progress} about once a second.
     *
     * @throws IllegalStateException naming the broker and the topic when a send fails (the first failure stops the
     *                               run; its error is in the message) or the broker cannot be reached in time
     */
    public static Result send(String bootstrap, String topic, List<Keyed> records, double rate, Duration timeout,
            Consumer<String> progress) {
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Pacer pacer = new Pacer(rate);
        long start = 0;
        long nextReport = 0;
        long i = 0;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProperties(bootstrap, timeout))) {
            for (Keyed r : records) {
                if (failure.get() != null) {
                    break;
                }
                pacer.await(i);
                if (i++ == 0) {
                    start = System.nanoTime();
                    nextReport = start + 1_000_000_000L;
                }
                producer.send(new ProducerRecord<>(topic, r.key(), r.value()), (meta, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    } else {
                        failure.compareAndSet(null, e);
                    }
                });
                long now = System.nanoTime();
                if (now >= nextReport) {
                    progress.accept(String.format(Locale.ROOT, "sensors: %,d / %,d records sent (%,.0f/s)", i,
                            records.size(), i / ((now - start) / 1e9)));
                    nextReport = now + 1_000_000_000L;
                }
            }
            producer.flush();
        } catch (org.apache.kafka.common.KafkaException e) {
            failure.compareAndSet(null, e);
        }
        double seconds = i == 0 ? 0 : (System.nanoTime() - start) / 1e9;
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException(String.format(Locale.ROOT, "sending to topic %s at %s failed after %,d of "
                    + "%,d records were acknowledged: %s", topic, bootstrap, acked.get(), records.size(),
                    e.getMessage()), e);
        }
        return new Result(acked.get(), seconds);
    }

    /**
     * Paces a sender to a fixed rate: record {@code i} is due {@code i / rate} seconds after the first, and
     * {@link #await} returns once it is due. A sender that is not yet due sleeps until then plus up to a millisecond,
     * so it wakes at most about once per millisecond and sends what became due meanwhile together (at 20,000 records/s
     * about 20 at a time, instead of waking 20,000 times a second). A sender that fell behind is not held back until
     * it is on schedule again: the average rate is kept, not the spacing.
     */
    public static final class Pacer {

        /** How late a sleeping sender may wake. */
        static final long SLACK_NANOS = 1_000_000L;

        private final double nanosPerRecord;
        private long start = Long.MIN_VALUE;

        /** @param rate records per second; 0: no pacing */
        public Pacer(double rate) {
            this.nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
        }

        /** Waits until record {@code i} (from 0) is due. */
        public void await(long i) {
            if (nanosPerRecord == 0) {
                return;
            }
            if (start == Long.MIN_VALUE) {
                start = System.nanoTime();
            }
            long due = start + (long) (i * nanosPerRecord);
            long ahead = due - System.nanoTime();
            if (ahead > 0) {
                long wake = due + SLACK_NANOS;
                while ((ahead = wake - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(ahead);
                }
            }
        }
    }
}
