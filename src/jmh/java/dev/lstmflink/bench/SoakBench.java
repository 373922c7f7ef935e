package dev.lstmflink.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.flink.detect.DetectPipeline;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A soak run of the detection pipeline (issue 6, "Long run"): a generator at a fixed rate → {@link DetectPipeline}
 * (parse → event-time buffer → keyed LSTM detector) → discarding sinks, on a {@link MiniCluster} in this JVM with
 * periodic checkpoints, sampled every {@code --sample}: the heap in use, right after each GC and after a full GC
 * asked for before each sample (the live set; that pause is left out of the pause figures), GC pauses,
 * the latest completed checkpoint's duration, full state size and checkpointed (incremental) size, the state size per
 * key, and for RocksDB the size of its working folder on disk (and of its table files, *.sst, in it). Not Kafka: the broker's own growth would blur what the
 * job's state does. Not a test: {@code jobs/soak} runs it (30 minutes by default) and prints a summary comparing the
 * first and last thirds of the run.
 *
 * <p>The events: {@code --keys} sensors in turn, each one reading per turn, event time 1 s per reading of a sensor, the
 * values a daily sine per sensor plus deterministic noise and a rare spike, so the detector scores, flags and keeps its
 * error windows full. Each key's state is fixed-size once it has been seen (h, c, the prediction, the scoring window
 * of W floats), so after the first round of keys a flat state size is the expected result and growth is a leak.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Runs the detection pipeline at a fixed rate with checkpoints and samples heap, GC and state.")
public final class SoakBench implements Callable<Integer> {

    @Option(names = "--backend", defaultValue = "hashmap", description = "hashmap or rocksdb (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--duration", defaultValue = "30m", description = "run time (default ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--rate", defaultValue = "2000", description = "events per second (default ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--keys", defaultValue = "2000", description = "sensors (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", description = "(default ${DEFAULT-VALUE})")
    String checkpointInterval;

    @Option(names = "--sample", defaultValue = "30s", description = "sampling interval (default ${DEFAULT-VALUE})")
    String sample;

    @Option(names = "--parallelism", defaultValue = "1", description = "(default ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--model", defaultValue = "examples/sensor_lstm.safetensors", description = "(default ${DEFAULT-VALUE})")
    Path model;

    @Option(names = "--dir", required = true, description = "working folder: checkpoints, RocksDB files (wiped first)")
    Path dir;

    @Option(names = "--out", required = true, description = "the samples, CSV")
    Path out;

    static final AtomicLong DETECTIONS = new AtomicLong();
    static final AtomicLong DEAD_LETTERS = new AtomicLong();

    /** GC pauses seen since the last sample, from the collectors' notifications (stop-the-world collectors only). */
    private final List<Long> pausesMs = new ArrayList<>();
    /** The heap after the full GC this class asks for before each sample: the live set. */
    private volatile long liveHeap = -1;
    /** The heap in use right after each of those collections (old-generation garbage included until G1 collects it). */
    private final List<Long> heapAfterGc = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new SoakBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Duration runFor = TimeUtils.parseDuration(duration);
        Duration every = TimeUtils.parseDuration(sample);
        wipe(dir);
        Files.createDirectories(dir);
        listenToGc();

