package dev.lstmflink.bench;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.kafka.KafkaIo;
import dev.lstmflink.connect.kafka.SensorProducer;
import dev.lstmflink.connect.kafka.Topics;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.io.SafetensorsFile;
import dev.lstmflink.flink.detect.RunCounts;
import dev.lstmflink.jobs.models.ModelPublisher;
import dev.lstmflink.jobs.detect.KafkaRun;
import dev.lstmflink.record.DetectionJson;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The detection job of {@code jobs/detect --kafka} ({@link KafkaRun#build}: Kafka source → parse → keyed LSTM
 * detector → Kafka sinks for detections and dead letters) on a local Flink environment against a real broker, the
 * broker in another JVM ({@code jobs/bench-kafka} starts one). Not a JMH benchmark, and not a test: one measurement
 * per JVM, printed as one {@code key=value} line; {@code jobs/bench-kafka} runs the matrix and prints the tables.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code prefill}: writes {@code --events} JSON events over {@code --keys} sensors to the input topic (keyed by
 *       sensor, round-robin over the sensors, event time 1 s per step of a sensor) with {@link SensorProducer#send}
 *       (acks=all, idempotent, Kafka's default batching) and reports the producer's rate, first send to last ack.
 *       Then it has the broker create its offsets and transaction topics, which a fresh broker does at their first
 *       use.</li>
 *   <li>{@code throughput}: runs the job with a bounded source over the pre-filled topic (from the earliest offsets
 *       up to the end offsets found at start; a fresh consumer group) to fresh output topics, and reports events/s as
 *       events ÷ the wall time of {@code execute()}: local MiniCluster start, deployment, model load, reading,
 *       parsing, scoring, writing every detection to Kafka (acked), the final checkpoint (for exactly-once, the
 *       transaction commit) and shutdown. Also events ÷ the span between the first and last detection's Kafka
 *       timestamp (the time the sink wrote it), which leaves out start-up and shutdown.</li>
 *   <li>{@code latency}: fresh topics; starts the job, waits until it runs, then a producer thread sends
 *       {@code --rate} events/s for {@code --warmup} + {@code --duration}, each with {@code ts} = its wall-clock send
 *       time ({@code System.currentTimeMillis()}), while a consumer thread reads the detections
 *       ({@code read_committed}) and records now − ts for every detection whose ts is after the warm-up: end to end,
 *       producer batching, broker, source, parse, network shuffle, LSTM, sink, broker and consumer fetch included.
 *       Same machine, same JVM, same clock. Also the sink's share: the detection's Kafka timestamp (when the sink's
 *       producer took it) − ts.</li>
 * </ul>
 *   <li>{@code swap}: as {@code latency} (events at {@code --rate}, processing time), with {@code model_updates} on a
 *       fresh folder listed every {@code --updates-interval}; after the warm-up, {@code --swaps} models are published
 *       one every {@code --swap-every} plus a random part of the listing interval (so that the publications meet
 *       the listing at random phases) ({@code jobs/lstm publish}'s {@code ModelPublisher}: copies of {@code --model}
 *       under new versions, so the same weights, new files), and a consumer records for each the time from the
 *       publication (the rename done) to the first detection carrying its version ({@code first_ms}) and to the
 *       first one from every detector subtask ({@code all_ms}, the keys' subtasks computed as Flink assigns them).
 *       That is the folder listing's wait (half the interval on average), reading the file, the broadcast, each
 *       subtask's flush and swap (every key's next prediction made again), the next event of a key there and the
 *       sink; with exactly-once, the checkpoint that commits it too.</li>
 * </ul>
 * The job modes also report {@code jvm_cores}: this JVM's CPU time (Flink, and in the latency mode the producer and
 * consumer threads too) over the wall time measured ({@code execute()}, or the sending time), i.e. the cores it kept
 * busy; and with {@code --broker-pid} the broker's {@code broker_cores} over the same time.
 *
 * <p>The job's settings are {@code jobs/detect}'s defaults ({@link DetectConfig#defaults()}, the values
 * {@code config/detect.yaml} ships) except what the flags set: delivery, parallelism, event time or processing
 * time, out-of-orderness, checkpoint interval and folder, topics, group, starting offsets ({@code earliest}), the model
 * file. {@code jobs/bench-kafka} gives a checkpoint folder: without one Flink keeps checkpoints in the JobManager's
 * memory, which refuses more than 5 MB of state, and 1,000 keys' state is more (7.4 MB at parallelism 1, event time):
 * every checkpoint fails and the job restarts.
 */
@Command(name = "KafkaDetectBench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The Kafka detection job on local Flink against a real broker: throughput or latency.")
public final class KafkaDetectBench implements Callable<Integer> {

    enum Mode { prefill, throughput, latency, swap }

    enum Delivery { at_least_once, exactly_once }

    @Option(names = "--mode", required = true, description = "prefill, throughput or latency")
    Mode mode;

    @Option(names = "--kafka", required = true, paramLabel = "HOST:PORT", description = "the broker")
    String bootstrap;

    @Option(names = "--name", defaultValue = "run", description = "names this run's topics and consumer group")
    String name;

    @Option(names = "--input-topic", defaultValue = "bench-events",
            description = "prefill/throughput: the pre-filled input topic (default ${DEFAULT-VALUE})")
    String inputTopic;

    @Option(names = "--events", defaultValue = "1000000", description = "prefill: events (default ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--keys", defaultValue = "1000", description = "sensors (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of topics (default ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--parallelism", defaultValue = "1", description = "job parallelism (default ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--delivery", defaultValue = "at_least_once",
            description = "at_least_once or exactly_once (default ${DEFAULT-VALUE})")
    Delivery delivery;

    @Option(names = "--event-time", description = "score in event-time order (events.event_time: true); default: "
            + "processing time (events.event_time: false)")
    boolean eventTime;

    @Option(names = "--out-of-orderness", defaultValue = "5 s",
            description = "event time: events.out_of_orderness (default ${DEFAULT-VALUE})")
    String outOfOrderness;

    @Option(names = "--checkpoint-interval", defaultValue = "10 s",
            description = "flink.checkpoint_interval (default ${DEFAULT-VALUE})")
    String checkpointInterval;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "flink.checkpoint_dir (default: none, Flink keeps checkpoints in the JobManager's memory, "
                    + "at most 5 MB of state)")
    String checkpointDir;

    @Option(names = "--buffer-timeout", paramLabel = "MS",
            description = "Flink's network buffer timeout in ms (default: Flink's, 100 ms)")
    Long bufferTimeout;

    @Option(names = "--watermark-interval", paramLabel = "MS",
            description = "how often watermarks are emitted, in ms (default: Flink's, 200 ms)")
    Long watermarkInterval;

    @Option(names = "--linger", description = "kafka.linger of the sinks' producers (default: config/detect.yaml's)")
    String linger;

    @Option(names = "--batch-size", paramLabel = "BYTES",
            description = "kafka.batch_size of the sinks' producers (default: config/detect.yaml's)")
    Integer batchSize;

    @Option(names = "--compression",
            description = "kafka.compression of the sinks' producers (default: config/detect.yaml's)")
    String compression;

    @Option(names = "--detect-batch", paramLabel = "N",
            description = "flink.batch_size, the detector's micro-batch (1 = none; default: config/detect.yaml's)")
    Integer detectBatch;

    @Option(names = "--object-reuse", defaultValue = "true", arity = "1", paramLabel = "true|false",
            description = "Flink's object reuse, which KafkaRun turns on (default ${DEFAULT-VALUE})")
    boolean objectReuse;

    @Option(names = "--updates-interval", defaultValue = "1 s",
            description = "swap: model_updates_interval, how often the folder is listed (default ${DEFAULT-VALUE})")
    String updatesInterval;

    @Option(names = "--swaps", defaultValue = "5", description = "swap: models published (default ${DEFAULT-VALUE})")
    int swaps;

    @Option(names = "--swap-every", defaultValue = "5 s",
            description = "swap: time between publications (default ${DEFAULT-VALUE})")
    String swapEvery;

    @Option(names = "--rate", defaultValue = "20000", description = "latency: events/s (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--warmup", defaultValue = "10 s", description = "latency: not measured (default ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--duration", defaultValue = "30 s",
            description = "latency: measured, after the warm-up (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--broker-pid", paramLabel = "PID",
            description = "the broker's process (on this machine): report the cores it used too (from /proc)")
    Long brokerPid;

    @Option(names = "--model", defaultValue = "examples/sensor_lstm.safetensors",
            description = "the model file (default ${DEFAULT-VALUE})")
    Path model;

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Event time of the pre-filled events' first step. */
    private static final long T0 = 1_767_571_200_000L; // 2026-01-05T00:00:00Z

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaDetectBench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (events < 1 || events > Integer.MAX_VALUE || keys < 1 || partitions < 1 || parallelism < 1
                || !(rate > 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--events (at most 2^31 - 1), --keys, "
                    + "--partitions and --parallelism must be >= 1 and --rate > 0; got --events " + events + " --keys "
                    + keys + " --partitions " + partitions + " --parallelism " + parallelism + " --rate " + rate);
        }
        return switch (mode) {
            case prefill -> prefill();
            case throughput -> throughput();
            case latency -> latency();
            case swap -> swap();
        };
    }

    // ---- prefill --------------------------------------------------------------------------------------------------

    private int prefill() {
        SensorProducer.ensureTopic(bootstrap, inputTopic, partitions, TIMEOUT);
        String[] keyNames = keyNames(keys);
        // generated as the producer asks for them: a million strings need not sit in memory at once
        List<SensorProducer.Keyed> records = new AbstractList<>() {
            @Override
            public SensorProducer.Keyed get(int i) {
                int k = i % keys;
                long step = i / keys;
                return new SensorProducer.Keyed(keyNames[k], json(keyNames[k], T0 + step * 1000, value(k, step)));
            }

            @Override
            public int size() {
                return (int) events;
            }
        };
        SensorProducer.Result r = SensorProducer.send(bootstrap, inputTopic, records, 0, TIMEOUT, System.err::println);
        createInternalTopics();
        System.out.println(String.format(Locale.ROOT, "mode=prefill topic=%s events=%d keys=%d partitions=%d "
                        + "seconds=%.3f events_per_s=%.0f", inputTopic, r.sent(), keys, partitions, r.seconds(),
                r.sent() / r.seconds()));
        return r.sent() == events ? 0 : 1;
    }

    /**
     * Makes a fresh broker create its internal topics now: {@code __consumer_offsets} (50 partitions) at the first
     * offset commit, {@code __transaction_state} (50 partitions) at the first transactional producer. Otherwise the
     * first checkpoint of the first job does it, inside a measured run (seen: p99 3.4 s instead of 46 ms).
     */
    private void createInternalTopics() {
        Properties cp = consumerProps("read_committed");
        cp.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "bench-warm-up");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(cp)) {
            TopicPartition tp = new TopicPartition(inputTopic, 0);
            c.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)), TIMEOUT);
        }
        Properties pp = SensorProducer.producerProperties(bootstrap, TIMEOUT);
        pp.setProperty(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-warm-up");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(pp)) {
            p.initTransactions();
        }
    }

    // ---- throughput -----------------------------------------------------------------------------------------------

    private int throughput() throws Exception {
        DetectConfig c = config(inputTopic);
        KafkaSettings s = c.kafkaSettings(bootstrap);
        Topics.ensure(s);
        long expected = endOffsets(inputTopic);
        byte[] modelBytes = Files.readAllBytes(model);
        StreamExecutionEnvironment env = environment(c);
        KafkaSource<RawRecord> source = KafkaIo.sourceBuilder(s).setBounded(OffsetsInitializer.latest()).build();
        KafkaRun.build(env, c, s, source, modelBytes, model.toString());

        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long broker0 = brokerCpuNanos();
        JobExecutionResult result = env.execute("bench-kafka throughput " + name);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cores = (processCpuNanos() - cpu0) / 1e9 / wall;
        double brokerCores = (brokerCpuNanos() - broker0) / 1e9 / wall;
        RunCounts counts = RunCounts.of(result);
        long[] span = writeSpan(s.outputTopic());
        double spanSeconds = (span[1] - span[0]) / 1e3;
        System.out.println(String.format(Locale.ROOT, "mode=throughput name=%s parallelism=%d delivery=%s "
                        + "event_time=%s events=%d scored=%d dead_letters=%d detections_in_topic=%d wall_s=%.3f "
                        + "events_per_s=%.0f span_s=%.3f span_events_per_s=%.0f jvm_cores=%.2f%s%s", name, parallelism,
                delivery, eventTime, counts.received(), counts.scored(), counts.deadLettered(), span[2], wall,
                counts.received() / wall, spanSeconds, counts.received() / spanSeconds, cores,
                brokerField(brokerCores), producerFields(c)));
        if (counts.received() != expected || counts.scored() != expected || span[2] != expected) {
            System.err.println("KafkaDetectBench: expected " + expected + " events received, scored and in "
                    + s.outputTopic() + "; got " + counts.summary() + ", " + span[2] + " in the topic");
            return 1;
        }
        return 0;
    }

    /** Records in a topic (the sum of its partitions' end offsets; no transactions in the input). */
    private long endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("read_uncommitted"))) {
            long n = 0;
            for (long end : c.endOffsets(partitions(c, topic)).values()) {
                n += end;
            }
            return n;
        }
    }

    /**
     * The Kafka timestamps (write times) of the first and last record of a topic, and its committed records:
     * {min over partitions of the first record's timestamp, max of the last one's, count}.
     */
    private long[] writeSpan(String topic) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("read_committed"))) {
            List<TopicPartition> tps = partitions(c, topic);
            c.assign(tps);
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            long count = 0;
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            for (TopicPartition tp : tps) {
                long from = begin.get(tp);
                long to = end.get(tp);
                if (to <= from) {
                    continue;
                }
                first = Math.min(first, timestampAt(c, tp, from));
                // the last offsets of a transactional topic are commit markers: step back to the last record
                last = Math.max(last, lastTimestamp(c, tp, from, to));
                count += countRecords(c, tp, from, to);
            }
            return new long[] {first, last, count};
        }
    }

    private static long timestampAt(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long offset) {
        c.seek(tp, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
                return r.timestamp();
            }
        }
        throw new IllegalStateException("no record at " + tp + " offset " + offset);
    }

    private static long lastTimestamp(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long from, long to) {
        for (long back = 1; back <= 64 && to - back >= from; back *= 4) {
            c.seek(tp, to - back);
            long last = Long.MIN_VALUE;
            for (int polls = 0; polls < 5; polls++) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)).records(tp)) {
                    last = Math.max(last, r.timestamp());
                }
            }
            if (last != Long.MIN_VALUE) {
                return last;
            }
        }
        throw new IllegalStateException("no record near the end of " + tp);
    }

    /** Records (not markers) in [from, to) of a partition, read with read_committed. */
    private static long countRecords(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long from, long to) {
        c.seek(tp, from);
        long n = 0;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (c.position(tp) < to && System.nanoTime() < deadline) {
            n += c.poll(Duration.ofMillis(200)).records(tp).size();
        }
        return n;
    }

    // ---- latency --------------------------------------------------------------------------------------------------

    private int latency() throws Exception {
        Duration warm = TimeUtils.parseDuration(warmup);
        Duration measured = TimeUtils.parseDuration(duration);
        String in = "lat-" + name + "-events";
        DetectConfig c = config(in);
        KafkaSettings s = c.kafkaSettings(bootstrap);
        Topics.ensure(s);
        byte[] modelBytes = Files.readAllBytes(model);
        StreamExecutionEnvironment env = environment(c);
        KafkaRun.build(env, c, s, KafkaIo.source(s), modelBytes, model.toString());
        JobClient job = env.executeAsync("bench-kafka latency " + name);
        try {
            awaitRunning(job);
            Thread.sleep(2_000); // tasks deployed and their Kafka clients connected; the warm-up covers the rest

            long start = System.currentTimeMillis();
            long measureFrom = start + warm.toMillis();
            long end = measureFrom + measured.toMillis();
            Receiver receiver = new Receiver(s.outputTopic(), measureFrom, end);
            Thread rt = new Thread(receiver, "bench-consumer");
            rt.start();
            long cpu0 = processCpuNanos();
            long broker0 = brokerCpuNanos();
            long[] sent = send(in, end);
            double cores = (processCpuNanos() - cpu0) / 1e6 / sent[1];
            double brokerCores = (brokerCpuNanos() - broker0) / 1e6 / sent[1];
            // the last detections: wait until they are all in, or nothing new came for 10 s
            long seen = -1;
            long quietSince = System.nanoTime();
            while (receiver.received.get() < sent[0] && System.nanoTime() - quietSince < 10_000_000_000L) {
                if (receiver.received.get() != seen) {
                    seen = receiver.received.get();
                    quietSince = System.nanoTime();
                }
                Thread.sleep(100);
            }
            receiver.stop = true;
            rt.join(30_000);
            if (receiver.failure.get() != null) {
                throw new IllegalStateException("reading " + s.outputTopic() + " failed", receiver.failure.get());
            }
            int[] e2e = receiver.endToEnd.sorted();
            int[] sink = receiver.toSink.sorted();
            double sendSeconds = sent[1] / 1e3;
            System.out.println(String.format(Locale.ROOT, "mode=latency name=%s parallelism=%d delivery=%s "
                            + "event_time=%s out_of_orderness=%s checkpoint_interval=%s buffer_timeout=%s "
                            + "watermark_interval=%s "
                            + "rate=%.0f sent=%d sent_per_s=%.0f detections=%d measured=%d "
                            + "p50_ms=%d p95_ms=%d p99_ms=%d p999_ms=%d max_ms=%d "
                            + "sink_p50_ms=%d sink_p99_ms=%d sink_max_ms=%d jvm_cores=%.2f%s%s",
                    name, parallelism, delivery, eventTime, eventTime ? outOfOrderness.replace(" ", "") : "-",
                    checkpointInterval.replace(" ", ""), bufferTimeout == null ? "default" : bufferTimeout + "ms",
                    watermarkInterval == null ? "default" : watermarkInterval + "ms",
                    rate, sent[0], sent[0] / sendSeconds, receiver.received.get(), e2e.length,
                    pct(e2e, 0.50), pct(e2e, 0.95), pct(e2e, 0.99), pct(e2e, 0.999), pct(e2e, 1.0),
                    pct(sink, 0.50), pct(sink, 0.99), pct(sink, 1.0), cores, brokerField(brokerCores),
                    producerFields(c)));
            return e2e.length > 0 ? 0 : 1;
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    // ---- swap -----------------------------------------------------------------------------------------------------

    private int swap() throws Exception {
        Duration warm = TimeUtils.parseDuration(warmup);
        Duration every = TimeUtils.parseDuration(swapEvery);
        String in = "swap-" + name + "-events";
        DetectConfig c = config(in);
        Path folder = Files.createTempDirectory("bench-swap-models");
        c.modelUpdates = folder.toUri().toString();
        c.modelUpdatesInterval = updatesInterval;
        KafkaSettings s = c.kafkaSettings(bootstrap);
        Topics.ensure(s);
        byte[] modelBytes = Files.readAllBytes(model);
        SafetensorsFile base = SafetensorsFile.read(modelBytes, model.toString());
        StreamExecutionEnvironment env = environment(c);
        KafkaRun.build(env, c, s, KafkaIo.source(s), modelBytes, model.toString());
        JobClient job = env.executeAsync("bench-kafka swap " + name);
        try {
            awaitRunning(job);
            Thread.sleep(2_000);
            long start = System.currentTimeMillis();
            long end = start + warm.toMillis()
                    + (swaps + 1) * (every.toMillis() + TimeUtils.parseDuration(updatesInterval).toMillis());
            String[] versions = new String[swaps];
            for (int i = 0; i < swaps; i++) {
                versions[i] = "bench-swap-" + name + "-" + (i + 1);
            }
            SwapReceiver receiver = new SwapReceiver(s.outputTopic(), versions, c.flink.maxParallelism, parallelism,
                    delivery == Delivery.exactly_once ? "read_committed" : "read_uncommitted");
            Thread rt = new Thread(receiver, "bench-consumer");
            rt.start();
            AtomicReference<long[]> sent = new AtomicReference<>();
            Thread st = new Thread(() -> sent.set(send(in, end)), "bench-producer");
            st.start();
            Thread.sleep(warm.toMillis());
            long[] publishedAt = new long[swaps];
            Duration interval = TimeUtils.parseDuration(updatesInterval);
            java.util.Random jitter = new java.util.Random(7);
            Path tmp = Files.createTempDirectory("bench-swap-files");
            for (int i = 0; i < swaps; i++) {
                Map<String, String> meta = new java.util.LinkedHashMap<>(base.metadata());
                meta.put(LstmModelFile.VERSION_KEY, versions[i]);
                Path file = tmp.resolve(versions[i] + ".safetensors");
                SafetensorsFile.of(meta, base.tensors()).write(file);
                ModelPublisher.publish(file.toString(), folder.toString());
                publishedAt[i] = System.currentTimeMillis();
                // plus a random part of the listing interval: publications a whole number of intervals apart would
                // all meet the listing at the same phase and measure one point of its wait, not its spread
                Thread.sleep(every.toMillis() + jitter.nextInt((int) Math.max(1, interval.toMillis())));
            }
            st.join();
            Thread.sleep(3_000);
            receiver.stop = true;
            rt.join(30_000);
            if (receiver.failure.get() != null) {
                throw new IllegalStateException("reading " + s.outputTopic() + " failed", receiver.failure.get());
            }
            long[] first = new long[swaps];
            long[] all = new long[swaps];
            for (int i = 0; i < swaps; i++) {
                first[i] = receiver.first[i] == 0 ? -1 : receiver.first[i] - publishedAt[i];
                all[i] = receiver.all[i] == 0 ? -1 : receiver.all[i] - publishedAt[i];
            }
            System.out.println(String.format(Locale.ROOT, "mode=swap name=%s parallelism=%d delivery=%s keys=%d "
                            + "rate=%.0f sent=%d updates_interval=%s swaps=%d first_ms=%s all_ms=%s "
                            + "first_median_ms=%d all_median_ms=%d all_max_ms=%d detect_batch=%d",
                    name, parallelism, delivery, keys, rate, sent.get()[0], updatesInterval.replace(" ", ""), swaps,
                    join(first), join(all), median(first), median(all), Arrays.stream(all).max().orElse(-1),
                    c.flink.batchSize));
            return Arrays.stream(all).allMatch(t -> t >= 0) ? 0 : 1;
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private static String join(long[] v) {
        return Arrays.stream(v).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(","));
    }

    private static long median(long[] v) {
        long[] sorted = v.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** Reads the detections and notes when each published version first appears, and when on every subtask. */
    private final class SwapReceiver implements Runnable {
        final String topic;
        final List<String> versionIndex;
        final int maxParallelism;
        final int subtasks;
        final String isolation;
        final long[] first;
        final long[] all;
        final boolean[][] seen;
        final AtomicReference<Exception> failure = new AtomicReference<>();
        volatile boolean stop;

        SwapReceiver(String topic, String[] versions, int maxParallelism, int subtasks, String isolation) {
            this.topic = topic;
            this.versionIndex = List.of(versions);
            this.maxParallelism = maxParallelism;
            this.subtasks = subtasks;
            this.isolation = isolation;
            this.first = new long[versions.length];
            this.all = new long[versions.length];
            this.seen = new boolean[versions.length][subtasks];
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(isolation))) {
                List<TopicPartition> tps = partitions(c, topic);
                c.assign(tps);
                c.seekToBeginning(tps);
                while (!stop) {
                    var batch = c.poll(Duration.ofMillis(20));
                    long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        var d = DetectionJson.fromJson(r.value());
                        int v = versionIndex.indexOf(d.modelVersion);
                        if (v < 0) {
                            continue;
                        }
                        if (first[v] == 0) {
                            first[v] = now;
                        }
                        int sub = org.apache.flink.runtime.state.KeyGroupRangeAssignment
                                .assignKeyToParallelOperator(d.key, maxParallelism, subtasks);
                        seen[v][sub] = true;
                        boolean every = true;
                        for (boolean b : seen[v]) {
                            every &= b;
                        }
                        if (every && all[v] == 0) {
                            all[v] = now;
                        }
                    }
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JobStatus st;
        while ((st = job.getJobStatus().get(10, TimeUnit.SECONDS)) != JobStatus.RUNNING) {
            if (st.isTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not start: " + st);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Sends {@code rate} events/s until {@code end} (wall clock), each stamped with its send time. Returns {events
     * sent, milliseconds from the first send to the last ack}.
     */
    private long[] send(String topic, long end) {
        String[] keyNames = keyNames(keys);
        long[] step = new long[keys];
        AtomicReference<Exception> failure = new AtomicReference<>();
        SensorProducer.Pacer pacer = new SensorProducer.Pacer(rate);
        long i = 0;
        long first;
        try (KafkaProducer<String, String> p = new KafkaProducer<>(
                SensorProducer.producerProperties(bootstrap, TIMEOUT))) {
            first = System.currentTimeMillis();
            while (failure.get() == null) {
                pacer.await(i);
                long now = System.currentTimeMillis();
                if (now >= end) {
                    break;
                }
                int k = (int) (i % keys);
                p.send(new ProducerRecord<>(topic, keyNames[k], json(keyNames[k], now, value(k, step[k]++))),
                        (meta, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
                i++;
            }
            p.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("sending to " + topic + " at " + bootstrap + " failed", failure.get());
        }
        return new long[] {i, System.currentTimeMillis() - first};
    }

    /** Reads the detections and records their latencies. */
    private final class Receiver implements Runnable {
        final String topic;
        final long measureFrom;
        final long measureTo;
        final AtomicLong received = new AtomicLong();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final IntBuffer endToEnd = new IntBuffer();
        final IntBuffer toSink = new IntBuffer();
        volatile boolean stop;

        Receiver(String topic, long measureFrom, long measureTo) {
            this.topic = topic;
            this.measureFrom = measureFrom;
            this.measureTo = measureTo;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("read_committed"))) {
                List<TopicPartition> tps = partitions(c, topic);
                c.assign(tps);
                c.seekToBeginning(tps);
                while (!stop) {
                    var batch = c.poll(Duration.ofMillis(100));
                    long now = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : batch) {
                        long ts = tsOf(r.value());
                        if (received.get() == 0 && ts != DetectionJson.fromJson(r.value()).ts) {
                            throw new IllegalStateException("tsOf misread "
                                    + new String(r.value(), StandardCharsets.UTF_8));
                        }
                        received.incrementAndGet();
                        if (ts >= measureFrom && ts < measureTo) {
                            endToEnd.add((int) (now - ts));
                            toSink.add((int) (r.timestamp() - ts));
                        }
                    }
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }
    }

    private static final byte[] TS_FIELD = "\"ts\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * The {@code ts} of a detection: the digits after the first {@code "ts":}, which {@link DetectionJson} writes right
     * after the key (ours have no quotes inside). A full parse of every detection cost this JVM a quarter of its CPU,
     * taken from the job it measures; anything unexpected falls back to it.
     */
    static long tsOf(byte[] json) {
        outer:
        for (int i = 0; i + TS_FIELD.length < json.length; i++) {
            for (int j = 0; j < TS_FIELD.length; j++) {
                if (json[i + j] != TS_FIELD[j]) {
                    continue outer;
                }
            }
            long v = 0;
            int k = i + TS_FIELD.length;
            int digits = 0;
            for (; k < json.length && json[k] >= '0' && json[k] <= '9'; k++, digits++) {
                v = 10 * v + (json[k] - '0');
            }
            if (digits > 0 && digits < 19 && k < json.length && (json[k] == ',' || json[k] == '}')) {
                return v;
            }
            break;
        }
        return DetectionJson.fromJson(json).ts;
    }

    /** A growable int array (a million boxed Integers would be GC work on the measured JVM). */
    static final class IntBuffer {
        private int[] a = new int[1 << 16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int[] sorted() {
            int[] out = Arrays.copyOf(a, n);
            Arrays.sort(out);
            return out;
        }
    }

    /** The value at quantile q (nearest rank) of sorted values; -1 when there are none. */
    static int pct(int[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    // ---- shared ---------------------------------------------------------------------------------------------------

    /** CPU time of the broker's process from /proc (Linux), 0 without {@code --broker-pid}. */
    private long brokerCpuNanos() {
        if (brokerPid == null) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + brokerPid + "/stat"));
            // after "pid (comm) ": state is field 0, utime field 11, stime field 12, in clock ticks (USER_HZ, 100 on
            // Linux since 2.6 for user space)
            String[] f = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the CPU time of broker process " + brokerPid, e);
        }
    }

    /** The sinks' producer batching and the object reuse setting of the run. */
    private String producerFields(DetectConfig c) {
        return String.format(Locale.ROOT, " linger=%s batch_size=%d compression=%s object_reuse=%s detect_batch=%d",
                c.kafka.linger.replace(" ", ""), c.kafka.batchSize, c.kafka.compression, objectReuse,
                c.flink.batchSize);
    }

    private String brokerField(double brokerCores) {
        return brokerPid == null ? "" : String.format(Locale.ROOT, " broker_cores=%.2f", brokerCores);
    }

    /** CPU time of this JVM, all threads (Flink, the producer and consumer of the latency mode, GC, JIT). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private DetectConfig config(String in) {
        DetectConfig c = DetectConfig.defaults();
        c.model = model.toString();
        c.kafka.bootstrapServers = bootstrap;
        c.kafka.inputTopic = in;
        c.kafka.outputTopic = "out-" + name;
        c.kafka.deadLetterTopic = "dlq-" + name;
        c.kafka.groupId = "bench-" + name;
        c.kafka.transactionalIdPrefix = "bench-" + name;
        c.kafka.startingOffsets = "earliest";
        c.kafka.delivery = delivery == Delivery.exactly_once ? DetectConfig.Delivery.EXACTLY_ONCE
                : DetectConfig.Delivery.AT_LEAST_ONCE;
        c.kafka.partitions = partitions;
        c.events.eventTime = eventTime;
        c.events.outOfOrderness = outOfOrderness;
        c.flink.parallelism = parallelism;
        c.flink.checkpointInterval = checkpointInterval;
        c.flink.checkpointDir = checkpointDir;
        if (linger != null) {
            c.kafka.linger = linger;
        }
        if (batchSize != null) {
            c.kafka.batchSize = batchSize;
        }
        if (compression != null) {
            c.kafka.compression = compression;
        }
        if (detectBatch != null) {
            c.flink.batchSize = detectBatch;
        }
        try {
            c.validate("KafkaDetectBench flags");
        } catch (Exception e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        return c;
    }

    private StreamExecutionEnvironment environment(DetectConfig c) {
        StreamExecutionEnvironment env = KafkaRun.environment(c);
        if (bufferTimeout != null) {
            env.setBufferTimeout(bufferTimeout);
        }
        if (watermarkInterval != null) {
            env.getConfig().setAutoWatermarkInterval(watermarkInterval);
        }
        if (!objectReuse) {
            env.getConfig().disableObjectReuse();
        }
        return env;
    }

    private Properties consumerProps(String isolation) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return p;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo p : c.partitionsFor(topic, TIMEOUT)) {
            out.add(new TopicPartition(topic, p.partition()));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        return out;
    }

    private static String[] keyNames(int keys) {
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = String.format(Locale.ROOT, "sensor-%04d", k);
        }
        return names;
    }

    /** A sensor-like reading: a daily cycle (96 steps) with a per-sensor level and phase, and a little wobble. */
    static float value(int key, long step) {
        double phase = (key * 0.618034) % 1.0 * 2 * Math.PI;
        double w = 2 * Math.PI * step / 96.0;
        return (float) (20 + key % 17 + 3 * Math.sin(w + phase) + 0.1 * Math.sin(7.3 * step + key));
    }

    static String json(String key, long ts, float value) {
        return "{\"key\":\"" + key + "\",\"ts\":" + ts + ",\"values\":[" + value + "]}";
    }
}
