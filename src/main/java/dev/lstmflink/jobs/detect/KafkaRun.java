package dev.lstmflink.jobs.detect;

import dev.lstmflink.config.DetectConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.config.KafkaSettings;
import dev.lstmflink.connect.CsvRecordParser;
import dev.lstmflink.connect.EventShape;
import dev.lstmflink.connect.FutureTimestampGuard;
import dev.lstmflink.connect.JsonRecordParser;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.RecordParser;
import dev.lstmflink.connect.kafka.KafkaIo;
import dev.lstmflink.connect.kafka.PartitionWatermarks;
import dev.lstmflink.connect.kafka.Topics;
import dev.lstmflink.core.io.LstmModelFile;
import dev.lstmflink.core.nn.LstmModel;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.flink.detect.DetectPipeline;
import dev.lstmflink.jobs.RemoteFiles;
import dev.lstmflink.jobs.models.ModelUpdates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code jobs/detect --kafka HOST:PORT}: events from the input topic, detections to the output topic, dead letters to
 * the dead-letter topic, until the job is stopped. Checkpointing is always on: it commits the source's offsets and,
 * with {@code exactly_once}, the sinks' Kafka transactions, so the output appears once per checkpoint interval.
 */
public final class KafkaRun {

    /** The model used when none is configured: the embedded demo's, shipped in the repository. */
    public static final Path DEFAULT_MODEL = Path.of("examples/sensor_lstm.safetensors");

    /** Uids of the Kafka operators (savepoints find the source's offsets and the sinks' transactions by them). */
    public static final String SOURCE_UID = "kafka-source";
    public static final String DETECTIONS_UID = "kafka-detections";
    public static final String DEAD_LETTERS_UID = "kafka-dead-letters";

    /** A partition without records for this long does not hold the watermark back. */
    static final Duration SOURCE_IDLENESS = Duration.ofSeconds(30);

    private KafkaRun() {}

    /** Creates or checks the topics, builds the job and runs it until it is stopped (or fails). */
    public static void run(DetectConfig c, String bootstrapServers, Consumer<String> log) throws Exception {
        KafkaSettings s = c.kafkaSettings(bootstrapServers);
        String modelFile = c.model != null ? c.model : DEFAULT_MODEL.toString();
        if (!RemoteFiles.isUri(modelFile) && !Files.isRegularFile(Path.of(modelFile))) {
            throw new IllegalArgumentException("model " + modelFile + ": no such file; give --model FILE (jobs/detect "
                    + "without flags trains one into target/detect/model.safetensors)");
        }
        byte[] model = DetectModels.read(c, modelFile);   // a URI (s3://, hdfs://, file://) through Flink's file systems
        List<String> created = Topics.ensure(s);
        if (!created.isEmpty()) {
            log.accept("created topics " + created + " (" + s.partitions() + " partitions)");
        }
        StreamExecutionEnvironment env = environment(c);
        build(env, c, s, KafkaIo.source(s), model, modelFile);
        log.accept("reading " + s.inputTopic() + " at " + s.bootstrapServers() + " (group " + s.groupId() + "), "
                + "writing detections to " + s.outputTopic() + " and dead letters to " + s.deadLetterTopic() + ", "
                + (s.exactlyOnce() ? "exactly-once (read them with isolation.level=read_committed; they appear "
                + "after each checkpoint, every " + c.flink.checkpointInterval + ")" : "at-least-once")
                + (c.modelUpdates == null ? "" : "; models published to " + c.modelUpdates + " are swapped in (the "
                + "folder is listed every " + c.modelUpdatesInterval + ")")
                + "; stop with Ctrl-C");
        env.execute("lstm-flink detect (kafka " + s.inputTopic() + " -> " + s.outputTopic() + ")");
    }

