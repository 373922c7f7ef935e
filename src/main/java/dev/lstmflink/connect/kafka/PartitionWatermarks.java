package dev.lstmflink.connect.kafka;

import dev.lstmflink.connect.Parsed;
import dev.lstmflink.connect.RawRecord;
import dev.lstmflink.connect.RecordParser;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks made inside the Kafka source, one generator per partition, from the {@code ts} of each record:
 * give it to {@code env.fromSource(KafkaIo.source(s), PartitionWatermarks.of(...), name)}.
 *
 * <p>Why at the source: a source subtask usually reads several partitions, and it reads them in bursts (a fetch returns
 * up to {@code max.partition.fetch.bytes}, 1 MiB by default, of one partition). A watermark made after the source, as
 * one generator per subtask, follows whichever partition is furthest ahead, so a backlog of another partition arrives
 * behind it and is late. On {@code KafkaDetectITCase}'s input (4 partitions read by 2 subtasks, 99,000 events in order
 * per partition, 5 s out-of-orderness, no allowed lateness) 37,019 events were late with one watermark per subtask
 * after parsing, and none are with this (the test checks).
 * The source emits the minimum over its partitions' watermarks, and a partition idle for {@code idleness} stops
 * holding it back.
 *
 * <p>The timestamp is found by running the job's parser on the record (the parse operator after the source parses it
 * again: about twice the parsing cost, small beside the model step). A record the parser rejects gets
 * {@link Long#MIN_VALUE}, which never moves a watermark; its dead letter does not use the timestamp.
 *
 * <p>A pipeline fed by this source must not assign watermarks again after parsing: an assigner downstream replaces the
 * source's watermarks with its own.
 */
public final class PartitionWatermarks {

    private PartitionWatermarks() {}

    /**
     * @param parser         the job's parser (JSON or CSV), which finds each record's {@code ts}
     * @param outOfOrderness how far behind the newest timestamp of its partition a record may arrive and still be in
     *                       order
     * @param idleness       a partition without records for this long no longer holds the watermark back
     */
    public static WatermarkStrategy<RawRecord> of(RecordParser parser, Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<RawRecord>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner(context -> new EventTimestamp(parser))
                .withIdleness(idleness);
    }

    /** The record's {@code ts}, or {@link Long#MIN_VALUE} when the parser rejects it. */
    static final class EventTimestamp implements TimestampAssigner<RawRecord> {

        private final RecordParser parser;

        EventTimestamp(RecordParser parser) {
            this.parser = parser;
        }

        @Override
        public long extractTimestamp(RawRecord record, long recordTimestamp) {
            Parsed p = parser.parse(record);
            return p.isOk() ? p.event().ts : Long.MIN_VALUE;
        }
    }
}
