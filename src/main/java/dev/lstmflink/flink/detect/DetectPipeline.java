package dev.lstmflink.flink.detect;

import dev.lstmflink.anomaly.ScoringConfig;
import dev.lstmflink.config.DetectOptions;
import dev.lstmflink.connect.DeadLetter;
import dev.lstmflink.connect.ParseFunction;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.RecordParser;
import dev.lstmflink.flink.LstmStreams;
import dev.lstmflink.flink.ModelUpdate;
import dev.lstmflink.record.Detection;
import dev.lstmflink.record.RejectedEvent;
import dev.lstmflink.record.SensorEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The detection job's operators between its source and its sinks, the same for Kafka, CSV replay and the embedded
 * source: raw records → {@link ParseFunction} (bad records → dead letters) → watermarks from {@code ts} (event-time
 * mode) → {@link DetectFunction} keyed by sensor → detections; events the detector rejects (late, or values that
 * overflow the model's normalisation) are turned into dead letters too, so nothing leaves the job unaccounted.
 *
 * <p>The books balance as {@code received = scored + dead-lettered + late}: the accumulators {@link ParseFunction#RECEIVED},
 * {@link #SCORED}, {@link #LATE} and the per-reason {@link ParseFunction#ACCUMULATOR} (which also counts the detector's
 * rejections, under their reasons {@code late} and {@code invalid}) hold the four numbers at the end of a run; see
 * {@link RunCounts}.
 */
public final class DetectPipeline {

    /** Accumulator: detections emitted (one per event that reached the detector and was not rejected). */
    public static final String SCORED = "recordsScored";
    /** Accumulator: events rejected by the detector as late (their dead letters have reason {@code late}). */
    public static final String LATE = "recordsLate";
    /** Accumulator: events rejected by the detector as invalid after parsing. */
    public static final String REJECTED = "recordsRejected";

    /**
     * The parse operator's uid. Every operator here has a fixed uid, stateless ones too: a savepoint maps state to
     * operators by uid, and an operator without one gets an id hashed from the graph around it (its chaining, which
     * follows the parallelism), so a stateless operator that later gains state would otherwise find none.
     */
    public static final String PARSE_UID = "parse";
    public static final String WATERMARKS_UID = "watermarks";
    public static final String COUNT_SCORED_UID = "count-scored";
    public static final String REJECTIONS_UID = "rejections-to-dead-letters";

    private DetectPipeline() {}

    /** The two outputs: one detection per scored event, one dead letter per record that was not scored. */
    public record Outputs(DataStream<Detection> detections, DataStream<DeadLetter> deadLetters) {}

    /**
     * @param raw                 the records, with their origin (topic/partition/offset or file/line)
     * @param parser              JSON or CSV, built for the model's input size and the record size limit
     * @param outOfOrderness      event-time mode: how far behind the newest timestamp seen a record may arrive and still
     *                            be in order (the watermark trails the newest timestamp by this much), watermarks made
     *                            after parsing, per parse subtask; null: the source makes the watermarks itself (the
     *                            Kafka source per partition, see {@code PartitionWatermarks}: a subtask reading
     *                            several partitions in bursts would otherwise run its watermark ahead of the partition
     *                            it read last and make the others' backlog late); ignored in processing-time mode
     * @param modelBytes          the model file's bytes, or null: no model, each value predicted by the key's last
     *                            one (a series with nothing to train on)
     */
    public static Outputs build(DataStream<RawRecord> raw, RecordParser parser, ScoringConfig scoring,
            DetectOptions options, Duration outOfOrderness, byte[] modelBytes, String modelName) {
        return build(raw, parser, scoring, options, outOfOrderness, modelBytes, modelName, null);
    }

    /**
     * As above, the model replaced while the job runs by the models on {@code modelUpdates} (null: never), refused
     * ones added to the dead letters with reason {@link DeadLetter#MODEL_REJECTED} (not records: the books above
     * do not count them).
     */
    public static Outputs build(DataStream<RawRecord> raw, RecordParser parser, ScoringConfig scoring,
            DetectOptions options, Duration outOfOrderness, byte[] modelBytes, String modelName,
            DataStream<ModelUpdate> modelUpdates) {
        // At the source's parallelism, so parsing chains to the source and each source split (Kafka partition, file)
        // keeps its order up to the keyBy: per-key order is what the processing-time mode scores in.
        SingleOutputStreamOperator<SensorEvent> parsed = raw
                .process(ParseFunction.ofRecords(parser))
                .setParallelism(raw.getParallelism())
                .uid(PARSE_UID)
                .name("parse");
        DataStream<SensorEvent> events = parsed;
        if (options.eventTime() && outOfOrderness != null) {
            events = parsed.assignTimestampsAndWatermarks(WatermarkStrategy
                    .<SensorEvent>forBoundedOutOfOrderness(outOfOrderness)
                    .withTimestampAssigner((e, previous) -> e.ts)
                    // a source partition that goes quiet must not hold every key's scoring back
                    .withIdleness(Duration.ofSeconds(30)))
                    .setParallelism(raw.getParallelism())
                    .uid(WATERMARKS_UID)
                    .name("watermarks from ts");
        }
        SingleOutputStreamOperator<Detection> detected = modelUpdates == null
                ? DetectStreams.detect(events, scoring, options, modelBytes, modelName, parser.shape().values())
                : DetectStreams.swappable(events, modelUpdates, scoring, options, modelBytes, modelName);
        DataStream<Detection> counted = detected.map(new CountingMap<Detection>(SCORED))
                .uid(COUNT_SCORED_UID)
                .name("count scored");
        DataStream<DeadLetter> rejected = detected.getSideOutput(LstmStreams.REJECTED)
                .map(new RejectionToDeadLetter())
                .uid(REJECTIONS_UID)
                .name("rejections to dead letters");
        DataStream<DeadLetter> deadLetters = parsed.getSideOutput(ParseFunction.DEAD_LETTERS).union(rejected);
        if (modelUpdates != null) {
            deadLetters = deadLetters.union(detected.getSideOutput(SwappableDetectFunction.MODEL_REJECTED));
        }
        return new Outputs(counted, deadLetters);
    }

    /** True when {@code r} is one of the detector's late rejections (as opposed to a parse failure). */
    static boolean isLate(RejectedEvent r) {
        return RejectedEvent.LATE.equals(r.reason);
    }
}