        Configuration conf = new Configuration();
        conf.setString("state.backend.type", backend);
        conf.setString("execution.checkpointing.dir", dir.resolve("checkpoints").toAbsolutePath().toUri().toString());
        conf.setString("execution.checkpointing.incremental", "rocksdb".equals(backend) ? "true" : "false");
        conf.setString("state.backend.rocksdb.localdir", dir.resolve("rocksdb").toAbsolutePath().toString());
        conf.setString("taskmanager.memory.managed.size", "256m");
        conf.setString("rest.bind-port", "0");   // two soaks (hashmap, rocksdb) run side by side
        MiniClusterConfiguration mc = new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism + 1).build();
        try (MiniCluster cluster = new MiniCluster(mc)) {
            cluster.start();
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(parallelism);
            env.enableCheckpointing(TimeUtils.parseDuration(checkpointInterval).toMillis(), CheckpointingMode.EXACTLY_ONCE);
            build(env);
            JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();
            return sampleUntil(cluster, job, runFor, every);
        }
    }

    private void build(StreamExecutionEnvironment env) throws IOException {
        byte[] modelBytes = Files.readAllBytes(model);
        int k = LstmModelFile.read(modelBytes, model.toString()).lstm().config().inputSize();
        DetectConfig c = DetectConfig.defaults();
        int n = keys;
        GeneratorFunction<Long, RawRecord> events = i -> RawRecord.kafka("soak", 0, i, event(i, n, k));
        DataGeneratorSource<RawRecord> source = new DataGeneratorSource<>(events, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(rate), TypeInformation.of(RawRecord.class));
        var raw = env.fromSource(source, WatermarkStrategy.noWatermarks(), "generator").setParallelism(1).uid("soak-source");
        DetectPipeline.Outputs o = DetectPipeline.build(raw, new JsonRecordParser(k, c.input.maxRecordBytes), c.scoring(),
                c.detectOptions(true), c.outOfOrderness(), modelBytes, model.toString());
        o.detections().sinkTo(new CountingSink<>(true)).name("detections");
        o.deadLetters().sinkTo(new CountingSink<>(false)).name("dead letters");
    }

    /** Event i: sensor i mod n, its reading number i / n, at 1 s per reading; a daily sine, noise, a rare spike. */
    static byte[] event(long i, int n, int k) {
        long key = i % n;
        long step = i / n;
        StringBuilder b = new StringBuilder(64).append("{\"key\":\"sensor-").append(key).append("\",\"ts\":")
                .append(1_700_000_000_000L + step * 1000).append(",\"values\":[");
        for (int f = 0; f < k; f++) {
            double noise = ((mix(i * 31 + f) >>> 11) * 0x1.0p-53 - 0.5) * 1.5;
            double v = 31.4 + 7.5 * Math.sin(2 * Math.PI * step / 96.0 + key * 0.7 + f) + noise
                    + (mix(i ^ 0x5EED) % 5000 == 0 ? 25 : 0);
            b.append(f == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", v));
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** SplitMix64's finaliser: a deterministic pseudo-random long per index. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return Math.abs(z ^ (z >>> 31));
    }

    private int sampleUntil(MiniCluster cluster, JobID job, Duration runFor, Duration every) throws Exception {
        long start = System.nanoTime();
        long end = start + runFor.toNanos();
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
            w.println("t_s,detections,dead_letters,events_per_s,heap_used_mb,heap_after_gc_mb,live_heap_mb,gc_pauses,"
                    + "gc_pause_total_ms,gc_pause_max_ms,checkpoints_completed,checkpoints_failed,"
                    + "checkpoint_duration_ms,checkpoint_state_bytes,checkpointed_bytes,state_bytes_per_key,"
                    + "rocksdb_sst_bytes,rocksdb_dir_bytes,checkpoint_dir_bytes");
            long lastDetections = 0;
            long lastT = start;
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(every.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
                JobStatus status = cluster.getJobStatus(job).get();
                if (status.isGloballyTerminalState()) {
                    System.err.println("soak: the job ended early: " + status);
                    return 1;
                }
                long now = System.nanoTime();
                long d = DETECTIONS.get();
                AccessExecutionGraph g = cluster.getExecutionGraph(job).get();
                CheckpointStatsSnapshot cs = g.getCheckpointStatsSnapshot();
                AbstractCheckpointStats last = latestCompleted(cs);
                long[] pauses = drainPauses();
                System.gc();   // a full collection: liveHeap (its notification arrives on another thread)
                Thread.sleep(200);
                String line = String.format(Locale.ROOT,
                        "%.0f,%d,%d,%.0f,%.1f,%.1f,%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%.1f,%d,%d,%d",
                        (now - start) / 1e9, d, DEAD_LETTERS.get(), (d - lastDetections) / ((now - lastT) / 1e9),
                        heapUsed() / 1048576.0, pauses[3] < 0 ? Double.NaN : pauses[3] / 1048576.0,
                        liveHeap < 0 ? Double.NaN : liveHeap / 1048576.0, pauses[0], pauses[1], pauses[2],
                        cs.getCounts().getNumberOfCompletedCheckpoints(), cs.getCounts().getNumberOfFailedCheckpoints(),
                        last == null ? -1 : last.getEndToEndDuration(), last == null ? -1 : last.getStateSize(),
                        last == null ? -1 : last.getCheckpointedSize(),
                        last == null ? -1.0 : last.getStateSize() / (double) keys,
                        sizeOf(dir.resolve("rocksdb"), true), sizeOf(dir.resolve("rocksdb"), false),
                        sizeOf(dir.resolve("checkpoints"), false));
                w.println(line);
                w.flush();
                System.out.println(line);
                lastDetections = d;
                lastT = now;
            }
            cluster.cancelJob(job).get();
        }
        return 0;
    }

    private static AbstractCheckpointStats latestCompleted(CheckpointStatsSnapshot cs) {
        for (AbstractCheckpointStats s : cs.getHistory().getCheckpoints()) {   // newest first
            if (s.getStatus() == CheckpointStatsStatus.COMPLETED) {
                return s;
            }
        }
        return null;
    }

    private static final java.util.Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP)
            .map(java.lang.management.MemoryPoolMXBean::getName).collect(java.util.stream.Collectors.toSet());

    private void listenToGc() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    return;
                }
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                if ("System.gc()".equals(info.getGcCause())) {
                    // ours, before each sample: the heap after it is the live set; not one of the job's pauses
                    long live = 0;
                    for (var u : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (HEAP_POOLS.contains(u.getKey())) {
                            live += u.getValue().getUsed();
                        }
                    }
                    liveHeap = live;
                    return;
                }
                // G1's young and mixed/full collections are pauses; a concurrent cycle's bean (JDK 20+) is not
                if (!info.getGcName().contains("Concurrent")) {
                    long after = 0;
                    for (var u : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                        if (HEAP_POOLS.contains(u.getKey())) {   // not Metaspace or the code cache
                            after += u.getValue().getUsed();
                        }
                    }
                    synchronized (pausesMs) {
                        pausesMs.add(info.getGcInfo().getDuration());
                        heapAfterGc.add(after);
                    }
                }
            }, null, null);
        }
    }

    /** count, total ms, max ms of the pauses since the last call, and the mean heap after them (-1: none). */
    private long[] drainPauses() {
        synchronized (pausesMs) {
            long total = 0;
            long max = 0;
            for (long p : pausesMs) {
                total += p;
                max = Math.max(max, p);
            }
            long after = heapAfterGc.isEmpty() ? -1
                    : (long) heapAfterGc.stream().mapToLong(Long::longValue).average().orElseThrow();
            long[] r = {pausesMs.size(), total, max, after};
            pausesMs.clear();
            heapAfterGc.clear();
            return r;
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Bytes in the files under p (only RocksDB's table files, *.sst, if sstOnly): -1 when a deletion raced the walk. */
    private static long sizeOf(Path p, boolean sstOnly) throws IOException {
        if (!Files.exists(p)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(p)) {
            return files.filter(Files::isRegularFile)
                    .filter(f -> !sstOnly || f.getFileName().toString().endsWith(".sst")).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;   // a file RocksDB or the checkpointer removed while we walked
                }
            }).sum();
        } catch (java.io.UncheckedIOException e) {
            return -1;   // the walk itself raced with a deletion; the next sample measures again
        }
    }

    private static void wipe(Path p) throws IOException {
        if (Files.exists(p)) {
            try (Stream<Path> files = Files.walk(p)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /** Counts what reaches it into a static counter (same JVM as the MiniCluster) and drops it. */
    static final class CountingSink<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final boolean detections;

        /** @param detections count into {@link #DETECTIONS}, else into {@link #DEAD_LETTERS} */
        CountingSink(boolean detections) {
            this.detections = detections;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            AtomicLong c = detections ? DETECTIONS : DEAD_LETTERS;
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    c.incrementAndGet();
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
