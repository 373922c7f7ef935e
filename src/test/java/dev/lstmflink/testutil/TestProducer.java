package dev.lstmflink.testutil;

import dev.lstmflink.connect.kafka.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The tests' way to write input to Kafka, so that producing cannot fail or hang on a busy machine:
 *
 * <ul>
 *   <li>it starts only once every partition of its topics has a leader that serves it ({@link Topics#awaitLeaders},
 *       at most {@link #LEADERS}): a topic created a moment before may not be taken up by the broker yet;</li>
 *   <li>one request in flight: a first batch refused with {@code NOT_LEADER_OR_FOLLOWER} cannot be overtaken by the
 *       next, whose acceptance as the producer's first would fail every retry of the first with
 *       {@code OUT_OF_ORDER_SEQUENCE_NUMBER} (KAFKA-15591; seen as "Expiring N record(s) ... since batch
 *       creation");</li>
 *   <li>every wait is bounded: {@code max.block.ms}, {@code request.timeout.ms}, {@code delivery.timeout.ms}
 *       ({@link #DELIVERY}), and {@link #finish()} waits for the acknowledgements at most {@link #DELIVERY} plus a
 *       margin after the last send;</li>
 *   <li>a failed send is reported by {@link #finish()} with the topics, how many records were acknowledged, and the
 *       first error as the cause.</li>
 * </ul>
 *
 * <p>These are guards against a hang, not measures: no assertion depends on how long producing takes.
 */
public final class TestProducer<K, V> implements AutoCloseable {

    /** How long the topics' partitions may take to get their leaders. */
    public static final Duration LEADERS = Duration.ofSeconds(60);

    /** How long a record may take from {@code send} to its acknowledgement (Kafka's default is 120 s). */
    public static final Duration DELIVERY = Duration.ofSeconds(90);

    private final KafkaProducer<K, V> producer;
    private final String topics;
    private final Object lock = new Object();
    private long sent;
    private long completed;
    private long acknowledged;
    private Exception failure;

    private TestProducer(Properties props, Collection<String> topics) {
        this.topics = String.join(", ", topics);
        String bootstrap = props.getProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
        Topics.awaitLeaders(bootstrap, topics, LEADERS);
        this.producer = new KafkaProducer<>(props);
    }

    /**
     * The producer settings: acks from all replicas, idempotence (Kafka's default), one request in flight, bounded
     * waits, byte-array keys and values. Tests may override any of them.
     */
    public static Properties properties(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY.toMillis()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** A producer of byte arrays to {@code topic} with {@link #properties}, {@code extra} overriding them. */
    public static TestProducer<byte[], byte[]> bytes(String bootstrap, String topic, Map<String, String> extra) {
        Properties p = properties(bootstrap);
        p.putAll(extra);
        return new TestProducer<>(p, List.of(topic));
    }

    /** A producer with {@code props} (start from {@link #properties}) to {@code topics}. */
    public static <K, V> TestProducer<K, V> of(Properties props, Collection<String> topics) {
        return new TestProducer<>(props, topics);
    }

    /** The Kafka producer itself, for transactions. */
    public KafkaProducer<K, V> kafka() {
        return producer;
    }

    /** Sends {@code r}; its outcome counts for {@link #finish()}. */
    public Future<RecordMetadata> send(ProducerRecord<K, V> r) {
        return send(r, null);
    }

    /** Sends {@code r}; {@code then} (may be null) runs on the acknowledgement or failure, as in Kafka. */
    public Future<RecordMetadata> send(ProducerRecord<K, V> r, Callback then) {
        synchronized (lock) {
            if (failure != null) {
                throw failed();
            }
            sent++;
        }
        try {
            return producer.send(r, (md, e) -> {
                if (then != null) {
                    then.onCompletion(md, e); // before counting: finish() returns after every callback has run
                }
                synchronized (lock) {
                    completed++;
                    if (e == null) {
                        acknowledged++;
                    } else if (failure == null) {
                        failure = e;
                    }
                    lock.notifyAll();
                }
            });
        } catch (RuntimeException e) {
            synchronized (lock) {
                sent--;
                if (failure == null) {
                    failure = e;
                }
            }
            throw failed();
        }
    }

    /**
     * Waits until every record sent is acknowledged (a flush, bounded: at most {@link #DELIVERY} plus 30 s).
     *
     * @throws IllegalStateException naming the topics when a send failed (the first error is the cause) or the
     *                               acknowledgements did not all come in time
     */
    public void finish() {
        long deadline = System.nanoTime() + DELIVERY.plusSeconds(30).toNanos();
        synchronized (lock) {
            while (completed < sent && failure == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException(String.format("producing to %s did not finish within %d s: %,d "
                            + "of %,d records acknowledged, none failed", topics, DELIVERY.plusSeconds(30).toSeconds(),
                            acknowledged, sent));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while producing to " + topics, e);
                }
            }
            if (failure != null) {
                throw failed();
            }
        }
    }

    private IllegalStateException failed() {
        synchronized (lock) {
            return new IllegalStateException(String.format("producing to %s failed: %,d of %,d records acknowledged; "
                    + "first error: %s", topics, acknowledged, sent, failure), failure);
        }
    }

    /** Closes the producer, waiting at most 10 s for what is still unsent (after a failure: nothing is waited for). */
    @Override
    public void close() {
        boolean failed;
        synchronized (lock) {
            failed = failure != null;
        }
        producer.close(failed ? Duration.ZERO : Duration.ofSeconds(10));
    }
}
