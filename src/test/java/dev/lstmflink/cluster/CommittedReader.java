package dev.lstmflink.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from the beginning with {@code isolation.level=read_committed} on a thread of its own while a job
 * writes them, and hands each record to a handler: only what the job committed (its Kafka transactions completed by a
 * checkpoint) is ever seen. {@link #count()} is the number of records handed over so far.
 */
final class CommittedReader implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Consumer<ConsumerRecord<byte[], byte[]>> handler;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private final Properties properties;
    /** The positions after the last poll (a consumer is read on its own thread only). */
    private volatile Map<TopicPartition, Long> positions;
    private volatile boolean stop;
    private boolean closed;

    CommittedReader(String bootstrap, List<String> topics, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.properties = p;
        this.consumer = new KafkaConsumer<>(p);
        this.handler = handler;
        for (String t : topics) {
            consumer.partitionsFor(t).forEach(i -> partitions.add(new TopicPartition(t, i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::loop, "committed-reader " + topics);
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (!stop) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    handler.accept(r);
                    count.incrementAndGet();
                }
                Map<TopicPartition, Long> at = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    at.put(tp, consumer.position(tp));
                }
                positions = at;
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Records handed to the handler so far. */
    long count() {
        checkFailure();
        return count.get();
    }

    /**
     * Waits until {@code n} records have been handed over; fails after {@code timeout} (a guard against a hang).
     */
    void awaitCount(long n, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("read " + count.get() + " committed records of " + n + " (" + what
                        + ") within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Stops the reader once it has read up to the current end of every partition (the last stable offsets, as
     * read_committed sees them), so nothing the job committed before this call is missed.
     */
    void drainAndStop(Duration timeout) throws InterruptedException {
        Map<TopicPartition, Long> end;
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(properties)) {
            end = probe.endOffsets(partitions);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            checkFailure();
            Map<TopicPartition, Long> at = positions;
            if (at != null && end.entrySet().stream().allMatch(e -> at.get(e.getKey()) >= e.getValue())) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("reader did not reach the end offsets " + end + " within "
                        + timeout.toSeconds() + " s (at " + at + ")");
            }
            Thread.sleep(50);
        }
        close();
    }

    private void checkFailure() {
        if (failure.get() != null) {
            throw new IllegalStateException("reading the committed records failed", failure.get());
        }
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        stop = true;
        thread.join(10_000);
        if (!thread.isAlive()) {
            consumer.close();
            closed = true;
        }
    }
}
