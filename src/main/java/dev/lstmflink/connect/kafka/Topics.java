package dev.lstmflink.connect.kafka;

import dev.lstmflink.config.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks at start-up that the job's three topics exist, and creates the missing ones when
 * {@link KafkaSettings#createTopics()} says so, before Flink starts: a missing topic then fails the start with a
 * sentence naming it instead of a source that waits for partitions or a sink that fails at its first record.
 *
 * <p>Topics are created with {@link KafkaSettings#partitions()} partitions and a replication factor of min(3, number of
 * brokers), so a one-broker development cluster works and a production one gets the usual three copies. Existing
 * topics are left as they are (their partition count is not checked). Another instance creating the same topic at
 * the same moment is not an error.
 *
 * <p>A topic created here is ready when {@code ensure} returns: every partition has a leader that serves it
 * ({@link #awaitLeaders}). A producer that starts on a topic whose partitions the broker has not taken up yet gets
 * {@code NOT_LEADER_OR_FOLLOWER} for its first batches; an idempotent producer with several requests in flight can
 * then have a later batch accepted first, and the retries of the first fail with {@code OUT_OF_ORDER_SEQUENCE_NUMBER}
 * until its delivery timeout (seen on a busy machine as "Expiring N record(s)").
 *
 * <p>Every admin call is bounded by a timeout: a broker that cannot be reached is an error naming the bootstrap
 * servers, not a hang.
 */
public final class Topics {

    /** How long {@link #ensure(KafkaSettings)} waits for the cluster in total. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Topics() {}

    /** {@link #ensure(KafkaSettings, Duration)} with {@link #DEFAULT_TIMEOUT}. */
    public static List<String> ensure(KafkaSettings s) {
        return ensure(s, DEFAULT_TIMEOUT);
    }

    /**
     * Makes sure the input, output and dead-letter topics exist.
     *
     * @param timeout how long to wait for the cluster, all calls together
     * @return the topics this call created, in the order input, output, dead letters (empty when all existed)
     * @throws IllegalArgumentException when topics are missing and {@code createTopics} is false (the message names
     *                                  each missing topic and the bootstrap servers), or the client properties are
     *                                  invalid
     * @throws IllegalStateException    when the cluster does not answer within {@code timeout}, or refuses a call
     *                                  (authorization, policy); the message names the bootstrap servers
     */
    public static List<String> ensure(KafkaSettings s, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = create(s, timeout);
        try {
            Collection<Node> brokers = await(admin.describeCluster().nodes(), deadline, s, timeout, "listing brokers");
            if (brokers.isEmpty()) {
                throw new IllegalStateException("Kafka at " + s.bootstrapServers() + " lists no brokers");
            }
            Map<String, String> missing = missing(admin, s, deadline, timeout);
            if (missing.isEmpty()) {
                return List.of();
            }
            if (!s.createTopics()) {
                List<String> named = new ArrayList<>();
                missing.forEach((topic, role) -> named.add("\"" + topic + "\" (" + role + ")"));
                throw new IllegalArgumentException("missing Kafka " + (missing.size() == 1 ? "topic" : "topics")
                        + " at " + s.bootstrapServers() + ": " + String.join(", ", named) + "; create "
                        + (missing.size() == 1 ? "it" : "them") + " or set kafka.create_topics: true");
            }
            short replication = (short) Math.min(3, brokers.size());
            List<NewTopic> requests = new ArrayList<>();
            for (String topic : missing.keySet()) {
                requests.add(new NewTopic(topic, s.partitions(), replication));
            }
            Map<String, KafkaFuture<Void>> results = admin.createTopics(requests).values();
            List<String> created = new ArrayList<>();
            for (String topic : missing.keySet()) {
                try {
                    await(results.get(topic), deadline, s, timeout, "creating topic \"" + topic + "\"");
                    created.add(topic);
                } catch (IllegalStateException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // created by someone else meanwhile: it exists, which is all we need
                }
            }
            // also those created by someone else meanwhile: all of them were created just now
            awaitLeaders(admin, s.bootstrapServers(), missing.keySet(), deadline, timeout);
            return created;
        } finally {
            // every call above has finished or timed out: nothing left worth waiting for
            admin.close(Duration.ZERO);
        }
    }

    /** The job's topics that do not exist, each with its setting's name, in the order input, output, dead letters. */
    private static Map<String, String> missing(Admin admin, KafkaSettings s, long deadline, Duration timeout) {
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put(s.inputTopic(), "kafka.input_topic");
        roles.put(s.outputTopic(), "kafka.output_topic");
        roles.put(s.deadLetterTopic(), "kafka.dead_letter_topic");
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(roles.keySet()).topicNameValues();
        Map<String, String> missing = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : roles.entrySet()) {
            try {
                await(described.get(e.getKey()), deadline, s, timeout, "describing topic \"" + e.getKey() + "\"");
            } catch (IllegalStateException ex) {
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw ex;
                }
                missing.put(e.getKey(), e.getValue());
            }
        }
        return missing;
    }

    /** How often {@link #awaitLeaders} asks again while a partition has no leader yet. */
    private static final long LEADER_POLL_MS = 50;

    /**
     * Waits until every partition of each topic has a leader and that leader serves it: the topics are described
     * (a topic the broker does not list yet counts as not ready) until no partition lacks a leader, then each
     * partition's latest offset is asked for, which only the partition's leader answers, once it has taken the
     * partition up. Call it after creating topics and before producing to them.
     *
     * @param clientProperties extra client properties (security settings); may be empty
     * @throws IllegalStateException when the topics are not ready within {@code timeout}: the message names the
     *                               bootstrap servers, each topic not ready and its partitions without a leader (or
     *                               that the topic is not listed), and the last error seen
     */
    public static void awaitLeaders(String bootstrapServers, Map<String, String> clientProperties,
            Collection<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        String ms = String.valueOf(Math.max(1, timeout.toMillis()));
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        Admin admin;
        try {
            admin = Admin.create(props);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot connect to Kafka at " + bootstrapServers + ": "
                    + cause.getMessage(), e);
        }
        try {
            awaitLeaders(admin, bootstrapServers, topics, deadline, timeout);
        } finally {
            admin.close(Duration.ZERO);
        }
    }

    /** {@link #awaitLeaders(String, Map, Collection, Duration)} with no extra client properties. */
    public static void awaitLeaders(String bootstrapServers, Collection<String> topics, Duration timeout) {
        awaitLeaders(bootstrapServers, Map.of(), topics, timeout);
    }

    /** {@link #awaitLeaders(String, Map, Collection, Duration)} on an admin client that is open already. */
    public static void awaitLeaders(Admin admin, String bootstrapServers, Collection<String> topics,
            long deadlineNanos, Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, String> notReady = new TreeMap<>();
        Throwable last = null;
        while (true) {
            notReady.clear();
            Map<TopicPartition, OffsetSpec> led = new HashMap<>();
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics).topicNameValues();
            for (String topic : topics) {
                try {
                    TopicDescription d = described.get(topic)
                            .get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                    List<Integer> leaderless = new ArrayList<>();
                    for (TopicPartitionInfo p : d.partitions()) {
                        if (p.leader() == null || p.leader().isEmpty() || p.leader().id() < 0) {
                            leaderless.add(p.partition());
                        } else {
                            led.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                        }
                    }
                    if (d.partitions().isEmpty()) {
                        notReady.put(topic, "no partitions listed");
                    } else if (!leaderless.isEmpty()) {
                        notReady.put(topic, "no leader for partitions " + leaderless + " of " + d.partitions().size());
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    notReady.put(topic, last instanceof UnknownTopicOrPartitionException ? "not listed yet"
                            : "not described: " + last);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the partition leaders of " + topics
                            + " at " + bootstrapServers, e);
                }
            }
            if (notReady.isEmpty()) {
                // every partition has a leader in the metadata; the leader answers for it once it has taken it up
                try {
                    admin.listOffsets(led).all().get(Math.max(0, deadlineNanos - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    notReady.put(String.join(", ", topics), "a leader does not serve its partition yet: " + last);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the partition leaders of " + topics
                            + " at " + bootstrapServers, e);
                }
            }
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEADER_POLL_MS) - deadlineNanos > 0) {
                List<String> named = new ArrayList<>();
                notReady.forEach((topic, why) -> named.add("\"" + topic + "\": " + why));
                throw new IllegalStateException("Kafka at " + bootstrapServers + ": partitions without a leader after "
                        + timeout.toMillis() + " ms, " + String.join("; ", named)
                        + (last == null ? "" : " (last error: " + last + ")"), last);
            }
            try {
                Thread.sleep(LEADER_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the partition leaders of " + topics
                        + " at " + bootstrapServers, e);
            }
        }
    }

    private static Admin create(KafkaSettings s, Duration timeout) {
        Properties props = KafkaIo.clientProperties(s);
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        String ms = String.valueOf(Math.max(1, timeout.toMillis()));
        props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        try {
            return Admin.create(props);
        } catch (RuntimeException e) {
            // e.g. "No resolvable bootstrap urls given in bootstrap.servers", or a bad SASL/TLS property
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot connect to Kafka at " + s.bootstrapServers() + ": "
                    + cause.getMessage(), e);
        }
    }

    /**
     * The future's value, waiting at most until {@code deadline}.
     *
     * @throws IllegalStateException naming the bootstrap servers and what was being done; its cause is the Kafka
     *                               error (e.g. {@link UnknownTopicOrPartitionException}) when there is one
     */
    private static <T> T await(KafkaFuture<T> f, long deadline, KafkaSettings s, Duration timeout, String doing) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw unreachable(s, timeout, doing, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(s, timeout, doing, cause);
            }
            throw new IllegalStateException("Kafka at " + s.bootstrapServers() + " refused " + doing + ": "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + doing + " on Kafka at " + s.bootstrapServers(), e);
        }
    }

    private static IllegalStateException unreachable(KafkaSettings s, Duration timeout, String doing, Throwable e) {
        return new IllegalStateException("no answer from Kafka at " + s.bootstrapServers() + " within "
                + timeout.toMillis() + " ms while " + doing + " (is the broker running, and the address right?)", e);
    }
}