    /**
     * The environment with the configured parallelism, max parallelism (the number of key groups, fixed so that a
     * savepoint restores at any parallelism up to it), state backend and checkpointing ({@link #settings}), and object
     * reuse on.
     */
    public static StreamExecutionEnvironment environment(DetectConfig c) {
        // Submitted by `flink run` (or the REST API's jar run), the program gets Flink's context environment, bound to
        // the cluster whose config.yaml then rules what the user did not set; anything else is a local run.
        boolean onCluster = StreamExecutionEnvironment.getExecutionEnvironment() instanceof StreamContextEnvironment;
        Configuration conf = settings(c, onCluster);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(c.flink.parallelism);
        env.setMaxParallelism(c.flink.maxParallelism);
        env.enableCheckpointing(c.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // Object reuse: a chained operator hands its record to the next as it is, where Flink otherwise copies it
        // with its serializer at every hop (source -> parse, detector -> count -> sink: 3.6 % of the detector's thread
        // and 4.5 % of the source's in a profile, BENCHMARKS.md). Safe in this job because no operator changes or
        // re-emits a record after emitting it: the Kafka source's RawRecordDeserializationSchema makes a new RawRecord
        // (and Kafka a new value array) per record, ParseFunction a new SensorEvent or DeadLetter per record
        // (JsonRecordParser, CsvRecordParser, FutureTimestampGuard), the detector a new Detection per event and
        // RejectionToDeadLetter a new DeadLetter, and the sinks serialize each record inside write(). The detector may
        // keep its input events across calls (an event-time buffer on the heap, a micro-batch): they come through the
        // keyBy, i.e. the network, whose input deserializes every record into a new object whatever this setting says
        // (AbstractStreamTaskNetworkInput uses a NonReusingDeserializationDelegate). An operator that keeps records
        // and is chained to the one that emits them (no keyBy or rebalance between) needs that emitter to make a new
        // record every time, as all of these do.
        env.getConfig().enableObjectReuse();
        return env;
    }

    /**
     * The Flink settings the job sets. On a cluster the state backend and the checkpoint storage are set only when
     * the user gave them ({@code flink.state_backend}, {@code flink.checkpoint_dir}), so the cluster's config.yaml
     * stands otherwise (on several machines a client-local default folder would put checkpoints on local disks); run
     * locally they default to the heap and {@code checkpoints/} under {@code output}: without a directory Flink keeps
     * checkpoints in the JobManager's memory, capped at 5 MB, and state of about 700 sensors or more then fails every
     * checkpoint (measured by jobs/bench-kafka). The restart strategy is never set: Flink's (or the cluster's) stands.
     */
    static Configuration settings(DetectConfig c, boolean onCluster) {
        Configuration conf = new Configuration();
        String backend = c.flink.stateBackend != null ? c.flink.stateBackend : onCluster ? null : "hashmap";
        if (backend != null) {
            conf.setString("state.backend.type", backend);
            if ("rocksdb".equals(backend)) {
                conf.setString("state.backend.rocksdb.use-bloom-filter", "true");
            }
        }
        String dir = c.flink.checkpointDir != null ? c.flink.checkpointDir
                : onCluster ? null : Path.of(c.output, "checkpoints").toAbsolutePath().toUri().toString();
        if (dir != null) {
            conf.setString("execution.checkpointing.dir", dir);
        }
        // a cancelled (or crashed and given up) job keeps its last checkpoint, so that restore_from can resume it
        conf.setString("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        if (c.flink.restoreFrom != null) {
            conf.setString("execution.state-recovery.path", c.flink.restoreFrom);
        }
        return conf;
    }

    /**
     * The job's graph: source → {@link DetectPipeline} (event time per {@code events.event_time}) → the two sinks.
     * Tests pass a bounded source.
     */
    public static void build(StreamExecutionEnvironment env, DetectConfig c, KafkaSettings s,
            KafkaSource<RawRecord> source, byte[] model, String modelName) throws Exception {
        LstmModel m = LstmModelFile.read(model, modelName);
        EventShape shape = EventShape.of(m);   // numeric values, and the embedding's ids when it has one
        RecordParser format = c.input.format == DetectConfig.Format.CSV
                ? new CsvRecordParser(shape, c.input.maxRecordBytes)
                : new JsonRecordParser(shape, c.input.maxRecordBytes);
        DetectOptions options = c.detectOptions(true);
        // event time: a record stamped far ahead of the clock would carry its partition's watermark with it
        RecordParser parser = options.eventTime()
                ? FutureTimestampGuard.of(format, c.maxAhead(), c.input.maxRecordBytes) : format;
        // event time: watermarks per partition, in the source (see DetectPipeline.build)
        WatermarkStrategy<RawRecord> watermarks = options.eventTime()
                ? PartitionWatermarks.of(parser, c.outOfOrderness(), SOURCE_IDLENESS)
                : WatermarkStrategy.noWatermarks();
        DataStream<RawRecord> raw = env.fromSource(source, watermarks, "kafka " + s.inputTopic()).uid(SOURCE_UID);
        DataStream<ModelUpdate> updates = null;
        if (c.modelUpdates != null) {
            // One reader: every detector subtask gets every file, in the order it was read (broadcast).
            updates = env.fromSource(ModelUpdates.source(c.modelUpdates, c.modelUpdatesInterval(), c.modelMaxBytes()),
                            WatermarkStrategy.noWatermarks(), "model updates " + c.modelUpdates)
                    .setParallelism(1)
                    .uid(ModelUpdates.UID);   // its checkpointed state: the files already read
        }
        DetectPipeline.Outputs out = DetectPipeline.build(raw, parser, c.scoring(), options, null, model, modelName,
                updates);
        out.detections().sinkTo(KafkaIo.detectionSink(s)).uid(DETECTIONS_UID).name("kafka " + s.outputTopic());
        out.deadLetters().sinkTo(KafkaIo.deadLetterSink(s)).uid(DEAD_LETTERS_UID)
                .name("kafka " + s.deadLetterTopic());
    }
}
